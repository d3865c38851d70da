"""Which answers call for which files: the one map the render matrix checks against.

Every path listed here must appear exactly when its condition holds. A path is a file or a
folder prefix. Add a line here whenever the template gains a conditional file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Answers = dict[str, Any]


def _tier_at_least(tier: str) -> Callable[[Answers], bool]:
    order = ["public", "internal", "confidential", "restricted"]
    return lambda a: order.index(a["data_sensitivity"]) >= order.index(tier)


def _integration(name: str) -> Callable[[Answers], bool]:
    return lambda a: name in a["integrations"]


def _provider(name: str) -> Callable[[Answers], bool]:
    return lambda a: name in a["llm_providers"]


def conditional_paths(answers: Answers) -> dict[str, bool]:
    package = f"src/{answers['package_name']}"
    rules: dict[str, Callable[[Answers], bool]] = {}
    del package
    return {path: rule(answers) for path, rule in rules.items()}
