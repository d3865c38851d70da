"""Every control policy.yml names is on in the generated output of its tier.

The test walks the policy: for each tier and each of its keys it runs that key's checker against a
render of the tier (with everything the tier allows chosen). A key without a checker fails, so a
control added to the policy cannot stay unimplemented. Where the generated code can run without
the project's own dependencies (redaction, audit, retention), the checker runs it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import INTEGRATIONS, PROVIDERS, TIERS, answers_with, policy, render, rendered_files

PACKAGE = "claims_assistant"
SOURCE = Path("src") / PACKAGE
DOCUMENT_PATHS = {
    "runbook": "docs/runbook.md",
    "security": "SECURITY.md",
    "decisions": "docs/decisions/0001-record-architecture-decisions.md",
    "threat_model": "docs/threat-model.md",
    "model_card": "docs/model-card.md",
    "data_handling": "docs/data-handling.md",
    "risk_register": "docs/risk-register.md",
}
SECURITY_JOBS = {
    "secret_scan": "secret-scan",
    "dependency_audit": "dependency-audit",
    "workflow_audit": "workflow-audit",
    "codeql": "codeql",
}


def tier_answers(tier: str) -> dict[str, Any]:
    spec = policy()["tiers"][tier]
    return answers_with(
        data_sensitivity=tier,
        integrations=[i for i in INTEGRATIONS if i in spec["integrations"]],
        llm_providers=[p for p in PROVIDERS if p in spec["llm_providers"]],
        automation_level=spec["automation_levels"][-1],
    )


COLLECTIONS: dict[str, Callable[..., Any]] = {"frozenset": frozenset, "set": set, "tuple": tuple}


def _literal(node: ast.expr) -> Any:
    """A literal, or a literal wrapped in frozenset(...), set(...) or tuple(...)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        build = COLLECTIONS[node.func.id]
        return build(*(ast.literal_eval(argument) for argument in node.args))
    return ast.literal_eval(node)


