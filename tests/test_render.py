"""The render matrix: every tier x a pairwise cover of integrations and providers.

Each render must hold no secrets in its answers file, contain exactly the files its answers call
for, name the same owner everywhere, and already be formatted.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .features import conditional_paths
from .file_ownership import ownership_problems
from .support import Combination, matrix, render, rendered_files

COMBINATIONS = matrix()
ASKED_KEYS = {
    "project_name", "project_slug", "package_name", "description", "python_version",
    "owner_team", "team_email", "oncall", "escalation_contact", "support_channel", "lifecycle",
    "system", "support_hours", "dashboard_url", "data_sensitivity", "data_steward",
    "integrations", "llm_providers", "automation_level", "container_registry",
}  # fmt: skip
SECRET_LIKE = re.compile(r"(?i)(password|secret|token|api[_-]?key|BEGIN [A-Z ]*PRIVATE KEY)")


# One xdist group per combination: its checks share one render on one worker.
PARAMS = [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(c.id)) for c in COMBINATIONS]


@pytest.fixture(scope="module", params=PARAMS)
def project(
    request: pytest.FixtureRequest, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Combination, Path]:
    combination: Combination = request.param
    destination = tmp_path_factory.mktemp(combination.id[:60]) / "project"
    return combination, render(template, destination, combination.answers())


def test_answers_file_holds_only_answers_and_no_secrets(project: tuple[Combination, Path]) -> None:
    _, path = project
    answers: dict[str, Any] = yaml.safe_load((path / ".copier-answers.yml").read_text())
    stored = {k for k in answers if not k.startswith("_")}
    assert stored <= ASKED_KEYS, f"computed or policy values leaked: {stored - ASKED_KEYS}"
    for key, value in answers.items():
        assert not SECRET_LIKE.search(f"{key}={value}"), key


def test_conditional_files_exist_exactly_when_their_answer_says(
    project: tuple[Combination, Path],
) -> None:
    combination, path = project
    files = rendered_files(path)
    rules = conditional_paths(combination.answers())
    present = {p for p in rules if any(f == p or f.startswith(p + "/") for f in files)}
    wanted = {p for p, on in rules.items() if on}
    assert present - wanted == set(), "files present that the answers did not ask for"
    assert wanted - present == set(), "files missing that the answers ask for"


def test_every_file_has_one_declared_owner(project: tuple[Combination, Path]) -> None:
    _, path = project
    problems = ownership_problems(rendered_files(path))
    assert problems == [], "\n".join(problems)


def test_codeowners_and_catalog_name_the_same_owner(project: tuple[Combination, Path]) -> None:
    _, path = project
    catalog = yaml.safe_load((path / "catalog-info.yaml").read_text())
    codeowners = (path / ".github" / "CODEOWNERS").read_text().splitlines()
    default_rule = next(line for line in codeowners if line.startswith("*"))
    owner = default_rule.split()[1]
    assert catalog["spec"]["owner"] == "group:" + owner.split("/", 1)[1]
    ownership = (path / "OWNERSHIP.md").read_text()
    assert f"`{owner}`" in ownership


def test_structured_files_parse(project: tuple[Combination, Path]) -> None:
    _, path = project
    for file in path.rglob("*"):
        if file.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(file.read_text()))
        elif file.suffix == ".toml":
            tomllib.loads(file.read_text())


def test_output_is_already_formatted_and_lint_clean(project: tuple[Combination, Path]) -> None:
    _, path = project
    ruff = [sys.executable, "-m", "ruff"]
    formatted = subprocess.run(
        [*ruff, "format", "--no-cache", "--check", "--diff", "."],
        cwd=path,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    linted = subprocess.run(
        [*ruff, "check", "--no-cache", "."], cwd=path, capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_no_unrendered_jinja_is_left(project: tuple[Combination, Path]) -> None:
    _, path = project
    leftovers = [
        str(f.relative_to(path))
        for f in path.rglob("*")
        if f.is_file() and (f.suffix == ".jinja" or "{%" in f.read_text(errors="ignore"))
    ]
    assert leftovers == []
