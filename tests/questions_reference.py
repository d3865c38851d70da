"""Generates docs/reference/questions.md from copier.yml, so the reference cannot go stale.

python -m tests.questions_reference --write   rewrite the page
python -m tests.questions_reference           print it
"""

from __future__ import annotations

from typing import Any

from .support import REPO_ROOT, write_or_print_page
from .test_questionnaire import questions

PAGE = REPO_ROOT / "docs" / "reference" / "questions.md"


def _default(spec: dict[str, Any]) -> str:
    if "default" not in spec:
        return "none: must be answered"
    default = spec["default"]
    if isinstance(default, str) and "{{" in default:
        return f"computed: `{default}`"
    return f"`{default}`"


def _choices(spec: dict[str, Any]) -> str:
    choices = spec.get("choices")
    if not choices:
        return ""
    values = choices.values() if isinstance(choices, dict) else choices
    return ", ".join(f"`{v}`" for v in values)


def render_page() -> str:
    lines = [
        "# Questions",
        "",
        "Every question Keel asks, in the order it asks them. This page is generated from",
        "`copier.yml` by `python3 dev.py docs-reference`; a test fails when they disagree.",
        "",
    ]
    for name, spec in questions().items():
        if spec.get("when") is False:
            continue
        lines += [f"## `{name}`", "", " ".join(str(spec.get("help", "")).split()), ""]
        lines.append(
            f"- Type: `{spec.get('type', 'str')}`"
            + (" (several)" if spec.get("multiselect") else "")
        )
        choices = _choices(spec)
        if choices:
            lines.append(f"- Choices: {choices}")
        lines.append(f"- Default: {_default(spec)}")
        if isinstance(spec.get("when"), str):
            lines.append(f"- Asked when: `{spec['when']}`")
        if spec.get("validator"):
            lines.append("- Validated: a bad answer is refused with a message naming the problem.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    raise SystemExit(write_or_print_page(PAGE, render_page))