@dataclass(frozen=True)
class Context:
    tier: str
    spec: dict[str, Any]
    project: Path
    template: Path
    scratch: Path

    def text(self, relative: str) -> str:
        return (self.project / relative).read_text()

    def constant(self, relative: str, name: str) -> Any:
        """The literal value a generated module assigns to `name`."""
        for node in ast.parse(self.text(relative)).body:
            if isinstance(node, ast.AnnAssign | ast.Assign):
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    assert node.value is not None
                    return _literal(node.value)
        raise AssertionError(f"{relative} assigns no {name}")

    def policy_constant(self, name: str) -> Any:
        return self.constant(str(SOURCE / "policy.py"), name)

    def run(self, code: str) -> Any:
        """Run code against the generated package (stdlib and pydantic only); return its JSON."""
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=self.scratch,
            env={"PYTHONPATH": str(self.project / "src"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def refused(self, **delta: Any) -> str:
        answers = tier_answers(self.tier) | delta
        with pytest.raises(ValueError, match="Validation error") as caught:
            render(self.template, self.scratch / "refused", answers)
        return str(caught.value)


def owned_elsewhere(found: bool, what: str) -> None:
    """Controls other parts of the template implement: name the missing part when absent."""
    assert found, f"not in the generated output: {what}"


# ------------------------------------------------------------------------------------ checkers


def check_summary(c: Context) -> None:
    assert c.spec["summary"] in c.text("docs/decisions/0002-data-sensitivity-tier.md")


def _check_choices(c: Context, key: str, everything: tuple[str, ...], label: str) -> None:
    refused = [x for x in everything if x not in c.spec[key]]
    for value in refused[:1]:
        message = c.refused(**{key: [value]})
        assert f"may not use {label} '{value}'" in message
    chosen = yaml.safe_load(c.text(".copier-answers.yml"))[key]
    assert chosen == [x for x in everything if x in c.spec[key]]


def check_llm_providers(c: Context) -> None:
    _check_choices(c, "llm_providers", PROVIDERS, "LLM provider")


def check_integrations(c: Context) -> None:
    _check_choices(c, "integrations", INTEGRATIONS, "integration")


def check_critical_providers(c: Context) -> None:
    factory = c.project / SOURCE / "llm" / "factory.py"
    found = factory.exists() and "CRITICAL_PROVIDERS" in factory.read_text()
    owned_elsewhere(found, "CRITICAL_PROVIDERS in the LLM provider factory")
    assert c.constant(str(SOURCE / "llm" / "factory.py"), "CRITICAL_PROVIDERS") == set(
        c.spec["critical_providers"]
    )


def check_authentication(c: Context) -> None:
    required, kinds = c.spec["authentication"]["required"], c.spec["authentication"]["kinds"]
    assert c.policy_constant("AUTHENTICATION_REQUIRED") is required
    assert c.policy_constant("AUTHENTICATION_KINDS") == tuple(kinds)
    app = c.text(str(SOURCE / "app.py"))
    assert "dependencies=[Depends(get_principal)]" in app
    assert "require_scope(Scope.METRICS)" in app
    tests = c.text("tests/test_auth.py")
    assert ("def test_production_refuses_to_start_without_authentication" in tests) is required
    assert ("def test_api_keys_authenticate_and_carry_their_scopes" in tests) is (
        "api_key" in kinds
    )
    assert ("def test_api_keys_are_refused_at_this_tier" in tests) is ("api_key" not in kinds)
    for attack in ("alg-none", "hs256-confusion", "expired", "wrong-audience", "tampered-claims"):
        assert f'"{attack}"' in tests, f"no {attack} case in the project's auth tests"


PII_SAMPLES = {
    "email": "jane.doe@example.org",
    "phone": "+44 20 7946 0958",
    "payment_card": "4111 1111 1111 1111",
    "iban": "GB82 WEST 1234 5698 7654 32",
}


def _redacted(c: Context, samples: list[str]) -> list[str]:
    result: list[str] = c.run(
        f"""
        import json
        from {PACKAGE}.observability.redaction import redact
        print(json.dumps([redact(s) for s in {samples!r}]))
        """
    )
    return result


def check_log_redaction(c: Context) -> None:
    assert c.policy_constant("LOG_REDACTION") == c.spec["log_redaction"]
    secret, email = _redacted(c, ["password=hunter2-canary", PII_SAMPLES["email"]])
    assert "hunter2-canary" not in secret
    assert (PII_SAMPLES["email"] not in email) is (c.spec["log_redaction"] == "pii")


def check_pii_patterns(c: Context) -> None:
    assert c.policy_constant("PII_PATTERNS") == tuple(c.spec["pii_patterns"])
    kinds = [k for k in PII_SAMPLES if k in c.spec["pii_patterns"]]
    masked = _redacted(c, [PII_SAMPLES[k] for k in kinds])
    assert masked == [f"[REDACTED:{k}]" for k in kinds]
    canaries = c.text("tests/test_logging.py")
    for kind in kinds:
        assert f'"{kind}":' in canaries, f"no canary for {kind} in the project's log tests"


NATIONAL_ID_SAMPLES = {
    "us_ssn": "078-05-1120",
    "uk_nino": "AB 12 34 56 C",
    "nl_bsn": "1112.22.333",
    "de_tax_id": "65 929 970 489",
}


def check_national_id_formats(c: Context) -> None:
    formats = c.spec["national_id_formats"]
    assert c.policy_constant("NATIONAL_ID_FORMATS") == formats
    canaries = c.text("tests/test_logging.py")
    missing = [name for name in formats if name not in NATIONAL_ID_SAMPLES]
    assert missing == [], f"add a sample of national id formats {missing} to this checker"
    for name in formats:
        assert f'"national_id:{name}":' in canaries, f"no canary for national id {name}"
    samples = [f"id {NATIONAL_ID_SAMPLES[name]}" for name in formats]
    assert _redacted(c, samples) == ["id [REDACTED:national_id]"] * len(samples)


def check_prompt_capture(c: Context) -> None:
    settings = c.project / SOURCE / "llm" / "settings.py"
    found = settings.exists() and "PROMPT_CAPTURE_ALLOWED" in settings.read_text()
    owned_elsewhere(found, "PROMPT_CAPTURE_ALLOWED in the LLM settings")
    allowed = c.constant(str(SOURCE / "llm" / "settings.py"), "PROMPT_CAPTURE_ALLOWED")
    assert allowed is (c.spec["prompt_capture"] == "opt_in")


def check_audit_log(c: Context) -> None:
    level = c.spec["audit_log"]
    assert c.policy_constant("AUDIT_LOG") == level
    trail = c.project / SOURCE / "audit.py"
    assert trail.exists() is (level != "off")
    assert (c.project / "tests" / "test_audit.py").exists() is (level != "off")
    if level == "off":
        return
    outcome = c.run(
        f"""
        import json
        from pathlib import Path
        from {PACKAGE} import audit
        path = Path("trail.jsonl")
        writer = audit.AuditTrail(audit.AuditSettings(path=path))
        for n in range(3):
            writer.append({{"event": "ai.decision", "input_sha256": str(n)}})
        records = [json.loads(line) for line in path.read_text().splitlines()]
        result = {{"records": records}}
        if hasattr(audit, "verify_chain"):
            lines = path.read_text().splitlines()
            forged = json.loads(lines[1]) | {{"actor": "mallory"}}
            lines[1] = json.dumps(forged)
            path.write_text("\\n".join(lines) + "\\n")
            result["first_bad"] = audit.verify_chain(path).first_bad
        print(json.dumps(result))
        """
    )
    assert len(outcome["records"]) == 3
    chained = "hash" in outcome["records"][0]
    assert chained is (level == "tamper_evident")
    if chained:
        assert outcome["first_bad"] == 2
        assert "def _verify" in c.text(str(SOURCE / "admin.py"))


def check_retention_days(c: Context) -> None:
    days = c.spec["retention_days"]
    defaults = c.run(
        f"""
        import json
        from {PACKAGE}.retention import RetentionSettings
        print(RetentionSettings().model_dump_json(exclude={{"log_file"}}))
        """
    )
    assert defaults == {f"{kind}_days": value for kind, value in days.items()}
    admin = c.text(str(SOURCE / "admin.py"))
    assert '"purge"' in admin
    assert ("purge_decisions(" in admin) is ("decisions" in days)


def _security_jobs(c: Context) -> dict[str, Any]:
    workflow = yaml.safe_load(c.text(".github/workflows/security.yml"))
    jobs: dict[str, Any] = workflow["jobs"]
    return jobs


def check_ci_blocking(c: Context) -> None:
    jobs = _security_jobs(c)
    for control in c.spec["ci_blocking"]:
        job = jobs.get(SECURITY_JOBS[control])
        assert job is not None, f"no {SECURITY_JOBS[control]} job in security.yml"
        assert job.get("continue-on-error") is False, f"{control} must block at {c.tier}"
    for control, name in SECURITY_JOBS.items():
        if control not in c.spec["ci_blocking"] and name in jobs:
            assert jobs[name].get("continue-on-error") is True, f"{control} must only warn"


def check_codeql(c: Context) -> None:
    assert ("codeql" in _security_jobs(c)) is c.spec["codeql"]


def check_s3_server_side_encryption(c: Context) -> None:
    settings = SOURCE / "integrations" / "s3" / "settings.py"
    owned_elsewhere((c.project / settings).exists(), "the S3 integration's settings")
    required = c.constant(str(settings), "ENCRYPTION_REQUIRED")
    assert required is c.spec["s3_server_side_encryption"]
    assert '"ServerSideEncryption"' in c.text(str(SOURCE / "integrations" / "s3" / "client.py"))


def check_documents(c: Context) -> None:
    for document, path in DOCUMENT_PATHS.items():
        wanted = document in c.spec["documents"]
        assert (c.project / path).exists() is wanted, f"{path} at {c.tier}"
        if wanted:
            text = c.text(path)
            assert "Claims Assistant" in text or "claims_assistant" in text, path
            assert "lorem" not in text.lower()
    if "runbook" in c.spec["documents"]:
        # The runbook sends on-call to the alert-by-alert steps, which every project has.
        assert "](alerts-runbook.md)" in c.text(DOCUMENT_PATHS["runbook"])
        assert (c.project / "docs" / "alerts-runbook.md").is_file()


def check_automation_levels(c: Context) -> None:
    allowed = c.spec["automation_levels"]
    assert c.policy_constant("AUTOMATION_LEVELS_ALLOWED") == tuple(allowed)
    for level in ("suggest", "approve", "autonomous"):
        if level not in allowed:
            message = c.refused(automation_level=level)
            assert f"may not use automation level '{level}'" in message
            break
    chosen = allowed[-1]
    assert c.policy_constant("AUTOMATION_LEVEL") == chosen
    review = {
        "suggest": "def test_output_is_a_suggestion_and_a_person_records_the_decision",
        "approve": "def test_output_is_held_until_another_person_approves",
        "autonomous": "def test_the_ai_acts_alone_and_there_is_nothing_to_review",
    }
    assert review[chosen] in c.text("tests/test_decisions.py")


CHECKERS: dict[str, Callable[[Context], None]] = {
    "summary": check_summary,
    "llm_providers": check_llm_providers,
    "integrations": check_integrations,
    "critical_providers": check_critical_providers,
    "authentication": check_authentication,
    "log_redaction": check_log_redaction,
    "pii_patterns": check_pii_patterns,
    "national_id_formats": check_national_id_formats,
    "prompt_capture": check_prompt_capture,
    "audit_log": check_audit_log,
    "retention_days": check_retention_days,
    "ci_blocking": check_ci_blocking,
    "codeql": check_codeql,
    "s3_server_side_encryption": check_s3_server_side_encryption,
    "documents": check_documents,
    "automation_levels": check_automation_levels,
}


@pytest.fixture(scope="module")
def project_for(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Renders each tier once, on first use, with everything the tier allows chosen."""
    projects: dict[str, Path] = {}

    def render_tier(tier: str) -> Path:
        if tier not in projects:
            destination = tmp_path_factory.mktemp(f"controls-{tier}") / "project"
            projects[tier] = render(template, destination, tier_answers(tier))
        return projects[tier]

    return render_tier


CASES = [
    pytest.param(tier, key, id=f"{tier}-{key}", marks=pytest.mark.xdist_group(f"controls-{tier}"))
    for tier in TIERS
    for key in policy()["tiers"][tier]
]


@pytest.mark.parametrize(("tier", "key"), CASES)
def test_every_policy_control_is_on_in_its_tier(
    tier: str, key: str, project_for: Callable[[str], Path], template: Path, tmp_path: Path
) -> None:
    checker = CHECKERS.get(key)
    assert checker is not None, (
        f"policy.yml names control {key!r} but tests/test_controls.py has no checker for it: "
        "implement the control in the template, then add a checker that proves it is on"
    )
    spec = policy()["tiers"][tier]
    checker(Context(tier, spec, project_for(tier), template, tmp_path))


# Paths whose changes decide who may call the service, what reaches logs, what is audited and kept,
# and how it is built and deployed. Globs over the rendered files.
SECURITY_RELEVANT = (
    ".github/workflows/*",
    ".github/CODEOWNERS",
    "src/*/auth/*",
    "src/*/observability/redaction.py",
    "src/*/audit.py",
    "src/*/policy.py",
    "src/*/settings.py",
    "deploy/*",
)


def _codeowners_module(project: Path) -> Any:
    """The generated project's own CODEOWNERS reader, so both suites read it the same way."""
    spec = importlib.util.spec_from_file_location(
        f"codeowners_{id(project)}", project / "tests" / "codeowners.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "tier", [pytest.param(t, marks=pytest.mark.xdist_group(f"controls-{t}")) for t in TIERS]
)
def test_codeowners_read_as_github_does_gives_security_paths_to_the_steward(
    tier: str, project_for: Callable[[str], Path]
) -> None:
    project = project_for(tier)
    answers = tier_answers(tier)
    reader = _codeowners_module(project)
    rules = reader.load(project)
    files = sorted(rendered_files(project))
    owner, steward = answers["owner_team"], answers.get("data_steward")
    assert [f for f in files if owner not in reader.owners_of(rules, f)] == []
    security = [f for f in files if any(Path(f).match(glob) for glob in SECURITY_RELEVANT)]
    assert len(security) >= 8, security
    needs_steward = tier in ("confidential", "restricted")
    for path in security:
        assert (steward in reader.owners_of(rules, path)) is needs_steward, path
    assert steward is None or steward not in reader.owners_of(rules, "README.md")
    # The later, narrower rule wins over the catch-all, as on GitHub.
    assert reader.owners_of(rules, "a-file-nobody-named.txt") == (owner,)


@pytest.mark.parametrize(
    "tier", [pytest.param(t, marks=pytest.mark.xdist_group(f"controls-{t}")) for t in TIERS]
)
def test_catalog_and_ownership_carry_the_owner_answers(
    tier: str, project_for: Callable[[str], Path]
) -> None:
    project = project_for(tier)
    answers = tier_answers(tier)
    catalog = yaml.safe_load((project / "catalog-info.yaml").read_text())
    assert catalog["spec"]["owner"] == "group:" + answers["owner_team"].split("/", 1)[1]
    assert catalog["spec"]["system"] == answers["system"]
    assert catalog["spec"]["lifecycle"] == answers["lifecycle"]
    assert catalog["metadata"]["annotations"]["pagerduty.com/service-id"] == "P1A2B3C"
    links = {link["title"]: link["url"] for link in catalog["metadata"]["links"]}
    assert links["Runbook"] == "./docs/runbook.md"
    assert links["Dashboard"] == answers["dashboard_url"]
    ownership = (project / "OWNERSHIP.md").read_text()
    for answer in ("oncall", "escalation_contact", "support_hours", "support_channel"):
        assert answers[answer] in ownership, answer
    assert (f"`{answers.get('data_steward')}`" in ownership) is ("data_steward" in answers)
