"""Health checks: a registry that integrations add to, and the three probes built on it.

- liveness: is this process wedged? Never calls a dependency, so a database outage does not get
  every pod restarted.
- readiness: can this process serve traffic? Runs every registered check concurrently, each
  under its own timeout, and reuses the result for a short while so probe storms do not hammer
  dependencies.
- startup: has start-up finished? Holds the other two back while the service warms up.

Bodies follow the health+json convention (draft-inadarei-api-health-check): status pass/warn/fail,
and a `checks` object keyed "component:measurement". Over HTTP, where anyone who reaches the port
can read them, bodies are minimal: the status and each check's status, nothing else. The details
(output, response time) go to the log when a check stops passing, and `python -m <package> health`
prints them in full. Outputs carry an exception's type or a timeout, never its message, so hosts
and credentials cannot leak even there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import structlog

log = structlog.get_logger(__name__)

MEDIA_TYPE = "application/health+json"


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a health status, not a password
    WARN = "warn"
    FAIL = "fail"


_SEVERITY = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}


@dataclass(frozen=True)
class CheckResult:
    """What a check observed. Return None from a check to mean "pass, response time observed"."""

    status: Status = Status.PASS
    output: str | None = None
    observed_value: float | None = None
    observed_unit: str | None = None


Probe = Callable[[], Awaitable[CheckResult | None]]


@dataclass(frozen=True)
class HealthCheck:
    component: str
    probe: Probe
    timeout_seconds: float
    component_type: str = "component"
    measurement: str = "responseTime"
    # A non-critical dependency degrades the service rather than making it unready: failures warn.
    critical: bool = True

    @property
    def key(self) -> str:
        return f"{self.component}:{self.measurement}"


@dataclass(frozen=True)
class ComponentReport:
    key: str
    component_type: str
    status: Status
    time: str
    observed_value: float | None = None
    observed_unit: str | None = None
    output: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "componentType": self.component_type,
            "status": self.status.value,
            "time": self.time,
        }
        if self.observed_value is not None:
            body["observedValue"] = self.observed_value
            body["observedUnit"] = self.observed_unit
        if self.output and self.status is not Status.PASS:
            body["output"] = self.output
        return body


@dataclass(frozen=True)
class HealthReport:
    status: Status
    components: tuple[ComponentReport, ...] = ()

    @property
    def http_status(self) -> int:
        return 503 if self.status is Status.FAIL else 200

    def to_json(self) -> dict[str, Any]:
        """The full report, for operators: what `python -m <package> health` prints."""
        checks: dict[str, list[dict[str, Any]]] = {}
        for component in self.components:
            checks.setdefault(component.key, []).append(component.to_json())
        return {"status": self.status.value, "checks": checks}

    def to_public_json(self) -> dict[str, Any]:
        """What the HTTP probes answer: the status and each check's name and status only."""
        checks: dict[str, list[dict[str, Any]]] = {}
        for component in self.components:
            checks.setdefault(component.key, []).append({"status": component.status.value})
        return {"status": self.status.value, "checks": checks}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def worst(statuses: list[Status]) -> Status:
    return max(statuses, key=_SEVERITY.__getitem__, default=Status.PASS)


async def run_check(check: HealthCheck) -> ComponentReport:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(check.timeout_seconds):
            result = await check.probe() or CheckResult()
    except TimeoutError:
        result = CheckResult(Status.FAIL, f"timed out after {check.timeout_seconds:g}s")
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is a failed check
        result = CheckResult(Status.FAIL, f"check raised {type(error).__name__}")
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    status = result.status
    if status is Status.FAIL and not check.critical:
        status = Status.WARN
    observed_value, observed_unit = result.observed_value, result.observed_unit
    if observed_value is None and check.measurement == "responseTime":
        observed_value, observed_unit = elapsed_ms, "ms"
    return ComponentReport(
        key=check.key,
        component_type=check.component_type,
        status=status,
        time=_now(),
        observed_value=observed_value,
        observed_unit=observed_unit,
        output=result.output,
    )


@dataclass
class HealthRegistry:
    """Readiness checks, run concurrently; the last result is reused for `cache_seconds`."""

    cache_seconds: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _checks: dict[str, HealthCheck] = field(default_factory=dict)
    _cached: tuple[float, HealthReport] | None = None
    _inflight: asyncio.Task[HealthReport] | None = None

    def add(self, check: HealthCheck) -> None:
        if check.key in self._checks:
            raise ValueError(f"a health check named {check.key!r} is already registered")
        self._checks[check.key] = check

    @property
    def checks(self) -> tuple[HealthCheck, ...]:
        return tuple(self._checks.values())

    async def run(self) -> HealthReport:
        """Run every check now, concurrently, ignoring the cache."""
        components = await asyncio.gather(*(run_check(c) for c in self._checks.values()))
        return HealthReport(worst([c.status for c in components]), tuple(components))

    async def readiness(self) -> HealthReport:
        """The cached report if fresh; otherwise one shared run for every concurrent caller."""
        now = self.clock()
        if self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        if self._inflight is None:
            self._inflight = asyncio.create_task(self.run())
            self._inflight.add_done_callback(self._store)
        return await asyncio.shield(self._inflight)

    def _store(self, task: asyncio.Task[HealthReport]) -> None:
        self._inflight = None
        if not task.cancelled() and task.exception() is None:
            previous = self._cached[1] if self._cached is not None else HealthReport(Status.PASS)
            self._cached = (self.clock(), task.result())
            log_changes(previous, task.result())


def log_changes(previous: HealthReport, current: HealthReport) -> None:
    """Log each check whose status or output changed since the last run, with its details.

    Only changes: probes run every few seconds, and a steady state needs no new line.
    """
    before = {c.key: (c.status, c.output) for c in previous.components}
    for component in current.components:
        if before.get(component.key, (Status.PASS, None)) == (component.status, component.output):
            continue
        details = {
            "check": component.key,
            "status": component.status.value,
            "output": component.output,
            "observed_value": component.observed_value,
            "observed_unit": component.observed_unit,
        }
        if component.status is Status.PASS:
            log.info("readiness check passing again", **details)
        else:
            log.warning("readiness check not passing", **details)


@dataclass
class Lifecycle:
    """Process state the liveness and startup probes report on."""

    started_at: float = field(default_factory=time.monotonic)
    startup_complete: bool = False

    def liveness(self) -> HealthReport:
        uptime = ComponentReport(
            key="uptime",
            component_type="system",
            status=Status.PASS,
            time=_now(),
            observed_value=round(time.monotonic() - self.started_at, 3),
            observed_unit="s",
        )
        return HealthReport(Status.PASS, (uptime,))

    def startup(self) -> HealthReport:
        status = Status.PASS if self.startup_complete else Status.FAIL
        report = ComponentReport(
            key="startup:complete",
            component_type="system",
            status=status,
            time=_now(),
            output=None if self.startup_complete else "start-up has not finished",
        )
        return HealthReport(status, (report,))
