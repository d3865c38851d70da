"""What the customisation how-tos promise platform teams, tested the way they would do it.

- A fork that edits only data (a new tier, a provider removed, a control tightened) generates
  projects that obey the edited policy.
- Organisation defaults reach a project's answers without editing the template, both from a
  data file (`--data-file`) and from Copier's user settings, which can also trust Keel.
- An organisation overlay template, applied on top of Keel with its own answers file, and Keel
  update independently of each other.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from .lifecycle import (
    build_template_repo,
    commit_all,
    copier,
    copy_project,
    keel_releases,
    replace_once,
    stored_answers,
    update_project,
)
from .support import answers_with, render

pytestmark = pytest.mark.xdist_group("customisation")

# --- A fork with its own policy. -------------------------------------------------------------


def fork_with_policy(template: Path, destination: Path) -> Path:
    """What docs/how-to/edit-the-policy.md tells a platform team to do, done to a copy."""
    shutil.copytree(template, destination)
    policy_file = destination / "policy.yml"
    document = yaml.safe_load(policy_file.read_text())
    tiers = document["keel_policy"]["default"]["tiers"]
    tiers["internal"]["llm_providers"].remove("openai")  # provider removed
    tiers["public"]["codeql"] = True  # control tightened
    tiers["public"]["ci_blocking"] = [*tiers["public"]["ci_blocking"], "codeql"]
    sovereign = copy.deepcopy(tiers["restricted"])  # a new, strictest tier
    sovereign["summary"] = "Data that must stay in the country and on our own hardware."
    sovereign["retention_days"] = {"logs": 90, "audit": 3650}
    tiers["sovereign"] = sovereign
    policy_file.write_text(yaml.safe_dump(document, sort_keys=False))
    replace_once(
        destination / "copier.yml",
        '    "restricted: regulated or special-category data": restricted\n',
        '    "restricted: regulated or special-category data": restricted\n'
        '    "sovereign: must stay in-country, self-hosted only": sovereign\n',
    )
    return destination


@pytest.fixture(scope="module")
def fork(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fork_with_policy(template, tmp_path_factory.mktemp("fork") / "keel")


def test_fork_refuses_a_provider_its_policy_removed(fork: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="may not use LLM provider 'openai'"):
        render(fork, tmp_path / "service", answers_with(llm_providers=["openai"]))
    render(fork, tmp_path / "allowed", answers_with(llm_providers=["anthropic"]))


def test_fork_applies_a_tightened_control(fork: Path, template: Path, tmp_path: Path) -> None:
    public = answers_with(data_sensitivity="public")
    upstream = render(template, tmp_path / "upstream", public)
    forked = render(fork, tmp_path / "forked", public)
    workflows = "\n".join(p.read_text() for p in (forked / ".github" / "workflows").glob("*.yml"))
    assert "github/codeql-action/analyze" in workflows
    upstream_workflows = (upstream / ".github" / "workflows").glob("*.yml")
    assert not any("github/codeql-action" in p.read_text() for p in upstream_workflows)


def test_fork_offers_its_new_tier_with_that_tiers_rules(fork: Path, tmp_path: Path) -> None:
    sovereign = answers_with(data_sensitivity="sovereign", llm_providers=["openai_compatible"])
    project = render(fork, tmp_path / "service", sovereign)
    assert stored_answers(project)["data_sensitivity"] == "sovereign"
    assert "| Data sensitivity | **sovereign** |" in (project / "README.md").read_text()
    with pytest.raises(ValueError, match="Tier 'sovereign' may not use LLM provider 'anthropic'"):
        render(fork, tmp_path / "refused", {**sovereign, "llm_providers": ["anthropic"]})


# --- Organisation defaults without editing the template. -------------------------------------

ORG_DEFAULTS = {
    "owner_team": "@globex/platform",
    "team_email": "platform@globex.example",
    "oncall": "opsgenie:globex-platform",
    "escalation_contact": "cto@globex.example",
    "support_channel": "#globex-help",
    "python_version": "3.13",
}
TEAM_ANSWERS = {
    "project_name": "Invoice Reader",
    "description": "Reads supplier invoices.",
    "support_channel": "#invoices",  # the team's own answer beats the organisation default
}


def _team_answers(tmp_path: Path) -> Path:
    """Everything the organisation does not default, as a team would answer it."""
    derived = {"project_slug", "package_name"}  # computed from the new project_name
    answers = {k: v for k, v in answers_with().items() if k not in {*ORG_DEFAULTS, *derived}}
    path = tmp_path / "team.yml"
    path.write_text(yaml.safe_dump({**answers, **TEAM_ANSWERS}))
    return path


def test_org_defaults_from_copier_settings_reach_the_answers(
    template: Path, tmp_path: Path
) -> None:
    repo = build_template_repo(tmp_path / "keel", template, [("v1.0.0", None)])
    settings = tmp_path / "copier-settings.yml"
    settings.write_text(yaml.safe_dump({"defaults": ORG_DEFAULTS, "trust": [str(repo)]}))
    project = tmp_path / "service"
    copier(
        "copy", "--quiet", "--defaults", "--data-file", str(_team_answers(tmp_path)),
        str(repo), str(project),
        cwd=tmp_path, env={"COPIER_SETTINGS_PATH": str(settings)},
    )  # fmt: skip
    answers = stored_answers(project)
    expected: dict[str, Any] = {**ORG_DEFAULTS, **TEAM_ANSWERS}
    assert {k: answers[k] for k in expected} == expected
    assert answers["project_slug"] == "invoice-reader"


def test_org_defaults_from_a_data_file_reach_the_answers(template: Path, tmp_path: Path) -> None:
    org_file = tmp_path / "globex.yml"
    org_file.write_text(yaml.safe_dump({**answers_with(), **ORG_DEFAULTS}))
    project = tmp_path / "service"
    copier(
        "copy", "--quiet", "--defaults", "--data-file", str(org_file),
        str(template), str(project), cwd=tmp_path,
    )  # fmt: skip
    answers = stored_answers(project)
    assert answers["owner_team"] == "@globex/platform"
    assert answers["python_version"] == "3.13"
    assert (project / ".python-version").read_text().strip() == "3.13"


# --- An organisation overlay on top of Keel. -------------------------------------------------

OVERLAY_ANSWERS_FILE = ".copier-answers.globex.yml"


def _overlay_release(text: str) -> Any:
    def write(repo: Path) -> None:
        (repo / "copier.yml").write_text(
            yaml.safe_dump(
                {
                    "_answers_file": OVERLAY_ANSWERS_FILE,
                    "_external_data": {"keel": ".copier-answers.yml"},
                    "cost_centre": {
                        "type": "str",
                        "help": "Finance cost centre (CC-1234)",
                        "validator": "{% if not (cost_centre | regex_search('^CC-[0-9]{4}$')) %}"
                        "cost_centre must look like CC-1234{% endif %}",
                    },
                }
            )
        )
        (repo / "{{_copier_conf.answers_file}}.jinja").write_text(
            "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}"
        )
        docs = repo / "docs" / "globex"
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "support.md.jinja").write_text(
            "# Globex support\n\n"
            "Service owner: {{ _external_data.keel.owner_team }} (cost centre {{ cost_centre }}).\n"
            f"{text}\n"
        )

    return write


def test_an_overlay_and_keel_update_independently(template: Path, tmp_path: Path) -> None:
    keel = keel_releases(template, tmp_path / "keel-releases")
    overlay = build_template_repo(
        tmp_path / "globex-overlay",
        template=_empty_folder(tmp_path / "empty"),
        releases=[
            ("v1.0.0", _overlay_release("Page #globex-help.")),
            ("v1.1.0", _overlay_release("Page #globex-help, then call the duty manager.")),
        ],
    )
    project = copy_project(keel, tmp_path / "service", "v0.1.0", answers_with())
    copier(
        "copy", "--quiet", "--defaults", "--trust", "--vcs-ref", "v1.0.0",
        "--data", "cost_centre=CC-0042", str(overlay), str(project), cwd=tmp_path,
    )  # fmt: skip
    support = project / "docs" / "globex" / "support.md"
    assert "Service owner: @acme/claims-ai (cost centre CC-0042)." in support.read_text()
    commit_all(project, "Apply the Globex overlay")
    overlay_answers = (project / OVERLAY_ANSWERS_FILE).read_text()

    update_project(project, "v0.2.0")  # Keel moves; the overlay's files and answers stay
    assert stored_answers(project)["_commit"] == "v0.2.0"
    assert (project / OVERLAY_ANSWERS_FILE).read_text() == overlay_answers
    assert "then call the duty manager" not in support.read_text()
    commit_all(project, "Update Keel")
    keel_answers = (project / ".copier-answers.yml").read_text()

    update_project(project, "v1.1.0", "--answers-file", OVERLAY_ANSWERS_FILE)  # the overlay moves
    assert "then call the duty manager" in support.read_text()
    overlay_state = yaml.safe_load((project / OVERLAY_ANSWERS_FILE).read_text())
    assert (overlay_state["_commit"], overlay_state["cost_centre"]) == ("v1.1.0", "CC-0042")
    assert (project / ".copier-answers.yml").read_text() == keel_answers


def _empty_folder(path: Path) -> Path:
    path.mkdir()
    return path
