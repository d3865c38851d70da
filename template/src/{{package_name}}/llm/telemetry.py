"""GenAI telemetry in the OpenTelemetry semantic conventions, as spans, OTel metrics and Prometheus.

Metric and attribute names follow the GenAI conventions (`gen_ai.client.operation.duration`,
`gen_ai.client.token.usage`, `gen_ai.provider.name`, ...). The Prometheus series carry the names
an OpenTelemetry Prometheus exporter would give them (dots become underscores, the unit a
suffix), so dashboards work whichever way the numbers are collected.

Prompt and completion text is recorded only when `capture_content` is on; settings allow that
only where the data-sensitivity policy does. Logs never carry it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import structlog
from opentelemetry import metrics, trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from .base import ChatMessage, TokenUsage
from .errors import LLMError
from .prompts import Prompt

log = structlog.get_logger(__name__)

# Bucket boundaries the GenAI conventions advise for these two instruments.
DURATION_BUCKETS = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)
TOKEN_BUCKETS = (
    1,
    4,
    16,
    64,
    256,
    1024,
    4096,
    16384,
    65536,
    262144,
    1048576,
    4194304,
    16777216,
    67108864,
)

CALL_LABELS = (
    "gen_ai_operation_name",
    "gen_ai_provider_name",
    "gen_ai_request_model",
    "gen_ai_response_model",
    "error_type",
    "prompt_name",
    "prompt_version",
)


@dataclass(frozen=True)
class Call:
    """What is known about a call before it is made; the attributes every signal shares."""

    operation: str  # "chat" or "embeddings", the gen_ai.operation.name values
    provider: str  # gen_ai.provider.name
    request_model: str
    prompt: Prompt | None = None

    def attributes(self) -> dict[str, str | int]:
        attributes: dict[str, str | int] = {
            "gen_ai.operation.name": self.operation,
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.request_model,
        }
        if self.prompt is not None:
            attributes["gen_ai.prompt.name"] = self.prompt.id
            attributes["prompt.version"] = self.prompt.version
        return attributes

    def labels(self, response_model: str, error_type: str) -> dict[str, str]:
        return {
            "gen_ai_operation_name": self.operation,
            "gen_ai_provider_name": self.provider,
            "gen_ai_request_model": self.request_model,
            "gen_ai_response_model": response_model,
            "error_type": error_type,
            "prompt_name": self.prompt.id if self.prompt else "",
            "prompt_version": str(self.prompt.version) if self.prompt else "",
        }


class GenAITelemetry:
    """Records every LLM call; one instance per app, on the app's Prometheus registry."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        capture_content: bool = False,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self.capture_content = capture_content
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(__name__, meter_provider=meter_provider)
        self._otel_duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self._otel_tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        )
        self.duration = Histogram(
            "gen_ai_client_operation_duration_seconds",
            "GenAI operation duration (gen_ai.client.operation.duration).",
            CALL_LABELS,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.tokens = Histogram(
            "gen_ai_client_token_usage",
            "Input and output tokens per call (gen_ai.client.token.usage).",
            [*CALL_LABELS, "gen_ai_token_type"],
            buckets=TOKEN_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "gen_ai_client_errors",
            "LLM calls that ended in an error, by error type.",
            ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"],
            registry=registry,
        )
        self.retries = Counter(
            "gen_ai_client_retries",
            "Attempts retried after a retryable error.",
            ["gen_ai_provider_name", "error_type"],
            registry=registry,
        )
        self.budget_remaining = Gauge(
            "gen_ai_client_token_budget_remaining",
            "Tokens left in the current budget period.",
            ["gen_ai_provider_name"],
            registry=registry,
        )
        self.circuit_open = Gauge(
            "gen_ai_client_circuit_open",
            "1 while the provider's circuit breaker refuses calls, else 0.",
            ["gen_ai_provider_name"],
            registry=registry,
        )

    @contextmanager
    def span(self, call: Call) -> Iterator[Span]:
        with self._tracer.start_as_current_span(
            f"{call.operation} {call.request_model}",
            kind=SpanKind.CLIENT,
            attributes=call.attributes(),
            record_exception=False,  # exception messages are not vetted for content
            set_status_on_exception=False,
        ) as span:
            yield span

    def record_input(self, span: Span, messages: Sequence[ChatMessage]) -> None:
        if self.capture_content:
            content = [
                {"role": m.role, "parts": [{"type": "text", "content": m.content}]}
                for m in messages
            ]
            span.set_attribute("gen_ai.input.messages", json.dumps(content))

    def record_output(self, span: Span, text: str) -> None:
        if self.capture_content:
            content = [{"role": "assistant", "parts": [{"type": "text", "content": text}]}]
            span.set_attribute("gen_ai.output.messages", json.dumps(content))

    def record_success(
        self, span: Span, call: Call, response_model: str, usage: TokenUsage, seconds: float
    ) -> None:
        span.set_attribute("gen_ai.response.model", response_model)
        span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
        labels = call.labels(response_model, "")
        attributes = {**call.attributes(), "gen_ai.response.model": response_model}
        self.duration.labels(**labels).observe(seconds)
        self._otel_duration.record(seconds, attributes)
        for token_type, count in (("input", usage.input_tokens), ("output", usage.output_tokens)):
            if call.operation == "embeddings" and token_type == "output":  # noqa: S105
                continue  # embeddings produce vectors, not tokens
            self.tokens.labels(**labels, gen_ai_token_type=token_type).observe(count)
            self._otel_tokens.record(count, {**attributes, "gen_ai.token.type": token_type})
        log.info(
            "llm call",
            operation=call.operation,
            provider=call.provider,
            model=response_model,
            prompt=call.prompt.ref if call.prompt else None,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            duration_ms=round(seconds * 1000, 1),
        )

    def record_failure(self, span: Span, call: Call, error: LLMError, seconds: float) -> None:
        span.set_attribute("error.type", error.kind)
        span.set_status(StatusCode.ERROR, error.kind)
        self.duration.labels(**call.labels("", error.kind)).observe(seconds)
        self._otel_duration.record(seconds, {**call.attributes(), "error.type": error.kind})
        self.errors.labels(
            gen_ai_operation_name=call.operation,
            gen_ai_provider_name=call.provider,
            gen_ai_request_model=call.request_model,
            error_type=error.kind,
        ).inc()
        log.warning(
            "llm call failed",
            operation=call.operation,
            provider=call.provider,
            model=call.request_model,
            prompt=call.prompt.ref if call.prompt else None,
            error_type=error.kind,
            duration_ms=round(seconds * 1000, 1),
        )
