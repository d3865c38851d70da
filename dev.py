#!/usr/bin/env python3
"""Keel's developer entry point. Needs only Python 3.11+ and git.

    python3 dev.py new PATH [COPIER ARGS...]   generate a project with the default answers
    python3 dev.py test [PYTEST ARGS...]       run the template's whole test suite
    python3 dev.py bench [--write]             print benchmark figures (and record them in docs)
    python3 dev.py docs-reference              regenerate the generated reference pages

It installs uv into .tools/ if uv is not on PATH, then runs everything through `uv run --locked`,
so the tool versions are the ones pinned in uv.lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
UV_VERSION = "0.13.9"


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    bin_dir = TOOLS / ("Scripts" if os.name == "nt" else "bin")
    local = bin_dir / "uv"
    if not local.exists():
        print(f"uv not found on PATH: installing uv {UV_VERSION} into {TOOLS}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"],
            check=True,
        )
    return str(local)


def run(*args: str, cwd: Path = ROOT) -> int:
    executable = uv()
    # Generated projects' own checks call `uv` by name, so the uv found or installed here must be
    # on PATH for everything started below, not only for this script.
    path = os.pathsep.join([str(Path(executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path}
    command = [executable, "run", "--locked", *args]
    return subprocess.run(command, cwd=cwd, env=env, check=False).returncode


def new(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: python3 dev.py new PATH [COPIER ARGS...]", file=sys.stderr)
        return 2
    destination = Path(argv[0]).resolve()
    copier_args = (
        ["--defaults", *argv[1:]]
        if "--data-file" in argv
        else [
            "--defaults",
            "--data-file",
            str(ROOT / "tests" / "answers" / "canonical.yml"),
            *argv[1:],
        ]
    )
    code = run("copier", "copy", *copier_args, "--vcs-ref", "HEAD", str(ROOT), str(destination))
    if code != 0:
        return code
    # The lock file is part of the first commit, so CI can install with --locked from day one.
    return subprocess.run([uv(), "lock", "--quiet"], cwd=destination, check=False).returncode


def test(argv: list[str]) -> int:
    return run("pytest", *argv)


def bench(argv: list[str]) -> int:
    return run("python", "-m", "bench.run", *argv)


def docs_reference(_: list[str]) -> int:
    pages = ("tests.questions_reference", "tests.file_ownership", "tests.conformance_reference")
    return max(run("python", "-m", page, "--write") for page in pages)


COMMANDS = {"new": new, "test": test, "bench": bench, "docs-reference": docs_reference}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
