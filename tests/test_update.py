"""`copier update` keeps every user edit, refuses to hide conflicts, and follows changed answers.

The releases under test live in a temporary git clone of this repository. Past releases are real
commits from its history (`PAST_RELEASES`); v0.1.0 is this template without its update machinery
(no template-update workflow, no conflict check, the old "Keep it current" section); v0.2.0 is
this template. For each earlier release and answer set a project is copied at that release, a
team's realistic edits are committed, the project is updated to v0.2.0 the way its
template-update workflow does it, and every edit must still be there with no conflict left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .features import conditional_paths
from .lifecycle import (
    PAST_RELEASES,
    commit_all,
    conflict_leftovers,
    copier,
    copy_project,
    keel_releases,
    own_pytest_temp,
    replace_once,
    sh,
    stored_answers,
    update_project,
)
from .support import answers_with, rendered_files


@pytest.fixture(scope="module")
def releases(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return keel_releases(template, tmp_path_factory.mktemp("releases"))


# --- The team's edits: each one applied after the first commit, checked after the update. ----


@dataclass(frozen=True)
class Edit:
    name: str
    apply: Callable[[Path, str], None]
    survived: Callable[[Path, str], bool]


def _append(relative: str, text: str) -> Callable[[Path, str], None]:
    def apply(project: Path, package: str) -> None:
        path = project / relative.format(package=package)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            handle.write(text)

    return apply


def _contains(relative: str, text: str) -> Callable[[Path, str], bool]:
    return lambda project, package: text in (project / relative.format(package=package)).read_text()


NEW_ROUTE = """

@router.get("/v1/claims/{claim_id}/status")
async def claim_status(claim_id: str) -> dict[str, str]:
    return {"claim": claim_id, "status": "received"}
"""
NEW_ROUTE_TEST = """

