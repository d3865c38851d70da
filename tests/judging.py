"""The public linters that judge generated projects, and the projects they judge.

The judges are installed by .ci/install-judges.sh into .judges/bin. A judge that is not
installed skips its tests with the reason, unless KEEL_REQUIRE_JUDGES=1 (as in .ci/run), where a
missing judge is a failure: CI must never pass because a linter was absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .support import REPO_ROOT, REPRESENTATIVE_CASES

JUDGES_BIN = REPO_ROOT / ".judges" / "bin"

# The representative projects, plus one that publishes to a registry of its own (other login path).
JUDGED_CASES: dict[str, dict[str, Any]] = {
    **REPRESENTATIVE_CASES,
    "confidential-own-registry": {
        "data_sensitivity": "confidential",
        "container_registry": "registry.acme.example:5000/claims",
    },
}

Render = Callable[[str], Path]


def case_params(names: list[str] | None = None) -> list[Any]:
    """One param per judged case, grouped so each case renders once on one xdist worker."""
    return [
        pytest.param(name, id=name, marks=pytest.mark.xdist_group(f"judged-{name}"))
        for name in (names or list(JUDGED_CASES))
    ]


def judge(name: str) -> str:
    """The path of a judge's executable, or skip (fail under KEEL_REQUIRE_JUDGES=1)."""
    found = shutil.which(name, path=f"{JUDGES_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found:
        return found
    reason = f"{name} is not installed: run `bash .ci/install-judges.sh`"
    if os.environ.get("KEEL_REQUIRE_JUDGES") == "1":
        pytest.fail(f"{reason} (KEEL_REQUIRE_JUDGES=1 makes a missing judge a failure)")
    pytest.skip(f"{reason}; set KEEL_REQUIRE_JUDGES=1 to fail instead")


def run_judge(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
