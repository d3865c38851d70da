"""Generates docs/reference/conformance.md from the checks, and the checker's copy of the policy.

python -m tests.conformance_reference --write   rewrite both
python -m tests.conformance_reference           print the page
"""

from __future__ import annotations

import shutil
import sys

from keel_conformance.checks import CHECKS, FAMILIES

from .support import REPO_ROOT, write_or_print_page

PAGE = REPO_ROOT / "docs" / "reference" / "conformance.md"
POLICY = REPO_ROOT / "policy.yml"
POLICY_COPY = REPO_ROOT / "conformance" / "src" / "keel_conformance" / "policy.yml"


def render_page() -> str:
    lines = [
        "# Conformance checks",
        "",
        "`keel-conformance` is a [repo-review](https://repo-review.readthedocs.io/) plugin that",
        "checks a repository generated from Keel still meets Keel's standards. It ships from the",
        "`conformance/` folder of this repository, together with a copy of `policy.yml` so that",
        "tier checks follow the policy of the same release. This page is generated from the checks",
        "by `python3 dev.py docs-reference`; a test fails when they disagree.",
        "",
        "In a generated project, `make conformance` runs it, and so does the `conformance` job of",
        "its CI; both install it from the template repository recorded in `.copier-answers.yml`.",
        "Set `KEEL_CONFORMANCE` to an installed `repo-review` to run offline. Over a fleet,",
        "install it once and pass every repository; `--format json` gives one table for all:",
        "",
        "```console",
        'uv tool install "keel-conformance @ git+https://github.com/YOUR-ORG/keel#subdirectory=conformance"',
        "repo-review --format json service-a service-b service-c > conformance.json",
        "```",
        "",
        "A check that another check `requires` is skipped, not failed, when that one fails.",
        "Silence a check for one repository in its `pyproject.toml` with",
        '`[tool.repo-review] ignore = {KEEL303 = "reason"}`.',
        "",
    ]
    for family, info in FAMILIES.items():
        lines += [f"## {info['name']}", ""]
        for check in (c for c in CHECKS if c.family == family):
            rule = " ".join((check.__doc__ or "").split())
            lines += [f"### {check.__name__}", "", rule, ""]
            if check.requires:
                lines += [f"Requires: {', '.join(sorted(check.requires))}.", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    if "--write" in sys.argv:
        shutil.copyfile(POLICY, POLICY_COPY)
    raise SystemExit(write_or_print_page(PAGE, render_page))
