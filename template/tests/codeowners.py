"""CODEOWNERS read the way GitHub reads it: gitignore-style patterns, the last match wins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: tuple[str, ...]
    regex: re.Pattern[str]


def _compile(pattern: str) -> re.Pattern[str]:
    # A pattern with a slash anywhere but at its end is anchored to the repository root.
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    parts: list[str] = []
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif body.startswith("**", index):
            parts.append(".*")
            index += 2
        elif body[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif body[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(body[index]))
            index += 1
    prefix = "" if anchored else "(?:.*/)?"
    # "dir/" matches only what is beneath it; any other pattern also matches a folder's contents.
    suffix = "/.+" if pattern.endswith("/") else "(?:/.+)?"
    return re.compile(f"^{prefix}{''.join(parts)}{suffix}$")


def parse(text: str) -> list[Rule]:
    rules: list[Rule] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pattern, *owners = stripped.split()
        rules.append(Rule(pattern, tuple(owners), _compile(pattern)))
    return rules


def owners_of(rules: list[Rule], path: str) -> tuple[str, ...]:
    """The owners GitHub requests for `path` (relative, forward slashes): the last match's."""
    found: tuple[str, ...] = ()
    for rule in rules:
        if rule.regex.match(path):
            found = rule.owners
    return found


def load(project: Path) -> list[Rule]:
    return parse((project / ".github" / "CODEOWNERS").read_text())
