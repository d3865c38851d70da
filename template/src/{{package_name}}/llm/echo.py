"""A local provider for development: answers by echoing the prompt, calls nothing.

It exists so the service runs on a laptop with no keys. Settings refuse it outside development,
and readiness reports it as a warning so nobody mistakes it for a real model.
"""

from __future__ import annotations

from ..health import CheckResult, Status
from .base import ChatMessage, ChatResult, TokenUsage


class EchoProvider:
    name = "echo"
    model = "echo-development-only"

    async def chat(self, messages: list[ChatMessage], *, max_tokens: int) -> ChatResult:
        prompt = next((m.content for m in reversed(messages) if m.role == "user"), "")
        words = prompt.split()
        reply = " ".join(words[:max_tokens])
        usage = TokenUsage(
            input_tokens=sum(len(m.content.split()) for m in messages),
            output_tokens=len(reply.split()),
        )
        return ChatResult(text=f"echo: {reply}", model=self.model, usage=usage)

    async def check(self) -> CheckResult:
        return CheckResult(
            Status.WARN, output="development echo provider; no real LLM provider configured"
        )

    async def close(self) -> None:
        return None
