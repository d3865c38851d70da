"""Keep secrets and personal data out of log lines.

A structlog processor that replaces the value of any secret-like key, anywhere in the event
(nested dicts and lists included), and masks token-shaped substrings in free text such as
exception messages. Where the tier's policy says `log_redaction: pii` it also masks the personal
data patterns the policy lists: e-mail addresses, phone numbers, payment card numbers (Luhn
checked), IBANs (checksum checked) and the national identity number formats named in policy.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from pydantic import SecretBytes, SecretStr

from .. import policy

REDACTED = "[REDACTED]"

SECRET_KEY = re.compile(
    r"passw(or)?d|secret|authori[sz]ation|cookie|credential|api[-_]?key|private[-_]?key"
    r"|access[-_]?key|signature|session[-_]?id|connection[-_]?string|(^|[-_.])(dsn|token)$",
    re.IGNORECASE,
)

# Credentials that show up inside free text: bearer tokens, common provider key shapes,
# passwords inside connection URLs, and secret-named assignments (password=..., "token": ...).
SECRET_TEXT = re.compile(
    r"(?P<bearer>(?i:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|(?P<key>\b(sk|rk|pk)-[A-Za-z0-9_-]{16,})"
    r"|(?P<aws>\bAKIA[0-9A-Z]{16}\b)"
    r"|(?P<url>(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
    r"|(?P<assign>(?i:passw(?:or)?d|secret|token|api[-_]?key)[\"']?\s*[=:]\s*[\"']?)[^\s,;&\"']+"
)


# Identifiers the service itself writes on every line; they are never personal data, and masking
# a digit run inside a trace id would break correlation.
PII_EXEMPT_KEYS = frozenset({"timestamp", "trace_id", "span_id", "request_id", "level", "logger"})


def luhn_valid(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _phone_digits_plausible(candidate: str) -> bool:
    return 7 <= sum(c.isdigit() for c in candidate) <= 15


Validator = Callable[[str], bool]
PII_DETECTORS: dict[str, tuple[re.Pattern[str], Validator | None]] = {
    "payment_card": (re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])"), luhn_valid),
    "iban": (
        re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
        iban_valid,
    ),
    "email": (
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        None,
    ),
    "phone": (
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(?\d{1,4}\)?[ .-]?){1,4}\d{2,4}"
            r"|\(?0\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}"
            r"|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})(?!\w)"
        ),
        _phone_digits_plausible,
    ),
}
# IBANs and cards run first and phone numbers last: the looser patterns would otherwise take
# digit runs that a stricter, checksum-validated pattern should have named.
DETECTION_ORDER = ("iban", "payment_card", "email", "national_id", "phone")


def _pii_detectors() -> list[tuple[str, re.Pattern[str], Validator | None]]:
    """The detectors the tier's policy asks for, in the order they must run."""
    if policy.LOG_REDACTION != "pii":
        return []
    chosen: list[tuple[str, re.Pattern[str], Validator | None]] = []
    for name in DETECTION_ORDER:
        if name not in policy.PII_PATTERNS:
            continue
        if name == "national_id":
            chosen += [(name, re.compile(p), None) for p in policy.NATIONAL_ID_FORMATS.values()]
        else:
            chosen.append((name, *PII_DETECTORS[name]))
    return chosen


ACTIVE_PII_DETECTORS = _pii_detectors()


def _mask_matches(text: str, kind: str, pattern: re.Pattern[str], valid: Validator | None) -> str:
    parts: list[str] = []
    position = kept_until = 0
    while match := pattern.search(text, position):
        if valid is None or valid(match.group()):
            parts += [text[kept_until : match.start()], f"[REDACTED:{kind}]"]
            position = kept_until = match.end()
        else:
            # A look-alike that fails its checksum may hide a real one starting inside it.
            position = match.start() + 1
    return "".join([*parts, text[kept_until:]])


def mask_pii(text: str) -> str:
    for kind, pattern, valid in ACTIVE_PII_DETECTORS:
        text = _mask_matches(text, kind, pattern, valid)
    return text


def _mask_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        prefix = match.group("bearer") or match.group("assign")
        return prefix + REDACTED if prefix else REDACTED

    return SECRET_TEXT.sub(replace, text)


def redact(value: Any, key: str = "") -> Any:
    if key and SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, SecretStr | SecretBytes):
        return REDACTED
    if isinstance(value, str):
        masked = _mask_text(value)
        return masked if key in PII_EXEMPT_KEYS else mask_pii(masked)
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
