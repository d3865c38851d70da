"""Every generated file has exactly one declared owner, and Copier behaves as declared.

The render matrix (test_render.py) checks that each rendered file is declared; this module checks
the declarations themselves: none is stale, the user-owned list is what Copier skips, the
reference page is current, and the generated project refuses leftovers of a conflicted update.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from copier._template import load_template_config

from .file_ownership import PAGE, declarations, ownership_problems, raw_ownership, render_page
from .lifecycle import git, sh
from .support import REPO_ROOT, answers_with, render, rendered_files

pytestmark = pytest.mark.xdist_group("file-ownership")

# Between them these renders produce every conditional file: all integrations and providers
# (allowed at public), the strictest tier's controls, and the plain default.
COVERING_ANSWERS = {
    "everything-public": answers_with(
        data_sensitivity="public",
        integrations=["postgres", "redis", "rabbitmq", "pgvector", "s3"],
        llm_providers=["openai", "anthropic", "azure_openai", "aws_bedrock", "openai_compatible"],
    ),
    "everything-restricted": answers_with(
        data_sensitivity="restricted",
        integrations=["postgres", "redis", "rabbitmq", "pgvector", "s3"],
        llm_providers=["openai_compatible"],
    ),
    "defaults": answers_with(),
}


@pytest.fixture(scope="module")
def covering_projects(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        name: render(template, tmp_path_factory.mktemp(name) / "project", answers)
        for name, answers in COVERING_ANSWERS.items()
    }


def test_every_declaration_matches_some_generated_file(covering_projects: dict[str, Path]) -> None:
    files = set().union(*(rendered_files(p) for p in covering_projects.values()))
    stale = [d.pattern for d in declarations() if not any(d.matches(f) for f in files)]
    assert stale == [], f"includes/file-ownership.yml declares paths nothing generates: {stale}"


def test_covering_projects_declare_every_file(covering_projects: dict[str, Path]) -> None:
    for project in covering_projects.values():
        assert ownership_problems(rendered_files(project)) == []


def test_an_undeclared_file_is_reported_by_name() -> None:
    problems = ownership_problems(["src/claims_assistant/new_module.py", "Makefile"])
    assert len(problems) == 1
    assert problems[0].startswith("src/claims_assistant/new_module.py: not declared")
    assert "includes/file-ownership.yml" in problems[0]


def test_user_owned_files_are_exactly_what_copier_skips_on_update() -> None:
    config = load_template_config(REPO_ROOT / "copier.yml")
    user_owned = raw_ownership()["keel_file_ownership"]["default"]["user_owned"]
    assert config["_skip_if_exists"] == user_owned, (
        "declare user-owned files in includes/file-ownership.yml, not in copier.yml"
    )


def test_team_settings_and_routes_are_user_owned_and_keel_settings_are_not() -> None:
    owners = {d.pattern: d.owner for d in declarations()}
    assert owners["src/*/app_settings.py"] == "user_owned"
    assert owners["src/*/routes.py"] == "user_owned"
    assert owners["tests/test_routes.py"] == "user_owned"
    assert owners["src/*/settings.py"] == "template_managed"


def test_files_reference_matches_the_ownership_file() -> None:
    assert PAGE.read_text() == render_page(), "run: python3 dev.py docs-reference"


def test_copier_runs_no_task_on_update_and_only_the_answer_migration() -> None:
    config = load_template_config(REPO_ROOT / "copier.yml")
    for task in config.get("_tasks", []):
        assert isinstance(task, dict), f"task {task!r} would run on every update"
        assert "_copier_operation == 'copy'" in str(task.get("when")), task
    migrations = config["_migrations"]
    assert len(migrations) == 1
    assert "hooks/migrate_answers.py" in " ".join(migrations[0]["command"])
    assert migrations[0]["when"] == "{{ _stage == 'before' }}"


@pytest.mark.parametrize(
    ("leftover", "content"),
    [
        pytest.param("README.md", "<<<<<<< before updating\nmine\n=======\n", id="marker-start"),
        pytest.param("tests/conftest.py", "\n>>>>>>> after updating\n", id="marker-end"),
        pytest.param("src/settings.py.rej", "@@ -1 +1 @@\n", id="rej-file"),
    ],
)
def test_make_conflicts_refuses_leftovers_of_an_update(
    covering_projects: dict[str, Path], tmp_path: Path, leftover: str, content: str
) -> None:
    project = tmp_path / "project"
    sh("cp", "-a", str(covering_projects["defaults"]), str(project), cwd=tmp_path)
    assert sh("make", "conflicts", cwd=project, check=False).returncode == 0
    target = project / leftover
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a") as handle:
        handle.write(content)
    refused = sh("make", "conflicts", cwd=project, check=False)
    assert refused.returncode != 0
    assert leftover in refused.stdout
    assert "Unresolved conflicts" in refused.stderr
    # The pre-commit hooks refuse the same leftovers before they can be committed.
    git("init", "--quiet", cwd=project)
    git("add", "--all", cwd=project)
    hook = "conflict-rejects" if leftover.endswith(".rej") else "conflict-markers"
    committed = sh(
        sys.executable, "-m", "pre_commit", "run", hook, "--all-files", cwd=project, check=False
    )
    assert committed.returncode != 0, committed.stdout
    assert leftover in committed.stdout


def test_make_check_runs_the_conflict_check_first(covering_projects: dict[str, Path]) -> None:
    makefile = (covering_projects["defaults"] / "Makefile").read_text().splitlines()
    check = next(line for line in makefile if line.startswith("check:"))
    assert check.split(":", 1)[1].split()[0] == "conflicts"


def test_keel_dependencies_end_with_the_same_comment_line_for_every_answer_set(
    covering_projects: dict[str, Path],
) -> None:
    """`uv add` appends below it, so answer changes above it never touch a team's lines."""
    for name, project in covering_projects.items():
        pyproject = (project / "pyproject.toml").read_text()
        dependencies = pyproject.split("dependencies = [\n", 1)[1].split("\n]", 1)[0]
        last = dependencies.splitlines()[-1]
        assert (
            last == "    # Keel's dependencies end here: `uv add` appends yours below this line."
        ), name
