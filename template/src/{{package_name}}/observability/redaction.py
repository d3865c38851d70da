"""Keep secrets out of log lines.

A structlog processor that replaces the value of any secret-like key, anywhere in the event
(nested dicts and lists included), and masks token-shaped substrings in free text such as
exception messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from pydantic import SecretBytes, SecretStr

REDACTED = "[REDACTED]"

SECRET_KEY = re.compile(
    r"passw(or)?d|secret|authori[sz]ation|cookie|credential|api[-_]?key|private[-_]?key"
    r"|access[-_]?key|signature|session[-_]?id|connection[-_]?string|(^|[-_.])(dsn|token)$",
    re.IGNORECASE,
)

# Credentials that show up inside free text: bearer tokens, common provider key shapes,
# passwords inside connection URLs.
SECRET_TEXT = re.compile(
    r"(?P<bearer>(?i:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|(?P<key>\b(sk|rk|pk)-[A-Za-z0-9_-]{16,})"
    r"|(?P<aws>\bAKIA[0-9A-Z]{16}\b)"
    r"|(?P<url>(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
)


def _mask_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("bearer"):
            return match.group("bearer") + REDACTED
        return REDACTED

    return SECRET_TEXT.sub(replace, text)


def redact(value: Any, key: str = "") -> Any:
    if key and SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, SecretStr | SecretBytes):
        return REDACTED
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    return value


def redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: run last before rendering, after exceptions are formatted."""
    for key, value in list(event_dict.items()):
        event_dict[key] = redact(value, key)
    return event_dict
