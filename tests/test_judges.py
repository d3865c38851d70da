"""Public linters judge the generated projects: every judge must report zero findings.

Each judge runs on the representative renders (defaults, everything-on, restricted) and one that
publishes to its own registry. The secret scanner is also shown to bite: tokens planted in a
generated project make the project's own scan fail.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .judging import Render, case_params, judge, run_judge


def _workflow_files(project: Path) -> list[str]:
    return sorted(str(p) for p in (project / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("case", case_params())
def test_actionlint_finds_nothing(judged_project: Render, case: str) -> None:
    project = judged_project(case)
    result = run_judge(judge("actionlint"), "-no-color", *_workflow_files(project), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", case_params())
def test_zizmor_finds_nothing_even_as_an_auditor(judged_project: Render, case: str) -> None:
    project = judged_project(case)
    # The auditor persona reports everything, including findings the default hides.
    result = run_judge(judge("zizmor"), "--offline", "--persona=auditor", ".github", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout, result.stdout


@pytest.mark.parametrize("case", case_params())
def test_workflows_dependabot_and_compose_match_their_schemas(
    judged_project: Render, case: str
) -> None:
    project = judged_project(case)
    checker = judge("check-jsonschema")
    for schema, files in (
        ("vendor.github-workflows", _workflow_files(project)),
        ("custom.github-workflows-require-timeout", _workflow_files(project)),
        ("vendor.dependabot", [str(project / ".github" / "dependabot.yml")]),
        ("vendor.compose-spec", [str(project / "compose.yaml")]),
    ):
        result = run_judge(checker, "--builtin-schema", schema, *files, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr


def _secret_scan_command(project: Path) -> list[str]:
    """The scan as pre-commit runs it, checked to be the one `make secrets` (CI) runs."""
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    entry = shlex.split(next(h["entry"] for h in hooks if h["id"] == "detect-secrets"))
    assert entry[:3] == ["uv", "run", "--locked"], entry
    command = entry[3:]
    assert command[0] == "detect-secrets-hook", command
    makefile = (project / "Makefile").read_text()
    assert f"$(UV_RUN) {shlex.join(command)}" in makefile, "CI and pre-commit scan differently"
    return [judge("detect-secrets-hook"), *command[1:]]


def _git_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination)
    for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        subprocess.run(command, cwd=destination, check=True, capture_output=True)
    return destination


def _tracked(project: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=project, check=True, capture_output=True, text=True
    )
    return listed.stdout.split()


@pytest.mark.parametrize("case", case_params())
def test_secret_scan_finds_nothing(judged_project: Render, case: str, tmp_path: Path) -> None:
    project = _git_project(judged_project(case), tmp_path / "project")
    result = run_judge(*_secret_scan_command(project), *_tracked(project), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


# Realistic credentials, assembled at run time so this file itself holds none.
PLANTED = {
    "aws.env": "AWS_ACCESS_KEY_ID=" + "AKIA" + "Q3EGR7XKZ5JD2WNB",
    "github.py": 'TOKEN = "' + "ghp_" + "R8fK2mQ9xL4vT7bN1cZ6hJ3wY5pD0sA8eU2i" + '"\n',
    "slack.yaml": "webhook_token: "
    + "xoxb-"
    + "4312876521-5734125896312-Zq8Rt3LmN5vB7xC9kD2fG4hJ\n",
    "stripe.toml": 'key = "' + "sk_live_" + "51HxQ2LkZ9vR3mT8nB4cW7yP" + '"\n',
    "deploy.pem": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7v\n-----END RSA "
    "PRIVATE KEY-----\n",
    "settings.py": 'DATABASE_PASSWORD = "' + "Tr0ub4dor&3-" + 'horse-battery"\n',
}


def test_planted_tokens_fail_the_project_s_own_secret_scan(
    judged_project: Render, tmp_path: Path
) -> None:
    project = _git_project(judged_project("defaults"), tmp_path / "project")
    planted = project / "src" / "planted"
    planted.mkdir()
    for name, text in PLANTED.items():
        (planted / name).write_text(text)
    subprocess.run(["git", "add", "--all"], cwd=project, check=True)
    result = run_judge(*_secret_scan_command(project), *_tracked(project), cwd=project)
    assert result.returncode != 0, "the scan passed with credentials in the tree"
    missed = [name for name in PLANTED if f"src/planted/{name}" not in result.stdout]
    assert missed == [], f"not reported: {missed}\n{result.stdout}"


@pytest.mark.parametrize("case", case_params())
def test_hadolint_finds_nothing(judged_project: Render, case: str) -> None:
    project = judged_project(case)
    # The lowest threshold: style-level findings fail too.
    result = run_judge(
        judge("hadolint"), "--no-color", "--failure-threshold=style", "Dockerfile", cwd=project
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


@pytest.mark.parametrize("case", case_params())
@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_overlays_build_and_match_the_kubernetes_schemas(
    judged_project: Render, case: str, overlay: str, tmp_path: Path
) -> None:
    project = judged_project(case)
    built = run_judge(judge("kubectl"), "kustomize", f"deploy/overlays/{overlay}", cwd=project)
    assert built.returncode == 0, built.stderr
    manifests = tmp_path / f"{overlay}.yaml"
    manifests.write_text(built.stdout)
    kinds = {d["kind"] for d in yaml.safe_load_all(built.stdout)}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
            "NetworkPolicy", "ConfigMap", "ServiceAccount"} <= kinds  # fmt: skip
    # --strict rejects any field the schema of the Kubernetes version does not know.
    validated = run_judge(
        judge("kubernetes-validate"), "--strict", "--quiet", str(manifests), cwd=project
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout.strip() == "", validated.stdout


@pytest.mark.parametrize("case", case_params())
def test_promtool_accepts_the_rules_and_their_unit_tests(judged_project: Render, case: str) -> None:
    folder = judged_project(case) / "deploy" / "monitoring"
    promtool = judge("promtool")
    checked = run_judge(promtool, "check", "rules", "--lint=all", "alerts.yml", cwd=folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout, checked.stdout
    assert "WARNING" not in checked.stdout, checked.stdout
    tested = run_judge(promtool, "test", "rules", "alerts.test.yml", cwd=folder)
    assert tested.returncode == 0, tested.stdout + tested.stderr
