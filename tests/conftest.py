from __future__ import annotations

from pathlib import Path

import pytest

from .judging import JUDGED_CASES, Render
from .support import answers_with, export_template, render


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, exported once per test session."""
    return export_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def judged_project(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Renders a judged case once per session; tests read the render and never change it."""
    renders: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in renders:
            destination = tmp_path_factory.mktemp(f"judged-{case}") / "project"
            renders[case] = render(template, destination, answers_with(**JUDGED_CASES[case]))
        return renders[case]

    return get
