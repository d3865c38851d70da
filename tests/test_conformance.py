"""The fleet conformance checker: fresh projects pass every check, and each broken fixture
(one defect each) fails exactly the check that names the defect."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from keel_conformance.checks import CHECKS
from repo_review.processor import process

from .conformance_reference import PAGE, POLICY, POLICY_COPY, render_page
from .lifecycle import copy_project, keel_releases, replace_once, sh, stored_answers
from .support import answers_with

pytestmark = pytest.mark.xdist_group("conformance")

FRESH = {
    "internal-defaults": answers_with(),
    "restricted-everything": answers_with(
        data_sensitivity="restricted",
        integrations=["postgres", "redis", "rabbitmq", "pgvector", "s3"],
        llm_providers=["openai_compatible"],
    ),
}


@pytest.fixture(scope="module")
def fresh(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects generated from a tagged release, as teams get them."""
    root = tmp_path_factory.mktemp("conformance")
    releases = keel_releases(template, root)
    return {
        name: copy_project(releases, root / name, "v0.2.0", answers)
        for name, answers in FRESH.items()
    }


def results(project: Path) -> dict[str, bool | None]:
    return {r.name: r.result for r in process(project).results}


@pytest.mark.parametrize("name", list(FRESH))
def test_a_fresh_project_passes_every_check(fresh: dict[str, Path], name: str) -> None:
    outcome = results(fresh[name])
    assert set(outcome) == {check.__name__ for check in CHECKS}
    assert {k: v for k, v in outcome.items() if v is not True} == {}


Breakage = Callable[[Path], None]


def _delete(relative: str) -> Breakage:
    return lambda project: (project / relative).unlink()


def _replace(relative: str, old: str, new: str) -> Breakage:
    return lambda project: replace_once(project / relative, old, new)


def _append(relative: str, text: str) -> Breakage:
    def append(project: Path) -> None:
        with (project / relative).open("a") as handle:
            handle.write(text)

    return append


