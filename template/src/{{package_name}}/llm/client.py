"""The one wrapper every LLM call goes through.

For each call, in this order: the token budget reserves the call's estimated tokens (or refuses
it), the circuit breaker lets it through (or refuses it), the adapter makes one attempt under an
explicit timeout, and retryable failures are tried again with jittered exponential backoff that
honours the provider's Retry-After. Retries happen here and only here: every adapter switches
its SDK's own retries off, so one slow provider cannot multiply into attempts-times-attempts.
Every outcome is recorded in telemetry with the OpenTelemetry GenAI conventions.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from opentelemetry.trace import Span

from .base import ChatMessage, ChatResult, EmbeddingResult, LLMProvider, TokenUsage
from .errors import LLMError, LLMTimeoutError, LLMUnsupportedError
from .guards import BreakerState, CircuitBreaker, RetryPolicy, TokenBudget, estimate_tokens
from .prompts import Prompt
from .telemetry import Call, GenAITelemetry

Sleep = Callable[[float], Awaitable[None]]


class _Result(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def usage(self) -> TokenUsage: ...


R = TypeVar("R", bound=_Result)


class LLMClient:
    """Timeouts, retries, circuit breaker, token budget and telemetry around one provider."""

    def __init__(
        self,
        provider: LLMProvider,
        *,
        telemetry: GenAITelemetry,
        timeout_seconds: float,
        retry: RetryPolicy,
        breaker: CircuitBreaker,
        budget: TokenBudget,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.provider = provider
        self.telemetry = telemetry
        self.timeout_seconds = timeout_seconds
        self.retry = retry
        self.breaker = breaker
        self.budget = budget
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._publish_state()

    @property
    def name(self) -> str:
        return self.provider.name

    async def chat(
        self, messages: list[ChatMessage], *, max_tokens: int, prompt: Prompt | None = None
    ) -> ChatResult:
        """One chat completion. `prompt` names the versioned prompt the messages came from."""
        call = Call("chat", self.provider.telemetry_name, self.provider.chat_model, prompt)
        estimate = sum(estimate_tokens(m.content) for m in messages) + max_tokens
        with self.telemetry.span(call) as span:
            span.set_attribute("gen_ai.request.max_tokens", max_tokens)
            self.telemetry.record_input(span, messages)
            result = await self._call(
                call, span, estimate, lambda: self.provider.chat(messages, max_tokens=max_tokens)
            )
            self.telemetry.record_output(span, result.text)
            return result

    async def embed(self, texts: list[str], *, prompt: Prompt | None = None) -> EmbeddingResult:
        """Embedding vectors for `texts`, in order."""
        model = self.provider.embedding_model
        if model is None:
            raise LLMUnsupportedError(f"{self.provider.name} has no embeddings API")
        call = Call("embeddings", self.provider.telemetry_name, model, prompt)
        estimate = sum(estimate_tokens(text) for text in texts)
        with self.telemetry.span(call) as span:
            return await self._call(call, span, estimate, lambda: self.provider.embed(texts))

    async def _call(
        self,
        call: Call,
        span: Span,
        estimate: int,
        attempt: Callable[[], Awaitable[R]],
    ) -> R:
        started = time.perf_counter()
        try:
            reserved = self.budget.reserve(self.provider.name, estimate)
        except LLMError as error:
            self.telemetry.record_failure(span, call, error, time.perf_counter() - started)
            raise
        used = 0
        try:
            result = await self._attempts(attempt)
        except LLMError as error:
            self.telemetry.record_failure(span, call, error, time.perf_counter() - started)
            raise
        else:
            used = result.usage.total
            self.telemetry.record_success(
                span, call, result.model, result.usage, time.perf_counter() - started
            )
            return result
        finally:
            self.budget.settle(reserved, used)
            self._publish_state()

    async def _attempts(self, attempt: Callable[[], Awaitable[R]]) -> R:
        number = 0
        while True:
            number += 1
            self.breaker.before_call(self.provider.name)
            try:
                async with asyncio.timeout(self.timeout_seconds):
                    result = await attempt()
            except TimeoutError:
                error: LLMError = LLMTimeoutError(
                    f"{self.provider.name} did not answer within {self.timeout_seconds:g}s"
                )
            except LLMError as raised:
                error = raised
            else:
                self.breaker.record_success()
                return result
            # Only provider faults count against the breaker; a refused request proves it is up.
            if error.retryable:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            delay = self.retry.delay(number, error, self._rng)
            if delay is None:
                raise error
            self.telemetry.retries.labels(
                gen_ai_provider_name=self.provider.telemetry_name, error_type=error.kind
            ).inc()
            self._publish_state()
            await self._sleep(delay)

    def _publish_state(self) -> None:
        provider = self.provider.telemetry_name
        self.telemetry.budget_remaining.labels(gen_ai_provider_name=provider).set(
            self.budget.remaining
        )
        self.telemetry.circuit_open.labels(gen_ai_provider_name=provider).set(
            0 if self.breaker.state is BreakerState.CLOSED else 1
        )

    async def close(self) -> None:
        await self.provider.close()
