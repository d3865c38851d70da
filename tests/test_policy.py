"""The policy file: its shape, and that the questionnaire offers what it names."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from .support import INTEGRATIONS, PROVIDERS, TIERS, policy

TIER_KEYS: dict[str, type | tuple[type, ...]] = {
    "summary": str,
    "llm_providers": list,
    "integrations": list,
    "critical_providers": list,
    "authentication": dict,
    "log_redaction": str,
    "pii_patterns": list,
    "national_id_formats": dict,
    "prompt_capture": str,
    "audit_log": str,
    "retention_days": dict,
    "ci_blocking": list,
    "codeql": bool,
    "s3_server_side_encryption": bool,
    "documents": list,
    "automation_levels": list,
}
ALLOWED_VALUES = {
    "log_redaction": {"secrets", "pii"},
    "prompt_capture": {"opt_in", "never"},
    "audit_log": {"off", "on", "tamper_evident"},
}
ALLOWED_ITEMS = {
    "llm_providers": set(PROVIDERS),
    "critical_providers": set(PROVIDERS),
    "integrations": set(INTEGRATIONS),
    "ci_blocking": {"secret_scan", "dependency_audit", "workflow_audit", "codeql"},
    "documents": {
        "runbook", "security", "decisions", "threat_model", "model_card", "data_handling",
        "risk_register",
    },
    "automation_levels": {"suggest", "approve", "autonomous"},
    "pii_patterns": {"email", "phone", "payment_card", "iban", "national_id"},
}  # fmt: skip


def test_policy_defines_every_tier_in_order() -> None:
    assert tuple(policy()["tiers"]) == TIERS


@pytest.mark.parametrize("tier", TIERS)
def test_tier_has_exactly_the_documented_keys_with_valid_values(tier: str) -> None:
    spec: dict[str, Any] = policy()["tiers"][tier]
    assert set(spec) == set(TIER_KEYS)
    for key, kind in TIER_KEYS.items():
        assert isinstance(spec[key], kind), f"{tier}.{key} must be {kind}"
    for key, allowed in ALLOWED_VALUES.items():
        assert spec[key] in allowed, f"{tier}.{key}={spec[key]!r} not in {sorted(allowed)}"
    for key, allowed_items in ALLOWED_ITEMS.items():
        unknown = set(spec[key]) - allowed_items
        assert unknown == set(), f"{tier}.{key} names unknown values {sorted(unknown)}"
    assert set(spec["critical_providers"]) <= set(spec["llm_providers"])
    assert set(spec["authentication"]) == {"required", "kinds"}
    assert set(spec["authentication"]["kinds"]) <= {"api_key", "oidc"}
    assert spec["automation_levels"], f"{tier} must allow at least one automation level"


def test_tiers_only_tighten_as_sensitivity_rises() -> None:
    tiers = policy()["tiers"]
    for lower, higher in itertools.pairwise(TIERS):
        assert set(tiers[higher]["llm_providers"]) <= set(tiers[lower]["llm_providers"])
        assert set(tiers[higher]["documents"]) >= set(tiers[lower]["documents"])
        assert set(tiers[higher]["automation_levels"]) <= set(tiers[lower]["automation_levels"])


@pytest.mark.parametrize("tier", TIERS)
def test_pii_redaction_names_its_patterns_and_valid_national_id_formats(tier: str) -> None:
    spec: dict[str, Any] = policy()["tiers"][tier]
    masks_pii = spec["log_redaction"] == "pii"
    assert bool(spec["pii_patterns"]) == masks_pii, f"{tier}: pii_patterns must match log_redaction"
    assert bool(spec["national_id_formats"]) == ("national_id" in spec["pii_patterns"])
    for name, pattern in spec["national_id_formats"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), f"{tier}: bad format name {name!r}"
        re.compile(pattern)  # a broken expression fails here, not in a service's log pipeline
        # Rendered into Python source as a JSON string: keep characters Jinja escapes out.
        assert not set(pattern) & set("<>&'"), f"{tier}.{name} uses a character Jinja escapes"
