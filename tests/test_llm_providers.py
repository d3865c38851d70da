"""LLM providers: each chosen provider is one complete slice, and unchosen ones leave no trace.

A provider is complete when it has a settings block, a branch in the factory, a dependency, a
wire-format route in the generated tests' local server, a place in the generated tests and a
docs section. Adding a provider to the questionnaire without all of these fails here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from .support import PROVIDERS, answers_with, render

SDK_DEPENDENCY = {
    "openai": "openai",
    "anthropic": "anthropic",
    "azure_openai": "openai",
    "aws_bedrock": "boto3",
    "openai_compatible": "openai",
}
SETTINGS_CLASS = {
    "openai": "OpenAISettings",
    "anthropic": "AnthropicSettings",
    "azure_openai": "AzureOpenAISettings",
    "aws_bedrock": "AWSBedrockSettings",
    "openai_compatible": "OpenAICompatibleSettings",
}


@pytest.fixture(scope="module")
def projects(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    every = answers_with(data_sensitivity="public", llm_providers=list(PROVIDERS))
    one = answers_with(data_sensitivity="restricted", llm_providers=["openai_compatible"])
    return {
        "every": render(template, tmp_path_factory.mktemp("llm-every") / "p", every),
        "one": render(template, tmp_path_factory.mktemp("llm-one") / "p", one),
    }


def dependencies(project: Path) -> set[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return {
        d.split("[")[0].split(">")[0].split("<")[0] for d in pyproject["project"]["dependencies"]
    }


def places(project: Path, provider: str) -> dict[str, bool]:
    package = project / "src" / "claims_assistant"
    return {
        "settings block": f"class {SETTINGS_CLASS[provider]}("
        in (package / "llm" / "settings.py").read_text(),
        "factory branch": f'settings.provider == "{provider}"'
        in (package / "llm" / "factory.py").read_text(),
        "sdk dependency": SDK_DEPENDENCY[provider] in dependencies(project),
        "test parameter": f'    "{provider}",\n'
        in (project / "tests" / "test_llm_providers.py").read_text(),
        "docs section": f"### {provider}\n" in (project / "docs" / "llm.md").read_text(),
    }


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_chosen_provider_is_present_in_every_place(
    projects: dict[str, Path], provider: str
) -> None:
    missing = [place for place, ok in places(projects["every"], provider).items() if not ok]
    assert missing == [], f"{provider} is missing its {', '.join(missing)}"


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p != "openai_compatible"])
def test_an_unchosen_provider_leaves_no_trace(projects: dict[str, Path], provider: str) -> None:
    present = [place for place, ok in places(projects["one"], provider).items() if ok]
    if SDK_DEPENDENCY[provider] == "openai":
        present = [p for p in present if p != "sdk dependency"]  # shared with openai_compatible
    assert present == [], f"{provider} was not chosen but has its {', '.join(present)}"
    assert "boto3" not in dependencies(projects["one"])
    assert "anthropic" not in dependencies(projects["one"])


def test_restricted_tier_makes_its_provider_critical_and_forbids_content_capture(
    projects: dict[str, Path],
) -> None:
    llm = projects["one"] / "src" / "claims_assistant" / "llm"
    assert 'frozenset({"openai_compatible"})' in (llm / "factory.py").read_text()
    assert "PROMPT_CAPTURE_ALLOWED = False" in (llm / "settings.py").read_text()
    public = projects["every"] / "src" / "claims_assistant" / "llm"
    assert "CRITICAL_PROVIDERS: frozenset[str] = frozenset()" in (public / "factory.py").read_text()
    assert "PROMPT_CAPTURE_ALLOWED = True" in (public / "settings.py").read_text()
