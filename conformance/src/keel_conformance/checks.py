"""The checks. Each class is one rule: its docstring is the rule, `check` returns True when the
repository follows it, or a message (markdown) naming what is wrong.

Ids are KEEL<family><number>: 1xx answers and release, 2xx ownership, 3xx workflows, 4xx
settings, 5xx updates, 6xx tier controls. Never reuse an id; retire it instead.
"""

from __future__ import annotations

import ast
import re
from importlib.resources.abc import Traversable
from typing import Any, ClassVar

import yaml
from repo_review.families import Family

from .fixtures import ANSWERS_FILE

DOCS_URL = "https://github.com/YOUR-ORG/keel/blob/main/docs/reference/conformance.md"
# The oldest Keel release still supported; raised with each major release (see the release
# policy in Keel's docs/explanation/releases.md).
OLDEST_SUPPORTED_RELEASE = (0, 1, 0)
USER_OWNED = ("src/{package}/app_settings.py", "src/{package}/routes.py", "tests/test_routes.py")
OWNERSHIP_FILES = (".github/CODEOWNERS", "catalog-info.yaml", "OWNERSHIP.md")
PINNED = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
RELEASE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
SECRET_NAME = re.compile(
    r"(^|_)(password|passwd|secret|token|api_key|apikey|private_key|secret_key|access_key|credentials)$"
)
SECRET_TYPES = ("SecretStr", "SecretBytes")
CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", re.MULTILINE)
SKIPPED_FOLDERS = frozenset({".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache"})


def _path(root: Traversable, relative: str) -> Traversable:
    node = root
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node


def _read(root: Traversable, relative: str) -> str | None:
    path = _path(root, relative)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _package(answers: dict[str, Any]) -> str:
    return str(answers.get("package_name", ""))


class KeelCheck:
    family: ClassVar[str]
    requires: ClassVar[frozenset[str]] = frozenset()

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{type(self).__name__.lower()}"


# --- 1xx: answers and release ------------------------------------------------------------------


class KEEL101(KeelCheck):
    """The Keel answers file records the template source and release."""

    family = "keel-answers"

    @staticmethod
    def check(keel_answers: dict[str, Any]) -> bool | str:
        missing = [key for key in ("_src_path", "_commit") if not keel_answers.get(key)]
        if not keel_answers:
            return f"`{ANSWERS_FILE}` is missing or unreadable: the project cannot be updated."
        if missing:
            return f"`{ANSWERS_FILE}` lacks {', '.join(f'`{k}`' for k in missing)}."
        return True


class KEEL102(KeelCheck):
    """The recorded Keel release is within the supported window."""

    family = "keel-answers"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(keel_answers: dict[str, Any]) -> bool | str:
        commit = str(keel_answers["_commit"])
        match = RELEASE.match(commit)
        oldest = ".".join(map(str, OLDEST_SUPPORTED_RELEASE))
        if match is None:
            return f"`_commit` is `{commit}`, not a release tag: update to a tagged Keel release."
        if tuple(int(n) for n in match.groups()) < OLDEST_SUPPORTED_RELEASE:
            return f"Keel release `{commit}` is older than v{oldest}, the oldest supported: update."
        return True


# --- 2xx: ownership --------------------------------------------------------------------------


class KEEL201(KeelCheck):
    """CODEOWNERS, catalog-info.yaml and OWNERSHIP.md are present."""

    family = "keel-ownership"

    @staticmethod
    def check(root: Traversable) -> bool | str:
        missing = [name for name in OWNERSHIP_FILES if not _path(root, name).is_file()]
        return f"Missing: {', '.join(f'`{m}`' for m in missing)}." if missing else True


