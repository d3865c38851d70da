"""The errors every LLM call can raise, whatever the provider.

Callers catch these, never an SDK's own exceptions: adapters translate at the boundary, so
switching providers changes no error handling. `retryable` tells the client whether another
attempt may succeed; retryable errors are also the ones that count against the circuit breaker.
Messages name the provider and the HTTP status at most: never a prompt, a key or a host.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import ClassVar


class LLMError(Exception):
    """Base of every LLM failure. `kind` is the `error.type` recorded in telemetry."""

    kind: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMTimeoutError(LLMError):
    """The provider did not answer within the configured timeout."""

    kind = "timeout"
    retryable = True


class LLMRateLimitError(LLMError):
    """The provider refused the call for now (HTTP 429); `retry_after` says when to come back."""

    kind = "rate_limited"
    retryable = True


class LLMUnavailableError(LLMError):
    """The provider could not be reached or failed on its side (connection errors, HTTP 5xx)."""

    kind = "unavailable"
    retryable = True


class LLMAuthenticationError(LLMError):
    """The credentials were refused (HTTP 401 or 403). Retrying cannot help."""

    kind = "authentication"


class LLMRequestError(LLMError):
    """The provider rejected the request itself (another HTTP 4xx): a bug or an unknown model."""

    kind = "bad_request"


class LLMResponseError(LLMError):
    """The provider answered with a body this service cannot read."""

    kind = "malformed_response"


class LLMUnsupportedError(LLMError):
    """The provider has no such operation (for example embeddings on Anthropic)."""

    kind = "unsupported"


class CircuitOpenError(LLMError):
    """Refused locally: recent calls failed, so the provider gets time to recover."""

    kind = "circuit_open"


class BudgetExceededError(LLMError):
    """Refused locally: the call would take token use past this period's budget."""

    kind = "budget_exceeded"


def error_for_status(provider: str, status: int, retry_after: float | None) -> LLMError:
    """The typed error for an HTTP error status, the same for every provider."""
    message = f"{provider} answered HTTP {status}"
    if status == 429:
        return LLMRateLimitError(message, retry_after=retry_after)
    if status in (401, 403):
        return LLMAuthenticationError(message)
    if status == 408:
        return LLMTimeoutError(message)
    if status >= 500:
        return LLMUnavailableError(message, retry_after=retry_after)
    return LLMRequestError(message)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `retry-after` as seconds or an HTTP date."""
    lowered = {key.lower(): value for key, value in headers.items()}
    milliseconds = lowered.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
