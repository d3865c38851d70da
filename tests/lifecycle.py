"""Helpers for release and update tests: a template repository with tagged releases, projects
copied from a tag, committed as a team would, and `copier update` run the way users run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .support import REPO_ROOT

GIT_IDENTITY = ("-c", "user.name=Keel Test", "-c", "user.email=test@keel.invalid")
CONFLICT_MARKER_PREFIXES = ("<<<<<<< ", ">>>>>>> ")

Mutation = Callable[[Path], None]


def clean_env() -> dict[str, str]:
    """The environment without this suite's virtualenv, so generated projects use their own."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))}


def own_pytest_temp(project: Path) -> dict[str, str]:
    """Environment for a generated project's own pytest: its temporary directories apart.

    Every pytest session takes /tmp/pytest-of-<user> back to mode 0700. A project generated
    under this suite's temporary directories runs pgvector's private PostgreSQL as another
    user, from the project's virtualenv; a concurrent session starting would lock that server
    out of its own files mid-run. Separate roots leave this suite's directories alone.
    """
    root = project.parent / "pytest-temp"
    root.mkdir(exist_ok=True)
    return {"PYTEST_DEBUG_TEMPROOT": str(root)}


def sh(
    *command: str, cwd: Path, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**clean_env(), **(env or {})},
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed in {cwd}:\n{result.stdout}{result.stderr}"
        )
    return result


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return sh("git", *GIT_IDENTITY, *args, cwd=cwd, check=check)


def commit_all(repo: Path, message: str) -> None:
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--allow-empty", f"--message={message}", cwd=repo)


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a file, failing with the file and snippet when the snippet is gone."""
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: expected exactly one {old!r} to edit"
    path.write_text(text.replace(old, new))


def build_template_repo(
    destination: Path, template: Path, releases: Sequence[tuple[str, Mutation | None]]
) -> Path:
    """A git repository of the template with one commit and tag per release, oldest first.

    Each release starts from the exported working tree and applies its mutation, so an earlier
    release is "this template as it was before the changes under test".
    """
    if not (destination / ".git").is_dir():
        destination.mkdir(parents=True)
        git("init", "--quiet", "--initial-branch=main", cwd=destination)
    for tag, mutate in releases:
        for child in destination.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(template, destination, dirs_exist_ok=True)
        if mutate is not None:
            mutate(destination)
        commit_all(destination, f"Release {tag}")
        git("tag", tag, cwd=destination)
    return destination


def copier(
    *args: str, cwd: Path, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return sh(sys.executable, "-m", "copier", *args, cwd=cwd, check=check, env=env)


def copy_project(repo: Path, destination: Path, ref: str, answers: Mapping[str, Any]) -> Path:
    """`copier copy` at `ref`, then the team's first commit."""
    answers_file = destination.parent / f"{destination.name}-answers.yml"
    answers_file.write_text(yaml.safe_dump(dict(answers)))
    copier(
        "copy", "--quiet", "--defaults", "--trust", "--vcs-ref", ref,
        "--data-file", str(answers_file), str(repo), str(destination),
        cwd=repo.parent,
    )  # fmt: skip
    git("init", "--quiet", "--initial-branch=main", cwd=destination)
    commit_all(destination, "Initial commit")
    return destination


def update_project(
    project: Path, ref: str, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """What the project's template-update workflow runs: non-interactive, trusting Keel."""
    return copier(
        "update", "--defaults", "--trust", "--vcs-ref", ref, *extra, cwd=project, check=check
    )


def stored_answers(project: Path) -> dict[str, Any]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(answers, dict)
    return answers


def conflict_leftovers(project: Path) -> list[str]:
    """Files holding conflict markers, and .rej files: what `make conflicts` refuses."""
    found: list[str] = []
    for path in project.rglob("*"):
        if not path.is_file() or {".git", ".venv"} & set(path.parts):
            continue
        relative = str(path.relative_to(project))
        if path.suffix == ".rej":
            found.append(relative)
            continue
        text = path.read_text(errors="ignore")
        if any(line.startswith(CONFLICT_MARKER_PREFIXES) for line in text.splitlines()):
            found.append(relative)
    return sorted(found)


OLD_KEEP_CURRENT = """## Keep it current

This project was generated from the Keel template. `copier update` pulls in new standards;
see the template's update guide before running it.

"""
README_CLOSING_LINE = "<!-- Keel manages the sections above this line;"


def previous_release(repo: Path) -> None:
    """v0.1.0: this template without what the current release adds to keep projects current."""
    (repo / "template" / ".github" / "workflows" / "template-update.yml.jinja").unlink()
    readme = repo / "template" / "README.md.jinja"
    text = readme.read_text()
    start = text.index("## Keep it current\n")
    end = text.index(README_CLOSING_LINE)
    readme.write_text(text[:start] + OLD_KEEP_CURRENT + text[end:])
    makefile = repo / "template" / "Makefile.jinja"
    text = makefile.read_text()
    start = text.index("# `copier update` exits 0 even when it leaves conflicts")
    end = text.index(".PHONY: check\n")
    makefile.write_text(text[:start] + text[end:])
    replace_once(makefile, "\ncheck: conflicts ", "\ncheck: ")
    hooks = repo / "template" / ".pre-commit-config.yaml"
    text = hooks.read_text()
    start = text.index("      - id: conflict-markers\n")
    end = text.index("      - id: ruff-check\n")
    hooks.write_text(text[:start] + text[end:])


# Earlier states of this repository that updates start from, each tagged in the temporary
# source as the release it stands for: real history, so an update crosses what really changed.
PAST_RELEASES = {
    # Tier controls complete; before integrations became whole slices.
    "v0.1.1": "27ac1902439a7854c5e84ef8e5728875f1a4c864",
}
CURRENT_RELEASE = "v0.2.0"


def _clone_history(destination: Path) -> None:
    """A clone of this repository's history, with each past release tagged."""
    sh(
        "git",
        "clone",
        "--quiet",
        "--no-checkout",
        "--no-tags",
        str(REPO_ROOT),
        str(destination),
        cwd=REPO_ROOT,
    )
    for tag, commit in PAST_RELEASES.items():
        found = git(
            "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", cwd=destination, check=False
        )
        assert found.returncode == 0, (
            f"The update tests start from commit {commit} ({tag}), which this clone lacks: "
            "run them in a full clone (git fetch --unshallow)."
        )
        git("tag", tag, commit, cwd=destination)


def keel_releases(template: Path, root: Path) -> Path:
    """Keel's releases in one git source: each past release at its real commit, v0.1.0
    (`previous_release`: this tree before its update machinery) and v0.2.0 (this tree)."""
    destination = root / "keel"
    _clone_history(destination)
    return build_template_repo(
        destination, template, [("v0.1.0", previous_release), (CURRENT_RELEASE, None)]
    )
