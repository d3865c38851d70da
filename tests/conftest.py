from __future__ import annotations

from pathlib import Path

import pytest

from .support import export_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, exported once per test session."""
    return export_template(tmp_path_factory.mktemp("template"))