class KEEL202(KeelCheck):
    """CODEOWNERS, catalog-info.yaml and OWNERSHIP.md name the same owning team."""

    family = "keel-ownership"
    requires = frozenset({"KEEL201"})

    @staticmethod
    def check(root: Traversable) -> bool | str:
        codeowners = _read(root, ".github/CODEOWNERS") or ""
        rules = [line.split() for line in codeowners.splitlines() if line.startswith("*")]
        default = rules[0] if rules else []
        if len(default) < 2:
            return "`.github/CODEOWNERS` has no default (`*`) owner."
        owner = default[1]
        catalog = yaml.safe_load(_read(root, "catalog-info.yaml") or "") or {}
        catalog_owner = str(catalog.get("spec", {}).get("owner", ""))
        problems = []
        if catalog_owner != "group:" + owner.split("/", 1)[-1]:
            problems.append(f"catalog-info.yaml names `{catalog_owner}`")
        if f"`{owner}`" not in (_read(root, "OWNERSHIP.md") or ""):
            problems.append("OWNERSHIP.md does not name it")
        if problems:
            return f"CODEOWNERS names `{owner}`, but " + " and ".join(problems) + "."
        return True


class KEEL203(KeelCheck):
    """The user-owned files Keel's modules import (app settings, routes, their tests) exist."""

    family = "keel-ownership"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(root: Traversable, keel_answers: dict[str, Any]) -> bool | str:
        package = _package(keel_answers)
        wanted = [p.format(package=package) for p in USER_OWNED]
        missing = [p for p in wanted if not _path(root, p).is_file()]
        if missing:
            listed = ", ".join(f"`{m}`" for m in missing)
            return f"Missing {listed}: `copier update` would re-create them; keep them, even empty."
        return True


# --- 3xx: workflows --------------------------------------------------------------------------


def _steps_and_jobs(workflow: Any) -> list[dict[str, Any]]:
    if not isinstance(workflow, dict):
        return []
    jobs = workflow.get("jobs") or {}
    found: list[dict[str, Any]] = []
    for job in jobs.values():
        if isinstance(job, dict):
            found.append(job)
            found.extend(s for s in job.get("steps") or [] if isinstance(s, dict))
    return found


class KEEL301(KeelCheck):
    """Every GitHub Action used in a workflow is pinned to a full commit SHA."""

    family = "keel-workflows"

    @staticmethod
    def check(workflows: dict[str, Any]) -> bool | str:
        unpinned = [
            f"`{name}`: `{item['uses']}`"
            for name, workflow in workflows.items()
            for item in _steps_and_jobs(workflow)
            if isinstance(item.get("uses"), str)
            and not item["uses"].startswith(("./", "docker://"))
            and not PINNED.match(item["uses"])
        ]
        return ("Not pinned to a commit SHA: " + ", ".join(unpinned)) if unpinned else True


class KEEL302(KeelCheck):
    """Workflows grant no permissions by default; jobs ask for what they need."""

    family = "keel-workflows"

    @staticmethod
    def check(workflows: dict[str, Any]) -> bool | str:
        problems = []
        for name, workflow in workflows.items():
            if not isinstance(workflow, dict):
                problems.append(f"`{name}` is not a valid workflow")
                continue
            if workflow.get("permissions") != {}:
                problems.append(f"`{name}` does not set top-level `permissions: {{}}`")
            for job_name, job in (workflow.get("jobs") or {}).items():
                granted = job.get("permissions") if isinstance(job, dict) else None
                if isinstance(granted, str):
                    problems.append(f"`{name}` job `{job_name}` grants `{granted}`")
        return "; ".join(problems) + "." if problems else True


class KEEL303(KeelCheck):
    """The template-update workflow that proposes Keel updates is present."""

    family = "keel-workflows"

    @staticmethod
    def check(workflows: dict[str, Any]) -> bool | str:
        workflow = workflows.get("template-update.yml")
        if not isinstance(workflow, dict):
            return "`.github/workflows/template-update.yml` is missing: updates are not proposed."
        runs = " ".join(str(i.get("run", "")) for i in _steps_and_jobs(workflow))
        if "copier update" not in runs or "make conflicts" not in runs:
            return "`template-update.yml` no longer runs `copier update` and `make conflicts`."
        return True


# --- 4xx: settings ---------------------------------------------------------------------------


