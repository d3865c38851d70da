"""Which answers call for which files: the one map the render matrix checks against.

Every path listed here must appear exactly when its condition holds. A path is a file or a
folder prefix. Add a line here whenever the template gains a conditional file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .support import policy

Answers = dict[str, Any]


def _tier_at_least(tier: str) -> Callable[[Answers], bool]:
    order = ["public", "internal", "confidential", "restricted"]
    return lambda a: order.index(a["data_sensitivity"]) >= order.index(tier)


def _integration(name: str) -> Callable[[Answers], bool]:
    return lambda a: name in a["integrations"]


def _any_integration(answers: Answers) -> bool:
    return bool(answers["integrations"])


def _provider(name: str) -> Callable[[Answers], bool]:
    return lambda a: name in a["llm_providers"]


def _any_provider(*names: str) -> Callable[[Answers], bool]:
    return lambda a: any(name in a["llm_providers"] for name in names)


def _llm_rules(package: str) -> dict[str, Callable[[Answers], bool]]:
    return {
        f"{package}/llm/openai_sdk.py": _any_provider(
            "openai", "azure_openai", "openai_compatible"
        ),
        f"{package}/llm/anthropic_sdk.py": _provider("anthropic"),
        f"{package}/llm/bedrock.py": _provider("aws_bedrock"),
        "tests/provider_server.py": lambda a: bool(a["llm_providers"]),
        "tests/test_llm_providers.py": lambda a: bool(a["llm_providers"]),
    }


def _document(name: str) -> Callable[[Answers], bool]:
    """Documents the tier's policy requires (policy.yml `documents`)."""
    return lambda a: name in policy()["tiers"][a["data_sensitivity"]]["documents"]


def conditional_paths(answers: Answers) -> dict[str, bool]:
    package = f"src/{answers['package_name']}"
    rules: dict[str, Callable[[Answers], bool]] = {
        # Integrations: each one's code, tests and migrations; shared test helpers and docs.
        f"{package}/integrations/postgres": _integration("postgres"),
        "alembic.ini": _integration("postgres"),
        "tests/test_postgres.py": _integration("postgres"),
        "tests/databases.py": _integration("postgres"),
        f"{package}/integrations/pgvector": _integration("pgvector"),
        f"{package}/integrations/postgres/migrations/versions/v0002_embeddings.py": _integration(
            "pgvector"
        ),
        "tests/test_pgvector.py": _integration("pgvector"),
        f"{package}/integrations/rabbitmq": _integration("rabbitmq"),
        "tests/test_rabbitmq.py": _integration("rabbitmq"),
        f"{package}/integrations/s3": _integration("s3"),
        "tests/test_s3.py": _integration("s3"),
        f"{package}/integrations/redis": _integration("redis"),
        "tests/test_redis.py": _integration("redis"),
        "tests/services.py": _any_integration,
        "docs/integrations.md": _any_integration,
        # Audit trail of AI decisions from confidential up (policy audit_log).
        f"{package}/audit.py": _tier_at_least("confidential"),
        "tests/test_audit.py": _tier_at_least("confidential"),
        "docs/runbook.md": _document("runbook"),
        "SECURITY.md": _document("security"),
        "docs/decisions": _document("decisions"),
        "docs/threat-model.md": _document("threat_model"),
        "docs/model-card.md": _document("model_card"),
        "docs/data-handling.md": _document("data_handling"),
        "docs/risk-register.md": _document("risk_register"),
    }
    rules.update(_llm_rules(package))
    return {path: rule(answers) for path, rule in rules.items()}
