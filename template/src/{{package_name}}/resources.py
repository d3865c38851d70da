"""Clients the service opens at start-up and closes at shutdown, and their readiness checks.

Every integration adds its client here and registers its check with the health registry, so
readiness always covers exactly what the service is configured to use.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from .health import HealthRegistry
from .integrations.lifespan import Integrations, open_integrations
from .llm.client import LLMClient
from .llm.factory import build_client, readiness_check
from .llm.telemetry import GenAITelemetry
from .settings import Settings


@dataclass
class Resources:
    llm: LLMClient
    integrations: Integrations
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def close(self) -> None:
        await self._stack.aclose()


async def open_resources(
    settings: Settings, registry: HealthRegistry, metrics: CollectorRegistry | None = None
) -> Resources:
    timeout = settings.health.check_timeout_seconds
    stack = AsyncExitStack()
    # The app passes its own registry so /metrics shows LLM calls; one-off checks need none.
    telemetry = GenAITelemetry(
        metrics or CollectorRegistry(), capture_content=settings.llm.capture_content
    )
    llm = build_client(settings.llm, telemetry)
    stack.push_async_callback(llm.close)
    registry.add(readiness_check(llm, timeout))
    try:
        integrations = await open_integrations(settings, registry, stack)
    except BaseException:
        # Close whatever opened before the failure; nothing is left half-open.
        await stack.aclose()
        raise
    return Resources(llm=llm, integrations=integrations, _stack=stack)
