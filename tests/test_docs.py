"""Documentation that is derived from the template must match it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .questions_reference import PAGE, render_page
from .support import REPO_ROOT


def test_questions_reference_matches_copier_yml() -> None:
    assert PAGE.read_text() == render_page(), "run: python3 dev.py docs-reference"


def test_documentation_site_builds_in_strict_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "index.html").is_file()
