"""Who is calling, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Scope(StrEnum):
    """Permissions a credential can carry. Grant each caller only the ones it needs."""

    INVOKE = "ai:invoke"  # ask the AI for a decision
    REVIEW = "decisions:review"  # approve, reject or record the outcome of a decision
    METRICS = "metrics:read"  # scrape /metrics


Method = Literal["api_key", "oidc", "anonymous"]


@dataclass(frozen=True)
class Principal:
    subject: str
    method: Method
    scopes: frozenset[str]

    def has(self, scope: Scope) -> bool:
        return scope.value in self.scopes


# Used only where the policy does not require authentication and none is configured.
ANONYMOUS = Principal("anonymous", "anonymous", frozenset(s.value for s in Scope))
