"""Clients the service opens at start-up and closes at shutdown, and their readiness checks.

Every integration adds its client here and registers its check with the health registry, so
readiness always covers exactly what the service is configured to use.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from .health import HealthCheck, HealthRegistry
from .llm.base import LLMProvider
from .llm.factory import build_provider
from .settings import Settings


@dataclass
class Resources:
    llm: LLMProvider
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def close(self) -> None:
        await self._stack.aclose()


async def open_resources(settings: Settings, registry: HealthRegistry) -> Resources:
    timeout = settings.health.check_timeout_seconds
    stack = AsyncExitStack()
    llm = build_provider(settings)
    stack.push_async_callback(llm.close)
    registry.add(
        HealthCheck(
            component=f"llm.{llm.name}",
            probe=llm.check,
            timeout_seconds=timeout,
            component_type="component",
        )
    )
    return Resources(llm=llm, _stack=stack)