def _settings_modules(root: Traversable, package: str) -> dict[str, str]:
    folder = _path(root, f"src/{package}")
    if not package or not folder.is_dir():
        return {}
    return {
        f"src/{package}/{path.name}": path.read_text(encoding="utf-8")
        for path in folder.iterdir()
        if path.name.endswith("settings.py") and path.is_file()
    }


class KEEL401(KeelCheck):
    """Settings whose names say they hold secrets are typed SecretStr or SecretBytes."""

    family = "keel-settings"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(root: Traversable, keel_answers: dict[str, Any]) -> bool | str:
        plain = []
        for name, source in _settings_modules(root, _package(keel_answers)).items():
            for node in ast.walk(ast.parse(source)):
                if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                    continue
                annotation = ast.unparse(node.annotation)
                if SECRET_NAME.search(node.target.id.lower()) and not any(
                    t in annotation for t in SECRET_TYPES
                ):
                    plain.append(f"`{name}`: `{node.target.id}: {annotation}`")
        return ("Secrets typed as plain values: " + ", ".join(plain)) if plain else True


# --- 5xx: updates ----------------------------------------------------------------------------


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in node.iterdir():
        if child.name in SKIPPED_FOLDERS:
            continue
        relative = f"{prefix}{child.name}"
        if child.is_dir():
            found.extend(_walk(child, relative + "/"))
        elif child.is_file():
            found.append((relative, child))
    return found


class KEEL501(KeelCheck):
    """No unresolved `copier update` conflicts: no conflict markers, no .rej files."""

    family = "keel-updates"

    @staticmethod
    def check(root: Traversable) -> bool | str:
        leftovers = []
        for relative, path in _walk(root):
            if relative.endswith(".rej"):
                leftovers.append(relative)
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if CONFLICT_MARKER.search(text):
                leftovers.append(relative)
        if leftovers:
            return "Unresolved conflicts in: " + ", ".join(f"`{x}`" for x in leftovers)
        return True


class KEEL502(KeelCheck):
    """`make check` runs `make conflicts` first, so conflicts fail the build."""

    family = "keel-updates"

    @staticmethod
    def check(root: Traversable) -> bool | str:
        makefile = _read(root, "Makefile") or ""
        check = next((line for line in makefile.splitlines() if line.startswith("check:")), "")
        prerequisites = check.split(":", 1)[1].split("##")[0].split() if check else []
        if not makefile.count("\nconflicts:"):
            return "The Makefile has no `conflicts` target."
        if prerequisites[:1] != ["conflicts"]:
            return "`make check` does not run `conflicts` first."
        return True


# --- 6xx: controls the recorded tier requires ------------------------------------------------


class KEEL601(KeelCheck):
    """CodeQL runs in CI when the policy for the recorded tier requires it."""

    family = "keel-controls"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(keel_tier_policy: dict[str, Any], workflows: dict[str, Any]) -> bool | str | None:
        if not keel_tier_policy:
            return "The recorded `data_sensitivity` is not a tier of Keel's policy."
        if not keel_tier_policy.get("codeql"):
            return True
        used = [
            str(item.get("uses", ""))
            for workflow in workflows.values()
            for item in _steps_and_jobs(workflow)
        ]
        if not any(u.startswith("github/codeql-action/analyze@") for u in used):
            return "The tier requires CodeQL, but no workflow runs `github/codeql-action/analyze`."
        return True


class KEEL602(KeelCheck):
    """Secret scanning is set up: a detect-secrets baseline and its pre-commit hook."""

    family = "keel-controls"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(root: Traversable, keel_tier_policy: dict[str, Any]) -> bool | str:
        if "secret_scan" not in keel_tier_policy.get("ci_blocking", ["secret_scan"]):
            return True
        problems = []
        if not _path(root, ".secrets.baseline").is_file():
            problems.append("`.secrets.baseline` is missing")
        if "detect-secrets" not in (_read(root, ".pre-commit-config.yaml") or ""):
            problems.append("no detect-secrets hook in `.pre-commit-config.yaml`")
        return "; ".join(problems) + "." if problems else True


