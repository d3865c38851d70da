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
    output_tokens: int


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    usage: TokenUsage


class LLMProvider(Protocol):
    """What the service needs from a model provider. Adapters wrap the provider's official SDK."""

    name: str

    async def chat(self, messages: list[ChatMessage], *, max_tokens: int) -> ChatResult: ...

    async def check(self) -> CheckResult:
        """A cheap reachability or credentials check for readiness."""
        ...

    async def close(self) -> None: ...
