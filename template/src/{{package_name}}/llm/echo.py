"""A local provider for development: answers by echoing the prompt, calls nothing.

It exists so the service runs on a laptop with no keys. Settings refuse it outside development,
and readiness reports it as a warning so nobody mistakes it for a real model.
"""

from __future__ import annotations

from ..health import CheckResult, Status
from .base import ChatMessage, ChatResult, EmbeddingResult, TokenUsage


class EchoProvider:
    name = "echo"
    telemetry_name = "echo"
    chat_model = "echo-development-only"
    embedding_model: str | None = "echo-development-only"

    async def chat(self, messages: list[ChatMessage], *, max_tokens: int) -> ChatResult:
        prompt = next((m.content for m in reversed(messages) if m.role == "user"), "")
        words = prompt.split()
        reply = " ".join(words[:max_tokens])
        usage = TokenUsage(
            input_tokens=sum(len(m.content.split()) for m in messages),
            output_tokens=len(reply.split()),
        )
        return ChatResult(text=f"echo: {reply}", model=self.chat_model, usage=usage)

    async def embed(self, texts: list[str]) -> EmbeddingResult:
        # A deterministic toy vector: word count and length, enough to exercise callers.
        vectors = [[float(len(text.split())), float(len(text))] for text in texts]
        usage = TokenUsage(input_tokens=sum(len(text.split()) for text in texts))
        return EmbeddingResult(vectors=vectors, model=self.chat_model, usage=usage)

    async def check(self) -> CheckResult:
        return CheckResult(
            Status.WARN, output="development echo provider; no real LLM provider configured"
        )

    async def close(self) -> None:
        return None
