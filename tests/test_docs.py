"""Documentation that is derived from the template must match it."""

from __future__ import annotations

from .questions_reference import PAGE, render_page


def test_questions_reference_matches_copier_yml() -> None:
    assert PAGE.read_text() == render_page(), "run: python3 dev.py docs-reference"