def _old_release(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(re.sub(r"(?m)^_commit: .*$", "_commit: v0.0.9", answers.read_text()))


def _unpin_checkout(project: Path) -> None:
    workflow = project / ".github" / "workflows" / "ci.yml"
    text = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", workflow.read_text())
    workflow.write_text(text)


def _unregister(integration: str) -> Breakage:
    def unregister(project: Path) -> None:
        lifespan = project / "src/claims_assistant/integrations/lifespan.py"
        kept = [line for line in lifespan.read_text().splitlines(keepends=True)
                if f'register(registry, "{integration}"' not in line]  # fmt: skip
        assert len(kept) == len(lifespan.read_text().splitlines()) - 1
        lifespan.write_text("".join(kept))

    return unregister


def _emptied(relative: str) -> Breakage:
    def empty(project: Path) -> None:
        (project / relative).write_text("\n")

    return empty


BROKEN = [
    pytest.param(_delete(".copier-answers.yml"), "KEEL101", id="KEEL101-no-answers-file"),
    pytest.param(_old_release, "KEEL102", id="KEEL102-unsupported-release"),
    pytest.param(_delete("OWNERSHIP.md"), "KEEL201", id="KEEL201-no-ownership-doc"),
    pytest.param(
        _replace("catalog-info.yaml", "group:claims-ai", "group:someone-else"),
        "KEEL202",
        id="KEEL202-owners-disagree",
    ),
    pytest.param(
        _delete("src/claims_assistant/app_settings.py"), "KEEL203", id="KEEL203-no-app-settings"
    ),
    pytest.param(_unpin_checkout, "KEEL301", id="KEEL301-unpinned-action"),
    pytest.param(
        _replace(".github/workflows/ci.yml", "permissions: {}\n", "permissions: write-all\n"),
        "KEEL302",
        id="KEEL302-write-all",
    ),
    pytest.param(
        _delete(".github/workflows/template-update.yml"), "KEEL303", id="KEEL303-no-update-pr"
    ),
    pytest.param(
        _append("src/claims_assistant/app_settings.py", "\n    partner_api_key: str = ''\n"),
        "KEEL401",
        id="KEEL401-plain-secret",
    ),
    pytest.param(
        _append("README.md", "<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after\n"),
        "KEEL501",
        id="KEEL501-conflict-markers",
    ),
    pytest.param(_append("pyproject.toml.rej", "@@ -1 +1 @@\n"), "KEEL501", id="KEEL501-rej"),
    pytest.param(
        _replace("Makefile", "check: conflicts ", "check: "), "KEEL502", id="KEEL502-no-conflicts"
    ),
    pytest.param(_delete(".github/workflows/security.yml"), "KEEL601", id="KEEL601-no-codeql"),
    pytest.param(_delete(".secrets.baseline"), "KEEL602", id="KEEL602-no-baseline"),
    pytest.param(_unregister("redis"), "KEEL603", id="KEEL603-redis-not-in-readiness"),
    pytest.param(_delete("docs/threat-model.md"), "KEEL604", id="KEEL604-no-threat-model"),
    pytest.param(_emptied("docs/data-handling.md"), "KEEL604", id="KEEL604-empty-data-handling"),
]
# Fixtures that need integrations or a higher tier start from the everything-on project.
STARTS_FROM = {"KEEL603-redis-not-in-readiness": "restricted-everything",
               "KEEL604-empty-data-handling": "restricted-everything"}  # fmt: skip


@pytest.mark.parametrize(("breakage", "check"), BROKEN)
def test_a_broken_project_fails_exactly_the_check_naming_the_defect(
    fresh: dict[str, Path],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    breakage: Breakage,
    check: str,
) -> None:
    case = request.node.callspec.id
    project = tmp_path / "broken"
    shutil.copytree(fresh[STARTS_FROM.get(case, "internal-defaults")], project)
    breakage(project)
    outcome = results(project)
    assert {name for name, passed in outcome.items() if passed is False} == {check}


@pytest.mark.parametrize(
    ("start", "breakage", "check", "message"),
    [
        pytest.param(
            "restricted-everything", _unregister("redis"), "KEEL603",
            "`src/claims_assistant/integrations/lifespan.py` registers no readiness check for "
            "`redis`.",
            id="KEEL603",
        ),
        pytest.param(
            "internal-defaults", _delete("docs/threat-model.md"), "KEEL604",
            "Required by the tier but missing or empty: `docs/threat-model.md` (threat_model).",
            id="KEEL604",
        ),
    ],
)  # fmt: skip
def test_the_tier_checks_name_what_is_missing(
    fresh: dict[str, Path], tmp_path: Path, start: str, breakage: Breakage, check: str,
    message: str,
) -> None:  # fmt: skip
    project = tmp_path / "broken"
    shutil.copytree(fresh[start], project)
    breakage(project)
    failed = {r.name: r.err_msg for r in process(project).results if r.result is False}
    assert failed == {check: message}


def test_every_check_is_broken_by_some_fixture() -> None:
    broken = {param.values[1] for param in BROKEN}
    assert broken == {check.__name__ for check in CHECKS}


def test_make_conformance_runs_the_checker_and_fails_on_a_defect(
    fresh: dict[str, Path], tmp_path: Path
) -> None:
    # Offline: point the target at the checker installed with the template's tools.
    checker = f"KEEL_CONFORMANCE={Path(sys.executable).parent / 'repo-review'}"
    passed = sh("make", "conformance", checker, cwd=fresh["internal-defaults"], check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "KEEL101" in passed.stdout
    project = tmp_path / "broken"
    shutil.copytree(fresh["internal-defaults"], project)
    _unpin_checkout(project)
    failed = sh("make", "conformance", checker, cwd=project, check=False)
    assert failed.returncode != 0
    assert "KEEL301" in failed.stdout


def test_make_conformance_installs_the_checker_from_a_local_template_folder(
    fresh: dict[str, Path],
) -> None:
    """A project generated from a template folder (not a git URL) runs the folder's checker."""
    project = fresh["internal-defaults"]
    assert not stored_answers(project)["_src_path"].startswith(("gh:", "gl:", "http", "git"))
    result = sh("make", "conformance", cwd=project, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "/conformance" in result.stdout.splitlines()[0]
    assert "KEEL604" in result.stdout


def test_each_check_has_an_id_a_one_line_rule_and_a_docs_anchor() -> None:
    page = PAGE.read_text()
    for check in CHECKS:
        assert re.fullmatch(r"KEEL[1-6]\d\d", check.__name__)
        assert "\n" not in (check.__doc__ or "").strip()
        assert f"### {check.__name__}\n" in page
        assert check().url.endswith(f"#{check.__name__.lower()}")


def test_conformance_reference_and_policy_copy_are_current() -> None:
    assert PAGE.read_text() == render_page(), "run: python3 dev.py docs-reference"
    assert POLICY_COPY.read_text() == POLICY.read_text(), "run: python3 dev.py docs-reference"
