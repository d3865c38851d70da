"""Fixtures the checks share: the project's Keel answers, its tier's policy and its workflows.

repo-review hands every fixture the repository root as a Traversable (a local folder, or a
remote repository read through the GitHub API), so nothing here assumes a local path.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

ANSWERS_FILE = ".copier-answers.yml"


def _load_yaml(path: Traversable) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def keel_answers(root: Traversable) -> dict[str, Any]:
    """The answers Keel recorded, or {} when the file is missing or unreadable."""
    path = root.joinpath(ANSWERS_FILE)
    answers = _load_yaml(path) if path.is_file() else None
    return answers if isinstance(answers, dict) else {}


def keel_policy() -> dict[str, Any]:
    """The policy of the Keel release this checker ships with (a copy of Keel's policy.yml)."""
    document = yaml.safe_load(files("keel_conformance").joinpath("policy.yml").read_text())
    policy: dict[str, Any] = document["keel_policy"]["default"]
    return policy


def keel_tier_policy(keel_answers: dict[str, Any]) -> dict[str, Any]:
    """What policy.yml requires of the recorded tier, or {} when the tier is unknown."""
    tier = keel_answers.get("data_sensitivity")
    tiers: dict[str, Any] = keel_policy()["tiers"]
    return dict(tiers.get(tier, {})) if isinstance(tier, str) else {}


def workflows(root: Traversable) -> dict[str, Any]:
    """Each GitHub Actions workflow, parsed, by file name (unparseable files map to None)."""
    folder = root.joinpath(".github").joinpath("workflows")
    if not folder.is_dir():
        return {}
    return {
        path.name: _load_yaml(path)
        for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.name.endswith((".yml", ".yaml"))
    }
