"""The limits every LLM call passes: retry policy, circuit breaker and token budget.

All three live in the process, so each replica enforces them on its own traffic: with N replicas
the service as a whole may spend up to N budgets. Clocks are injectable so tests need not sleep.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import BudgetExceededError, CircuitOpenError, LLMError

Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries, full-jitter exponential backoff, and the provider's Retry-After honoured."""

    max_attempts: int = 3
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 8.0
    # A provider asking for a longer pause than this is not waited for: the caller gets the error.
    max_retry_after_seconds: float = 20.0

    def delay(self, attempt: int, error: LLMError, rng: random.Random) -> float | None:
        """Seconds to wait before the next attempt, or None when the call must not be retried."""
        if not error.retryable or attempt >= self.max_attempts:
            return None
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (attempt - 1))
        backoff = rng.uniform(0, ceiling)
        if error.retry_after is None:
            return backoff
        if error.retry_after > self.max_retry_after_seconds:
            return None
        return max(error.retry_after, backoff)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """Opens after `failure_threshold` consecutive provider faults; after `reset_seconds` one
    trial call is let through, and its outcome closes or re-opens the circuit."""

    failure_threshold: int = 5
    reset_seconds: float = 30.0
    clock: Clock = time.monotonic
    _failures: int = 0
    _opened_at: float | None = None
    _trial_in_flight: bool = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at >= self.reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self, provider: str) -> None:
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        opened_at = self.clock() if self._opened_at is None else self._opened_at
        wait = max(self.reset_seconds - (self.clock() - opened_at), 0.0)
        raise CircuitOpenError(
            f"{provider} circuit is open after repeated failures", retry_after=wait
        )

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        if self._trial_in_flight or self._opened_at is not None:
            self._opened_at = self.clock()
            self._trial_in_flight = False
            return
        self._failures += 1
        if self._failures >= self.failure_threshold:
            self._opened_at = self.clock()


def estimate_tokens(text: str) -> int:
    """A cheap upper-leaning estimate (about four characters a token) used to reserve budget."""
    return math.ceil(len(text) / 4)


@dataclass
class TokenBudget:
    """At most `limit` tokens per period of `period_seconds`, periods aligned to the clock.

    A call reserves its estimated tokens before it starts and is refused if they do not fit;
    when it ends the reservation is replaced by what the provider reported, so concurrent calls
    cannot overshoot together.
    """

    limit: int
    period_seconds: float
    clock: Clock = time.time
    _period_start: float = field(default=-1.0)
    _used: int = 0
    _reserved: int = 0

    def _roll(self) -> None:
        now = self.clock()
        start = now - (now % self.period_seconds)
        if start != self._period_start:
            self._period_start = start
            self._used = 0

    @property
    def remaining(self) -> int:
        self._roll()
        return max(self.limit - self._used - self._reserved, 0)

    def seconds_until_reset(self) -> float:
        self._roll()
        return self._period_start + self.period_seconds - self.clock()

    def reserve(self, provider: str, tokens: int) -> int:
        if tokens > self.remaining:
            raise BudgetExceededError(
                f"{provider} token budget for this period is spent "
                f"({self.limit} tokens per {self.period_seconds:g}s)",
                retry_after=self.seconds_until_reset(),
            )
        self._reserved += tokens
        return tokens

    def settle(self, reserved: int, used: int) -> None:
        self._roll()
        self._reserved = max(self._reserved - reserved, 0)
        self._used += used
