"""Helpers shared by the template's tests: answers, rendering and the combination matrix."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import copier
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CANONICAL_ANSWERS = REPO_ROOT / "tests" / "answers" / "canonical.yml"
TIERS = ("public", "internal", "confidential", "restricted")
INTEGRATIONS = ("postgres", "redis", "rabbitmq", "pgvector", "s3")
PROVIDERS = ("openai", "anthropic", "azure_openai", "aws_bedrock", "openai_compatible")


# Answer deltas for the projects that stand for the whole range: the deep `make check` cases and
# the projects the public linters judge.
REPRESENTATIVE_CASES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "everything-on": {
        "data_sensitivity": "public",
        "integrations": list(INTEGRATIONS),
        "llm_providers": list(PROVIDERS),
        "automation_level": "approve",
    },
    "restricted": {
        "data_sensitivity": "restricted",
        "python_version": "3.13",
        "integrations": list(INTEGRATIONS),
        "llm_providers": ["openai_compatible"],
    },
}


def canonical_answers() -> dict[str, Any]:
    answers = yaml.safe_load(CANONICAL_ANSWERS.read_text())
    assert isinstance(answers, dict)
    return answers


def policy() -> dict[str, Any]:
    document = yaml.safe_load((REPO_ROOT / "policy.yml").read_text())
    default = document["keel_policy"]["default"]
    assert isinstance(default, dict)
    return default


def answers_with(**delta: Any) -> dict[str, Any]:
    """The canonical answers with `delta` applied: what every test starts from."""
    answers = canonical_answers()
    answers.update(delta)
    if answers["data_sensitivity"] in ("confidential", "restricted"):
        answers.setdefault("data_steward", "@acme/security-reviewers")
    return answers


def export_template(destination: Path) -> Path:
    """Copy the working tree (tracked and untracked, minus ignored files) to a plain folder.

    Rendering from a plain folder is faster than letting Copier clone the git repository for
    every render, and it includes uncommitted changes, which is what a developer wants to test.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def render(template: Path, destination: Path, answers: Mapping[str, Any]) -> Path:
    copier.run_copy(
        str(template),
        str(destination),
        data=dict(answers),
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    return destination


def rendered_files(project: Path) -> set[str]:
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".venv" not in path.parts and ".git" not in path.parts
    }


@dataclass(frozen=True)
class Combination:
    tier: str
    integrations: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    automation: str = ""  # empty: the tier's default
    label: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        parts = [self.tier, "+".join(self.integrations) or "no-integrations"]
        parts.append("+".join(self.providers) or "no-providers")
        return "-".join(parts + ([self.automation] if self.automation else []))

    def answers(self) -> dict[str, Any]:
        automation = {"automation_level": self.automation} if self.automation else {}
        return answers_with(
            data_sensitivity=self.tier,
            integrations=list(self.integrations),
            llm_providers=list(self.providers),
            **automation,
        )


def _valid_integrations(chosen: Iterable[str]) -> bool:
    chosen = set(chosen)
    return "pgvector" not in chosen or "postgres" in chosen


def pairwise_rows(factors: list[str], allowed: list[str]) -> list[frozenset[str]]:
    """A small set of on/off rows covering every pair of factor settings at least once.

    Greedy all-pairs over boolean factors, restricted to valid rows. Deterministic, so test ids
    are stable between runs.
    """
    wanted = {
        ((a, va), (b, vb))
        for a, b in itertools.combinations(factors, 2)
        for va in (False, True)
        for vb in (False, True)
    }
    candidates = [
        frozenset(f for f, on in zip(factors, bits, strict=True) if on)
        for bits in itertools.product((False, True), repeat=len(factors))
    ]
    candidates = [c for c in candidates if _valid_integrations(c) and c <= set(allowed)]
    rows: list[frozenset[str]] = []

    def covered(row: frozenset[str]) -> set[tuple[tuple[str, bool], tuple[str, bool]]]:
        return {
            ((a, a in row), (b, b in row)) for a, b in itertools.combinations(factors, 2)
        } & wanted

    while wanted:
        best = max(candidates, key=lambda c: (len(covered(c)), -len(c), sorted(c)))
        gained = covered(best)
        if not gained:
            break  # the remaining pairs are impossible under the constraints
        wanted -= gained
        rows.append(best)
    return rows


def matrix() -> list[Combination]:
    """Every tier x (none, everything allowed, and a pairwise cover of the rest), the tier's
    automation levels taken in turn from its last (most autonomous) on the everything row, so
    each level meets both the presence and the absence of the integrations."""
    tiers = policy()["tiers"]
    combinations: list[Combination] = []
    for tier in TIERS:
        allowed = [*tiers[tier]["integrations"], *tiers[tier]["llm_providers"]]
        factors = [f for f in (*INTEGRATIONS, *PROVIDERS) if f in allowed]
        rows = [frozenset(), frozenset(factors), *pairwise_rows(factors, allowed)]
        levels = tiers[tier]["automation_levels"][::-1]
        seen: set[Combination] = set()
        for number, row in enumerate(rows):
            level = levels[(number - 1) % len(levels)]
            combination = Combination(
                tier,
                tuple(i for i in INTEGRATIONS if i in row),
                tuple(p for p in PROVIDERS if p in row),
                level if level != tiers[tier]["automation_levels"][0] else "",
            )
            if combination not in seen:
                seen.add(combination)
                combinations.append(combination)
    return combinations


def write_or_print_page(page: Path, render_page: Callable[[], str]) -> int:
    """Entry point of a generated reference page: `--write` rewrites it, otherwise print it."""
    text = render_page()
    if "--write" in sys.argv:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text)
    else:
        sys.stdout.write(text)
    return 0
