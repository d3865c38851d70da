"""The questionnaire: the question set, and every bad answer refused with its exact message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import REPO_ROOT, answers_with, policy, render

ASKED = [
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "python_version",
    "owner_team",
    "team_email",
    "oncall",
    "escalation_contact",
    "support_channel",
    "lifecycle",
    "system",
    "support_hours",
    "dashboard_url",
    "data_sensitivity",
    "data_steward",
    "integrations",
    "llm_providers",
    "automation_level",
    "container_registry",
]


def _copier_documents() -> list[dict[str, Any]]:
    class Loader(yaml.SafeLoader):
        pass

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        assert isinstance(node, yaml.ScalarNode)
        target = REPO_ROOT / loader.construct_scalar(node)
        # A mistyped !include is silently ignored by Copier: fail here instead.
        assert target.is_file(), f"copier.yml includes a missing file: {target}"
        loaded = yaml.safe_load(target.read_text())
        assert isinstance(loaded, dict)
        return loaded

    Loader.add_constructor("!include", include)
    text = (REPO_ROOT / "copier.yml").read_text()
    return [d for d in yaml.load_all(text, Loader=Loader) if d]


def questions() -> dict[str, dict[str, Any]]:
    merged: dict[str, Any] = {}
    for document in _copier_documents():
        merged.update(document)
    return {k: v for k, v in merged.items() if not k.startswith("_")}


def test_every_include_resolves_and_the_asked_questions_are_complete() -> None:
    asked = [name for name, spec in questions().items() if spec.get("when") is not False]
    assert asked == ASKED


def test_every_asked_question_has_help() -> None:
    missing = [
        n
        for n, spec in questions().items()
        if spec.get("when") is not False and not spec.get("help")
    ]
    assert missing == []


def test_computed_values_are_never_asked() -> None:
    computed = [n for n, spec in questions().items() if spec.get("when") is False]
    assert {"keel_policy", "github_actions", "python_reserved_names", "env_prefix"} <= set(computed)


def test_reserved_names_cover_this_interpreter() -> None:
    reserved = set(yaml.safe_load(questions()["python_reserved_names"]["default"]))
    current = {n for n in sys.stdlib_module_names if n == n.lower()}
    assert current <= reserved, sorted(current - reserved)


BAD_ANSWERS = [
    pytest.param(
        {"project_name": "  "}, "project_name", "project_name must not be empty.", id="blank-name"
    ),
    pytest.param(
        {"project_slug": "Claims_Assistant"},
        "project_slug",
        "project_slug 'Claims_Assistant' is not a DNS label: use 1-63 lowercase letters, digits "
        "and hyphens, starting with a letter and not ending with a hyphen.",
        id="slug-uppercase",
    ),
    pytest.param(
        {"project_slug": "claims-"},
        "project_slug",
        "project_slug 'claims-' is not a DNS label: use 1-63 lowercase letters, digits and "
        "hyphens, starting with a letter and not ending with a hyphen.",
        id="slug-trailing-hyphen",
    ),
    pytest.param(
        {"project_slug": "a" * 64},
        "project_slug",
        f"project_slug '{'a' * 64}' is not a DNS label: use 1-63 lowercase letters, digits and "
        "hyphens, starting with a letter and not ending with a hyphen.",
        id="slug-too-long",
    ),
    pytest.param(
        {"project_slug": "claims--assistant"},
        "project_slug",
        "project_slug 'claims--assistant' must not contain '--'.",
        id="slug-double-hyphen",
    ),
    pytest.param(
        {"package_name": "2fast"},
        "package_name",
        "package_name '2fast' is not a valid package name: use lowercase letters, digits and "
        "underscores, starting with a letter.",
        id="package-starts-with-digit",
    ),
    pytest.param(
        {"package_name": "claims-assistant"},
        "package_name",
        "package_name 'claims-assistant' is not a valid package name: use lowercase letters, "
        "digits and underscores, starting with a letter.",
        id="package-with-hyphen",
    ),
    pytest.param(
        {"package_name": "asyncio"},
        "package_name",
        "package_name 'asyncio' is a Python keyword or standard-library module; choose another "
        "name.",
        id="package-stdlib",
    ),
    pytest.param(
        {"package_name": "lambda"},
        "package_name",
        "package_name 'lambda' is a Python keyword or standard-library module; choose another "
        "name.",
        id="package-keyword",
    ),
    pytest.param(
        {"package_name": "fastapi"},
        "package_name",
        "package_name 'fastapi' would shadow a dependency of the generated project; choose another "
        "name.",
        id="package-shadows-dependency",
    ),
    pytest.param(
        {"description": ""}, "description", "description must not be empty.", id="blank-description"
    ),
    pytest.param(
        {"description": "x" * 201},
        "description",
        "description must be at most 200 characters.",
        id="long-description",
    ),
    pytest.param(
        {"owner_team": "claims-ai"},
        "owner_team",
        "owner_team 'claims-ai' is not a GitHub team handle: write it as @org/team-name.",
        id="team-without-org",
    ),
    pytest.param(
        {"owner_team": "@acme"},
        "owner_team",
        "owner_team '@acme' is not a GitHub team handle: write it as @org/team-name.",
        id="team-is-a-user",
    ),
    pytest.param(
        {"team_email": "claims-ai"},
        "team_email",
        "team_email 'claims-ai' is not an email address.",
        id="email-without-domain",
    ),
    pytest.param(
        {"oncall": "call Bob"},
        "oncall",
        "oncall 'call Bob' is not a paging reference: use pagerduty:<service-id>, opsgenie:<team> "
        "or an https:// URL.",
        id="oncall-free-text",
    ),
    pytest.param(
        {"escalation_contact": "Bob"},
        "escalation_contact",
        "escalation_contact 'Bob' must be an email address or a GitHub @handle.",
        id="escalation-free-text",
    ),
    pytest.param(
        {"support_channel": "claims"},
        "support_channel",
        "support_channel 'claims' must be a #channel name or an https:// URL.",
        id="support-without-hash",
    ),
    pytest.param(
        {"data_sensitivity": "confidential", "data_steward": "security team"},
        "data_steward",
        "data_steward 'security team' must be a GitHub @user or @org/team handle; tier "
        "'confidential' requires one.",
        id="steward-not-a-handle",
    ),
    pytest.param(
        {"data_sensitivity": "restricted", "llm_providers": ["openai_compatible", "openai"]},
        "llm_providers",
        "Tier 'restricted' may not use LLM provider 'openai' (policy.yml); allowed: "
        "openai_compatible.",
        id="restricted-refuses-openai",
    ),
    pytest.param(
        {"data_sensitivity": "confidential", "llm_providers": ["anthropic"]},
        "llm_providers",
        "Tier 'confidential' may not use LLM provider 'anthropic' (policy.yml); allowed: "
        "azure_openai, aws_bedrock, openai_compatible.",
        id="confidential-refuses-anthropic",
    ),
    pytest.param(
        {"system": "Claims Platform"},
        "system",
        "system 'Claims Platform' is not a Backstage entity name: use at most 63 lowercase "
        "letters, digits and single '-', '_' or '.' separators.",
        id="system-with-space",
    ),
    pytest.param(
        {"support_hours": " "},
        "support_hours",
        "support_hours must not be empty.",
        id="blank-support-hours",
    ),
    pytest.param(
        {"dashboard_url": "grafana.acme.example/d/x"},
        "dashboard_url",
        "dashboard_url 'grafana.acme.example/d/x' must be an https:// URL or empty.",
        id="dashboard-without-scheme",
    ),
    pytest.param(
        {"dashboard_url": "http://grafana.acme.example"},
        "dashboard_url",
        "dashboard_url 'http://grafana.acme.example' must be an https:// URL or empty.",
        id="dashboard-plain-http",
    ),
    pytest.param(
        {"data_sensitivity": "confidential", "automation_level": "autonomous"},
        "automation_level",
        "Tier 'confidential' may not use automation level 'autonomous' (policy.yml); allowed: "
        "suggest, approve.",
        id="confidential-refuses-autonomous",
    ),
    pytest.param(
        {"data_sensitivity": "restricted", "automation_level": "approve"},
        "automation_level",
        "Tier 'restricted' may not use automation level 'approve' (policy.yml); allowed: suggest.",
        id="restricted-refuses-approve",
    ),
    pytest.param(
        {"integrations": ["pgvector"]},
        "integrations",
        "Integration 'pgvector' runs on PostgreSQL: choose 'postgres' as well.",
        id="pgvector-without-postgres",
    ),
    pytest.param(
        {"container_registry": "https://ghcr.io/acme"},
        "container_registry",
        "container_registry 'https://ghcr.io/acme' is not a registry reference: write "
        "host[:port]/namespace in lowercase, without https:// or an image name.",
        id="registry-with-scheme",
    ),
    pytest.param(
        {"container_registry": "ghcr.io/Acme"},
        "container_registry",
        "container_registry 'ghcr.io/Acme' is not a registry reference: write "
        "host[:port]/namespace in lowercase, without https:// or an image name.",
        id="registry-uppercase",
    ),
]


@pytest.mark.parametrize(("delta", "question", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused_with_its_message_and_leaves_nothing(
    template: Path, tmp_path: Path, delta: dict[str, Any], question: str, message: str
) -> None:
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match="Validation error") as caught:
        render(template, destination, answers_with(**delta))
    assert str(caught.value) == f"Validation error for question '{question}': {message}"
    assert not destination.exists()


def test_a_choice_outside_the_list_is_refused(template: Path, tmp_path: Path) -> None:
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match="Invalid choice"):
        render(template, destination, answers_with(data_sensitivity="secret"))
    assert not destination.exists()


@pytest.mark.parametrize("tier", ["public", "internal", "confidential", "restricted"])
def test_automation_level_defaults_to_what_the_tier_allows(
    template: Path, tmp_path: Path, tier: str
) -> None:
    answers = answers_with(data_sensitivity=tier)
    del answers["automation_level"]
    project = render(template, tmp_path / "project", answers)
    stored = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert stored["automation_level"] == policy()["tiers"][tier]["automation_levels"][0]


def test_an_empty_dashboard_url_is_accepted(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "project", answers_with(dashboard_url=""))
    assert "dashboard" not in (project / "catalog-info.yaml").read_text().lower()