async def test_claim_status_is_received(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/claims/C-1/status")
    assert response.json() == {"claim": "C-1", "status": "received"}
"""


DEPENDENCIES_END = "# Keel's dependencies end here"


def _new_dependency(project: Path, _: str) -> None:
    # Where the release's extension point says: with `uv add` below Keel's closing comment, or,
    # in releases before that comment, by hand just below fastapi.
    pyproject = project / "pyproject.toml"
    if DEPENDENCIES_END in pyproject.read_text():
        sh("uv", "add", "--frozen", "humanize>=4.9", cwd=project)
        return
    replace_once(
        pyproject, '"fastapi>=0.115,<1",\n', '"fastapi>=0.115,<1",\n    "humanize>=4.9",\n'
    )


def _greeting_default(project: Path, package: str) -> None:
    replace_once(project / f"src/{package}/app_settings.py", 'default="Hello"', 'default="Welcome"')
    replace_once(project / "tests/test_routes.py", '"Hello, world"', '"Welcome, world"')


def _runbook_path(project: Path) -> Path:
    # The runbook Keel renders at some tiers; a team without one starts its own.
    rendered = sorted(project.glob("docs/**/*runbook*.md"))
    return rendered[0] if rendered else project / "docs" / "runbook.md"


def _add_to_runbook(project: Path, _: str) -> None:
    path = _runbook_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write("\n## Claims backlog alarm\n\nDrain the queue with `make drain`.\n")


ROUTES = "src/{package}/routes.py"
APP_SETTINGS = "src/{package}/app_settings.py"
TEAM_NOTES = "\n## Team notes\n\nAsk #claims-ai before changing prompts.\n"
DRAIN_TARGET = "\n.PHONY: drain\ndrain: ## drain the claims queue\n\t@echo draining\n"
PROMPT_RULE = "/prompts/ @acme/prompt-reviewers\n"
EVAL_CASE = (
    '{"id": "claim-status", "input": "Where is claim C-1?", "expect": {"contains": ["C-1"]}}\n'
)


def _delete_catalog(project: Path, _: str) -> None:
    (project / "catalog-info.yaml").unlink()


def _catalog_still_deleted(project: Path, _: str) -> bool:
    return not (project / "catalog-info.yaml").exists()


def _runbook_kept(project: Path, _: str) -> bool:
    return "Claims backlog alarm" in _runbook_path(project).read_text()


EDITS = [
    Edit("route", _append(ROUTES, NEW_ROUTE), _contains(ROUTES, "claim_status")),
    Edit("route-test", _append("tests/test_routes.py", NEW_ROUTE_TEST),
         _contains("tests/test_routes.py", "test_claim_status")),
    Edit("dependency", _new_dependency, _contains("pyproject.toml", '"humanize>=4.9"')),
    Edit("setting-default", _greeting_default, _contains(APP_SETTINGS, 'default="Welcome"')),
    Edit("readme", _append("README.md", TEAM_NOTES), _contains("README.md", TEAM_NOTES)),
    Edit("runbook", _add_to_runbook, _runbook_kept),
    Edit("makefile-target", _append("Makefile", DRAIN_TARGET), _contains("Makefile", DRAIN_TARGET)),
    Edit("codeowners-rule", _append(".github/CODEOWNERS", PROMPT_RULE),
         _contains(".github/CODEOWNERS", PROMPT_RULE)),
    Edit("gitignore", _append(".gitignore", "scratch/\n"), _contains(".gitignore", "scratch/\n")),
    Edit("eval-case", _append("evals/golden.jsonl", EVAL_CASE),
         _contains("evals/golden.jsonl", EVAL_CASE)),
    Edit("deleted-catalog", _delete_catalog, _catalog_still_deleted),
]  # fmt: skip


def apply_edits(project: Path, package: str) -> None:
    for edit in EDITS:
        edit.apply(project, package)
    commit_all(project, "Team changes")


def lost_edits(project: Path, package: str) -> list[str]:
    return [edit.name for edit in EDITS if not edit.survived(project, package)]


def assert_updated_cleanly(project: Path, ref: str) -> None:
    assert stored_answers(project)["_commit"] == ref
    assert conflict_leftovers(project) == []
    assert (project / ".github" / "workflows" / "template-update.yml").is_file()
    assert "conflicts:" in (project / "Makefile").read_text()


# --- The matrix. -------------------------------------------------------------------------------

ANSWER_SETS = {
    "internal-defaults": answers_with(),
    "public-postgres-redis-openai-anthropic": answers_with(
        data_sensitivity="public",
        integrations=["postgres", "redis"],
        llm_providers=["openai", "anthropic"],
    ),
    "confidential-rabbitmq-s3-cloud-providers": answers_with(
        data_sensitivity="confidential",
        integrations=["rabbitmq", "s3"],
        llm_providers=["azure_openai", "aws_bedrock"],
        lifecycle="production",
    ),
    "restricted-pgvector-self-hosted-py313": answers_with(
        data_sensitivity="restricted",
        python_version="3.13",
        integrations=["postgres", "pgvector"],
        llm_providers=["openai_compatible"],
    ),
}
EARLIER_RELEASES = ("v0.1.0", *PAST_RELEASES)
SCENARIOS = len(EARLIER_RELEASES) * len(ANSWER_SETS) * len(EDITS)


@pytest.mark.parametrize("name", list(ANSWER_SETS))
@pytest.mark.parametrize("earlier", EARLIER_RELEASES)
def test_update_keeps_every_user_edit(
    releases: Path, tmp_path: Path, earlier: str, name: str
) -> None:
    answers = ANSWER_SETS[name]
    project = copy_project(releases, tmp_path / "service", earlier, answers)
    apply_edits(project, answers["package_name"])
    update_project(project, "v0.2.0")
    assert_updated_cleanly(project, "v0.2.0")
    assert lost_edits(project, answers["package_name"]) == []
    stored = stored_answers(project)
    assert {k: stored.get(k) for k in answers} == answers


def test_check_update_reports_the_newer_release(releases: Path, tmp_path: Path) -> None:
    """The fields the template-update workflow reads from `copier check-update`."""
    project = copy_project(releases, tmp_path / "service", "v0.1.0", answers_with())
    report = json.loads(copier("check-update", "--output-format", "json", cwd=project).stdout)
    assert report["update_available"] is True
    assert report["latest_version"] == "0.2.0"


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_a_conflicting_edit_is_refused_by_the_project_checks(
    releases: Path, tmp_path: Path, mode: str
) -> None:
    project = copy_project(releases, tmp_path / "service", "v0.1.0", answers_with())
    replace_once(
        project / "README.md",
        "This project was generated from the Keel template.",
        "This service was cut from the Keel template in 2026.",
    )
    commit_all(project, "Reword the README")
    result = update_project(project, "v0.2.0", "--conflict", mode)
    assert result.returncode == 0, "copier update is expected to exit 0 despite conflicts"
    leftovers = conflict_leftovers(project)
    assert leftovers == (["README.md"] if mode == "inline" else ["README.md.rej"])
    refused = sh("make", "conflicts", cwd=project, check=False)
    assert refused.returncode != 0
    assert leftovers[0] in refused.stdout


def _integration_files_follow(project: Path, answers: dict[str, Any]) -> None:
    files = rendered_files(project)
    for path, wanted in conditional_paths(answers).items():
        present = any(f == path or f.startswith(path + "/") for f in files)
        assert present == wanted, f"{path}: expected {'present' if wanted else 'absent'}"


@pytest.mark.deep
def test_update_then_answer_change_stays_green(releases: Path, tmp_path: Path) -> None:
    """The deep case: update, then add an integration and raise the tier, then `make check`."""
    answers = answers_with(integrations=["postgres"])
    package = answers["package_name"]
    project = copy_project(releases, tmp_path / "service", "v0.1.0", answers)
    sh("uv", "lock", "--quiet", cwd=project)
    commit_all(project, "Lock dependencies")
    apply_edits(project, package)
    sh("uv", "lock", "--quiet", cwd=project)
    commit_all(project, "Lock the new dependency")

    update_project(project, "v0.2.0")
    assert_updated_cleanly(project, "v0.2.0")
    commit_all(project, "Update from Keel v0.2.0")

    changed = {
        **answers,
        "integrations": ["redis"],
        "data_sensitivity": "confidential",
        "data_steward": "@acme/security-reviewers",
    }
    update_project(
        project, "v0.2.0",
        "--data", "integrations=[redis]",
        "--data", "data_sensitivity=confidential",
        "--data", "data_steward=@acme/security-reviewers",
    )  # fmt: skip
    stored = stored_answers(project)
    assert (stored["integrations"], stored["data_sensitivity"]) == (["redis"], "confidential")
    assert conflict_leftovers(project) == []
    assert lost_edits(project, package) == []
    _integration_files_follow(project, changed)
    readme = (project / "README.md").read_text()
    assert "| Data sensitivity | **confidential** |" in readme
    assert "| Integrations | redis |" in readme

    sh("uv", "lock", "--quiet", cwd=project)
    result = sh("make", "check", cwd=project, check=False, env=own_pytest_temp(project))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
