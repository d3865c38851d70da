"""Deep checks: representative projects, committed as generated, pass their own `make check`
(lint, types, tests and the evals).

This is the promise Keel makes: green from the first commit. Each case renders a project, locks
its dependencies, makes the first commit and runs the project's own single check command.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .lifecycle import own_pytest_temp
from .support import INTEGRATIONS, REPRESENTATIVE_CASES, answers_with, render

DEEP_CASES = [pytest.param(delta, id=name) for name, delta in REPRESENTATIVE_CASES.items()]


def sh(
    *command: str, cwd: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))}
    env |= extra_env or {}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def first_commit(project: Path) -> None:
    for command in (
        ("uv", "lock", "--quiet"),
        ("git", "init", "--quiet", "--initial-branch=main"),
        ("git", "add", "--all"),
        ("git", "-c", "user.name=Keel Test", "-c", "user.email=test@keel.invalid",
         "commit", "--quiet", "--message=Initial commit"),
    ):  # fmt: skip
        result = sh(*command, cwd=project)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"


EVAL_REPORT = re.compile(r"^eval: .*?^result +\w+$", re.DOTALL | re.MULTILINE)


@pytest.mark.deep
@pytest.mark.parametrize("delta", DEEP_CASES)
def test_first_commit_is_green_on_its_own_check(
    template: Path, tmp_path: Path, delta: dict[str, object]
) -> None:
    project = render(template, tmp_path / "project", answers_with(**delta))
    first_commit(project)
    result = sh("make", "check", cwd=project, extra_env=own_pytest_temp(project))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
    # `make eval` ran through the service's own client and printed its measures, in one piece
    # among the other checks' output.
    found = EVAL_REPORT.search(result.stdout)
    assert found is not None, result.stdout[-6000:]
    report = found.group(0)
    assert "cases from evals/golden.jsonl, provider echo" in report
    for measure in ("pass rate  100.0% (minimum 100.0%)", "latency    p50 ", "tokens     "):
        assert measure in report, report
    assert "cost       $0.000000" in report
    assert report.rstrip().endswith("result     PASS"), report
    # The secret scan pre-commit and CI run, over the first commit (uv.lock included).
    scan = sh("make", "secrets", cwd=project)
    assert scan.returncode == 0, scan.stdout[-4000:] + scan.stderr[-4000:]
    # This machine runs every integration's service, so none of their tests may skip.
    skipped = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("SKIPPED")
        and any(f"tests/test_{name}.py" in line for name in INTEGRATIONS)
    ]
    assert skipped == [], "\n".join(skipped)
    status = sh("git", "status", "--porcelain", cwd=project).stdout
    assert status == "", f"make check changed tracked files:\n{status}"
