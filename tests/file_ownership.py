"""The file-ownership map (includes/file-ownership.yml): loading, matching and its reference page.

python -m tests.file_ownership --write   rewrite docs/reference/files.md
python -m tests.file_ownership           print it
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from pathspec import PathSpec

from .support import REPO_ROOT, write_or_print_page

OWNERSHIP_FILE = REPO_ROOT / "includes" / "file-ownership.yml"
PAGE = REPO_ROOT / "docs" / "reference" / "files.md"
OWNERS = ("template_managed", "shared", "user_owned")


@dataclass(frozen=True)
class Declaration:
    pattern: str
    owner: str
    extension_points: str = ""

    def matches(self, path: str) -> bool:
        # Anchored at the project root: "Makefile" means the top-level one only.
        return PathSpec.from_lines("gitignore", ["/" + self.pattern]).match_file(path)


def raw_ownership() -> dict[str, Any]:
    document = yaml.safe_load(OWNERSHIP_FILE.read_text())
    assert isinstance(document, dict)
    return document


def declarations() -> list[Declaration]:
    ownership = raw_ownership()["keel_file_ownership"]["default"]
    found: list[Declaration] = []
    for owner in OWNERS:
        for entry in ownership[owner]:
            if isinstance(entry, dict):
                found.append(
                    Declaration(entry["path"], owner, " ".join(entry["extension_points"].split()))
                )
            else:
                found.append(Declaration(entry, owner))
    return found


def ownership_problems(files: Iterable[str]) -> list[str]:
    """Every rendered file must match exactly one declaration; say which file breaks the rule."""
    problems: list[str] = []
    known = declarations()
    for path in sorted(files):
        matching = [d for d in known if d.matches(path)]
        if not matching:
            problems.append(
                f"{path}: not declared; add it (or a pattern covering it) to "
                "includes/file-ownership.yml under template_managed, shared or user_owned, "
                "then run `python3 dev.py docs-reference`"
            )
        elif len(matching) > 1:
            listed = ", ".join(f"{d.pattern} ({d.owner})" for d in matching)
            problems.append(
                f"{path}: declared more than once in includes/file-ownership.yml: {listed}"
            )
    return problems


_OWNER_TITLES = {
    "template_managed": "Template-managed",
    "shared": "Shared",
    "user_owned": "User-owned",
}
_OWNER_RULES = {
    "template_managed": (
        "Keel owns these. `copier update` brings them to the new release and re-applies your "
        "edits as a three-way merge; an edit that overlaps a change in Keel becomes a conflict, "
        "which `make check` refuses until you resolve it."
    ),
    "shared": (
        "Keel owns the file; you own the extension points listed. Edits made only there merge "
        "cleanly on update."
    ),
    "user_owned": (
        "Yours. `copier copy` renders them once and `copier update` never changes them (Copier's "
        "`_skip_if_exists`). Copier re-creates a user-owned file you deleted, so empty it instead."
    ),
}


def render_page() -> str:
    lines = [
        "# Files and their owners",
        "",
        "Who owns each file of a generated project, and so what `copier update` does to it.",
        "This page is generated from `includes/file-ownership.yml` by",
        "`python3 dev.py docs-reference`; a test fails when they disagree, and another fails when",
        "a generated file is not declared there. Patterns are anchored at the project root and",
        "match like `.gitignore` lines (`*` stays within one folder).",
        "",
        "Settings follow the same split: `settings.py` is template-managed, your own settings go",
        "in the user-owned `app_settings.py`, so updates to Keel's settings never touch yours.",
        "",
    ]
    known = declarations()
    for owner in OWNERS:
        lines += [f"## {_OWNER_TITLES[owner]}", "", _OWNER_RULES[owner], ""]
        entries = [d for d in known if d.owner == owner]
        if owner == "shared":
            lines += ["| Path | Extension points |", "|---|---|"]
            lines += [f"| `{d.pattern}` | {d.extension_points} |" for d in entries]
        else:
            lines += ["| Path |", "|---|"]
            lines += [f"| `{d.pattern}` |" for d in entries]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    raise SystemExit(write_or_print_page(PAGE, render_page))
