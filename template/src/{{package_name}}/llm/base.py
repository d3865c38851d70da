"""The interface every provider adapter implements, and the types it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ..health import CheckResult

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    usage: TokenUsage


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: list[list[float]]
    model: str
    usage: TokenUsage


class LLMProvider(Protocol):
    """What the service needs from a model provider. Adapters wrap the provider's official SDK.

    Adapters make exactly one attempt per call with their SDK's own retries switched off, and
    raise only the errors in `errors.py`; `LLMClient` adds the timeout, retries, circuit breaker,
    token budget and telemetry around them.
    """

    # The name in settings, readiness and logs, e.g. "aws_bedrock".
    name: str
    # The `gen_ai.provider.name` value from the OpenTelemetry conventions, e.g. "aws.bedrock".
    telemetry_name: str
    chat_model: str
    # None where the provider has no embeddings API.
    embedding_model: str | None

    async def chat(self, messages: list[ChatMessage], *, max_tokens: int) -> ChatResult: ...

    async def embed(self, texts: list[str]) -> EmbeddingResult: ...

    async def check(self) -> CheckResult | None:
        """A cheap reachability or credentials check for readiness; None means pass."""
        ...

    async def close(self) -> None: ...
