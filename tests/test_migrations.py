"""Answer migrations: a renamed choice is carried over, a removed one stops the update loudly.

The releases under test: v0.1.0 is this template with one extra `lifecycle` choice, `beta`;
v0.2.0 is this template, which no longer offers it. A project born at v0.1.0 with `beta` must
either be migrated by an entry in hooks/migrations.yml or be refused with the reason; Copier on
its own would quietly store the default instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hooks import migrate_answers

from .lifecycle import (
    build_template_repo,
    copy_project,
    git,
    replace_once,
    stored_answers,
    update_project,
)
from .support import REPO_ROOT, answers_with

pytestmark = pytest.mark.xdist_group("migrations")

BETA_REMAP = {"release": "v0.2.0", "why": "beta became experimental", "remap_choices": {
    "lifecycle": {"beta": "experimental"}}}  # fmt: skip


def _offer_beta(repo: Path) -> None:
    replace_once(
        repo / "copier.yml",
        "    experimental: experimental\n",
        "    experimental: experimental\n    beta: beta\n",
    )


def _with_migrations(*entries: dict[str, Any]) -> Any:
    def mutate(repo: Path) -> None:
        (repo / "hooks" / "migrations.yml").write_text(
            yaml.safe_dump({"migrations": list(entries)})
        )

    return mutate


def _beta_project(tmp_path: Path, template: Path, *entries: dict[str, Any]) -> Path:
    repo = build_template_repo(
        tmp_path / "keel",
        template,
        [("v0.1.0", _offer_beta), ("v0.2.0", _with_migrations(*entries) if entries else None)],
    )
    project = copy_project(repo, tmp_path / "service", "v0.1.0", answers_with(lifecycle="beta"))
    assert stored_answers(project)["lifecycle"] == "beta"
    return project


def test_a_remapped_choice_is_carried_into_the_new_release(tmp_path: Path, template: Path) -> None:
    project = _beta_project(tmp_path, template, BETA_REMAP)
    update_project(project, "v0.2.0")
    answers = stored_answers(project)
    assert answers["lifecycle"] == "experimental"
    assert answers["_commit"] == "v0.2.0"
    catalog = yaml.safe_load((project / "catalog-info.yaml").read_text())
    assert catalog["spec"]["lifecycle"] == "experimental"


def test_a_removed_choice_without_a_remap_stops_the_update_and_changes_nothing(
    tmp_path: Path, template: Path
) -> None:
    project = _beta_project(tmp_path, template)
    result = update_project(project, "v0.2.0", check=False)
    assert result.returncode != 0
    assert "answer lifecycle='beta' is no longer a choice" in result.stderr
    assert "--data lifecycle=<choice>" in result.stderr
    assert git("status", "--porcelain", cwd=project).stdout == ""
    assert stored_answers(project)["_commit"] == "v0.1.0"


def test_an_explicit_answer_resolves_a_removed_choice(tmp_path: Path, template: Path) -> None:
    project = _beta_project(tmp_path, template)
    update_project(project, "v0.2.0", "--data", "lifecycle=production")
    assert stored_answers(project)["lifecycle"] == "production"


# The hook's rules, without Copier around them.

QUESTIONS = migrate_answers.load_questions(REPO_ROOT)


def test_renames_and_multiselect_remaps_apply_in_order() -> None:
    self_hosted = {"vllm": "openai_compatible", "ollama": "openai_compatible"}
    migrations: list[dict[str, Any]] = [
        {"rename_questions": {"team": "owner_team"}},
        {"remap_choices": {"llm_providers": self_hosted}},
    ]
    old = {"team": "@acme/a", "llm_providers": ["vllm", "ollama", "openai"]}
    migrated = migrate_answers.apply_migrations(old, migrations)
    assert migrated == {"owner_team": "@acme/a", "llm_providers": ["openai_compatible", "openai"]}
    assert migrate_answers.apply_migrations(migrated, migrations) == migrated


def test_every_problem_is_named_at_once() -> None:
    answers = answers_with(lifecycle="beta", llm_providers=["openai", "vllm"], team="@acme/a")
    problems = migrate_answers.problems_with(answers, QUESTIONS, given=set())
    assert len(problems) == 3, problems
    assert any("lifecycle='beta'" in p for p in problems)
    assert any("llm_providers='vllm'" in p for p in problems)
    assert any("answer 'team'" in p and "no longer asks it" in p for p in problems)


def test_current_answers_pass_and_are_not_rewritten(tmp_path: Path) -> None:
    answers_file = tmp_path / ".copier-answers.yml"
    answers_file.write_text("# header\n" + yaml.safe_dump(answers_with()))
    before = answers_file.read_text()
    assert migrate_answers.migrate(answers_file, REPO_ROOT, given=set()) is False
    assert answers_file.read_text() == before


def test_the_shipped_migrations_file_is_valid() -> None:
    entries = migrate_answers.load_migrations()
    assert migrate_answers.entry_problems(entries, QUESTIONS) == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        pytest.param(
            {"why": "x", "remap_choices": {}}, "needs 'release' and 'why'", id="no-release"
        ),
        pytest.param({**BETA_REMAP, "rename": {}}, "unknown key 'rename'", id="unknown-key"),
        pytest.param(
            {**BETA_REMAP, "remap_choices": {"lifecycle": {"beta": "gamma"}}},
            "remaps lifecycle to 'gamma', which is not a choice",
            id="remap-to-nothing",
        ),
    ],
)
def test_a_malformed_migration_entry_is_named(entry: dict[str, Any], problem: str) -> None:
    problems = migrate_answers.entry_problems([entry], QUESTIONS)
    assert any(problem in p for p in problems), problems