def _registered_components(source: str) -> set[str]:
    """Components given to the health registry: `register(registry, "name", ...)` or
    `HealthCheck(component="name", ...)` calls."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        callee = ast.unparse(node.func).rsplit(".", 1)[-1]
        arguments: list[ast.expr] = []
        if callee == "register" and len(node.args) >= 2:
            arguments.append(node.args[1])
        if callee == "HealthCheck":
            arguments.extend(k.value for k in node.keywords if k.arg == "component")
        found.update(
            a.value for a in arguments if isinstance(a, ast.Constant) and isinstance(a.value, str)
        )
    return found


class KEEL603(KeelCheck):
    """Readiness checks every integration the answers record."""

    family = "keel-controls"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(root: Traversable, keel_answers: dict[str, Any]) -> bool | str:
        wanted = [str(i) for i in keel_answers.get("integrations") or []]
        if not wanted:
            return True
        relative = f"src/{_package(keel_answers)}/integrations/lifespan.py"
        source = _read(root, relative)
        if source is None:
            return f"`{relative}` is missing: no integration is checked by readiness."
        try:
            registered = _registered_components(source)
        except SyntaxError:
            return f"`{relative}` does not parse."
        unchecked = [name for name in wanted if name not in registered]
        if unchecked:
            listed = ", ".join(f"`{name}`" for name in unchecked)
            return f"`{relative}` registers no readiness check for {listed}."
        return True


# Where each document the policy can require lives in a generated project.
DOCUMENTS = {
    "runbook": "docs/runbook.md",
    "security": "SECURITY.md",
    "decisions": "docs/decisions",
    "threat_model": "docs/threat-model.md",
    "model_card": "docs/model-card.md",
    "data_handling": "docs/data-handling.md",
    "risk_register": "docs/risk-register.md",
}
DECISION_RECORD = re.compile(r"^\d{4}-[\w-]+\.md$")


def _document_present(root: Traversable, relative: str) -> bool:
    path = _path(root, relative)
    if path.is_dir():
        return any(DECISION_RECORD.match(child.name) for child in path.iterdir())
    return path.is_file() and bool(path.read_text(encoding="utf-8").strip())


class KEEL604(KeelCheck):
    """The documents the policy requires for the recorded tier are present and not empty."""

    family = "keel-controls"
    requires = frozenset({"KEEL101"})

    @staticmethod
    def check(root: Traversable, keel_tier_policy: dict[str, Any]) -> bool | str:
        required = [str(d) for d in keel_tier_policy.get("documents") or []]
        unknown = [d for d in required if d not in DOCUMENTS]
        if unknown:
            return f"The policy requires documents this checker does not know: {unknown}."
        missing = [
            f"`{DOCUMENTS[d]}` ({d})" for d in required if not _document_present(root, DOCUMENTS[d])
        ]
        if missing:
            return "Required by the tier but missing or empty: " + ", ".join(missing) + "."
        return True


CHECKS: tuple[type[KeelCheck], ...] = (
    KEEL101, KEEL102, KEEL201, KEEL202, KEEL203, KEEL301, KEEL302, KEEL303,
    KEEL401, KEEL501, KEEL502, KEEL601, KEEL602, KEEL603, KEEL604,
)  # fmt: skip

FAMILIES: dict[str, Family] = {
    "keel-answers": {"name": "Keel answers and release", "order": 1},
    "keel-ownership": {"name": "Ownership", "order": 2},
    "keel-workflows": {"name": "GitHub workflows", "order": 3},
    "keel-settings": {"name": "Settings", "order": 4},
    "keel-updates": {"name": "Template updates", "order": 5},
    "keel-controls": {"name": "Controls required by the tier", "order": 6},
}


def repo_review_checks() -> dict[str, KeelCheck]:
    return {check.__name__: check() for check in CHECKS}


def repo_review_families() -> dict[str, Family]:
    return FAMILIES
