"""API keys: random, shown once, stored only as digests.

A SHA-256 digest is enough here: the keys are 256-bit random values, so there is nothing to
guess offline, and a slow password hash would only add latency to every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from .principal import Principal
from .settings import ApiKeyRecord

# "sk-" keys are masked by the log redaction wherever they appear in free text.
KEY_PREFIX = "sk-"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyVerifier:
    def __init__(self, records: Sequence[ApiKeyRecord]) -> None:
        self._records = tuple(records)

    def verify(self, presented: str) -> Principal | None:
        presented_digest = digest(presented)
        found: ApiKeyRecord | None = None
        # Compare against every record in constant time, so timing tells nothing.
        for record in self._records:
            if hmac.compare_digest(record.sha256, presented_digest):
                found = record
        if found is None:
            return None
        return Principal(f"client:{found.name}", "api_key", frozenset(found.scopes))
