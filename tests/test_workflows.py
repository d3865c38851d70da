"""Rules every generated GitHub workflow keeps, whatever the answers.

Pinning: every `uses:` names a full commit SHA with its `# vX.Y.Z` comment, and that pair is the
one listed in includes/github-actions.yml (the template's own workflows too). Hardening: no
default token permissions, credentials not persisted, a timeout and a concurrency group
everywhere, no pull_request_target, no cache where anything is published. Policy: the security
jobs block or only warn exactly as policy.yml says for the tier.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .judging import JUDGED_CASES, Render, case_params
from .support import REPO_ROOT, answers_with, policy

USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+# (?P<version>v\d+\.\d+\.\d+)\s*$")
# Permissions that let a job publish something: such a job must not touch a cache.
PUBLISHING_PERMISSIONS = {"packages", "id-token", "attestations", "contents"}


def pinned_actions() -> dict[str, tuple[str, str]]:
    """action -> (sha, version) from the one data file that lists them."""
    document = yaml.safe_load((REPO_ROOT / "includes" / "github-actions.yml").read_text())
    entries = document["github_actions"]["default"].values()
    return {entry["uses"]: (entry["sha"], entry["version"]) for entry in entries}


def unpinned_uses(text: str) -> list[str]:
    """Every `uses:` line that is not pinned as the data file says, with the reason."""
    listed = pinned_actions()
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = USES_LINE.match(line)
        if not match:
            continue
        ref, rest = match["ref"].strip("'\""), match["rest"]
        pinned, comment = PINNED.match(ref), VERSION_COMMENT.match(rest)
        if not pinned:
            problems.append(f"line {number}: {ref} is not pinned to a full commit SHA")
        elif not comment:
            problems.append(f"line {number}: {ref} has no `# vX.Y.Z` comment")
        elif listed.get(pinned["action"]) != (pinned["sha"], comment["version"]):
            problems.append(
                f"line {number}: {pinned['action']}@{pinned['sha']} # {comment['version']} "
                "is not the pin listed in includes/github-actions.yml"
            )
    return problems


def workflows(project: Path) -> dict[str, dict[str, Any]]:
    folder = project / ".github" / "workflows"
    return {f.name: yaml.safe_load(f.read_text()) for f in sorted(folder.glob("*.yml"))}


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as True.
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict), "write triggers as a mapping"
    return value


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("      - uses: actions/checkout@v4\n", id="tag"),
        pytest.param("      - uses: actions/checkout@3d3c42e\n", id="short-sha"),
        pytest.param(
            "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1\n",
            id="no-version-comment",
        ),
        pytest.param(
            "      - uses: actions/checkout@0000000000000000000000000000000000000000 # v7.0.1\n",
            id="sha-not-in-data-file",
        ),
        pytest.param("    uses: ./.github/workflows/reusable.yml\n", id="local-reusable"),
    ],
)
def test_the_pin_check_rejects_each_kind_of_unpinned_action(text: str) -> None:
    assert len(unpinned_uses(text)) == 1


def test_the_template_s_own_workflows_use_the_listed_pins() -> None:
    for path in sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml")):
        assert unpinned_uses(path.read_text()) == [], path.name


@pytest.mark.parametrize("case", case_params())
def test_every_action_is_pinned_to_the_listed_sha(judged_project: Render, case: str) -> None:
    for name, _ in workflows(judged_project(case)).items():
        text = (judged_project(case) / ".github" / "workflows" / name).read_text()
        assert unpinned_uses(text) == [], name


@pytest.mark.parametrize("case", case_params())
def test_workflows_are_hardened(judged_project: Render, case: str) -> None:
    found = workflows(judged_project(case))
    assert {"ci.yml", "security.yml", "release.yml"} <= set(found)
    for name, workflow in found.items():
        assert workflow.get("permissions") == {}, f"{name}: top level must be `permissions: {{}}`"
        assert "pull_request_target" not in triggers(workflow), name
        assert workflow.get("concurrency", {}).get("group"), f"{name}: no concurrency group"
        for job_name, job in workflow["jobs"].items():
            where = f"{name}/{job_name}"
            assert isinstance(job.get("timeout-minutes"), int), f"{where}: no timeout-minutes"
            assert isinstance(job.get("permissions"), dict), f"{where}: no job permissions"
            for step in steps_using(job, "actions/checkout"):
                assert step.get("with", {}).get("persist-credentials") is False, where


@pytest.mark.parametrize("case", case_params())
def test_nothing_that_publishes_uses_a_cache(judged_project: Render, case: str) -> None:
    for name, workflow in workflows(judged_project(case)).items():
        for job_name, job in workflow["jobs"].items():
            writes = {k for k, v in job["permissions"].items() if v == "write"}
            if not writes & PUBLISHING_PERMISSIONS:
                continue
            for step in job.get("steps", []):
                uses, options = str(step.get("uses", "")), step.get("with", {})
                where = f"{name}/{job_name}: {uses or step.get('run')}"
                assert not uses.startswith("actions/cache"), where
                assert options.get("enable-cache") in (None, False), where
                assert not {"cache-from", "cache-to"} & set(options), where


def test_release_publishes_only_from_version_tags(judged_project: Render) -> None:
    release = workflows(judged_project("defaults"))["release.yml"]
    assert triggers(release) == {"push": {"tags": ["v*.*.*"]}}
    image = release["jobs"]["image"]
    build = steps_using(image, "docker/build-push-action")[0]["with"]
    assert build["sbom"] is True
    assert build["provenance"] == "mode=max"
    attest = steps_using(image, "actions/attest")[0]["with"]
    assert attest["push-to-registry"] is True
    assert image["env"]["IMAGE"] == "ghcr.io/acme/claims-assistant"


def test_release_to_an_own_registry_logs_in_with_registry_secrets(judged_project: Render) -> None:
    release = workflows(judged_project("confidential-own-registry"))["release.yml"]
    image = release["jobs"]["image"]
    login = steps_using(image, "docker/login-action")[0]["with"]
    assert login["registry"] == "registry.acme.example:5000"
    assert login["password"] == "${{ secrets.REGISTRY_PASSWORD }}"  # noqa: S105 - a reference
    assert image["env"]["IMAGE"] == "registry.acme.example:5000/claims/claims-assistant"


SECURITY_JOBS = {
    "secret_scan": "secret-scan",
    "dependency_audit": "dependency-audit",
    "workflow_audit": "workflow-audit",
    "codeql": "codeql",
}


@pytest.mark.parametrize("case", case_params())
def test_security_jobs_block_or_warn_as_the_policy_says(judged_project: Render, case: str) -> None:
    tier = answers_with(**JUDGED_CASES[case])["data_sensitivity"]
    rules = policy()["tiers"][tier]
    jobs = workflows(judged_project(case))["security.yml"]["jobs"]
    assert ("codeql" in jobs) == rules["codeql"]
    for control, job_name in SECURITY_JOBS.items():
        if job_name not in jobs:
            continue
        blocking = control in rules["ci_blocking"]
        assert jobs[job_name]["continue-on-error"] is (not blocking), f"{tier}: {job_name}"
    if rules["codeql"]:
        assert jobs["codeql"]["strategy"]["matrix"]["language"] == ["python", "actions"]


def test_every_tier_s_blocking_controls_are_jobs() -> None:
    for tier, rules in policy()["tiers"].items():
        unknown = set(rules["ci_blocking"]) - set(SECURITY_JOBS)
        assert unknown == set(), f"{tier}: policy names CI controls with no job: {unknown}"


def test_dependabot_covers_each_ecosystem_grouped_with_a_cooldown(judged_project: Render) -> None:
    config = yaml.safe_load((judged_project("defaults") / ".github" / "dependabot.yml").read_text())
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"uv", "github-actions", "docker"}
    for ecosystem, update in updates.items():
        assert update["groups"], ecosystem
        assert update["cooldown"]["default-days"] >= 3, ecosystem
