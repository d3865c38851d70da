"""The LLM abstraction: one small typed interface, one adapter per provider."""

from .base import ChatMessage, ChatResult, LLMProvider, TokenUsage

__all__ = ["ChatMessage", "ChatResult", "LLMProvider", "TokenUsage"]
