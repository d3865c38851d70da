"""Runs inside a generated project's virtualenv: measures its app in-process.

Usage: python probe_app.py PACKAGE MODE
  MODE overhead  ASGI throughput of a trivial route, full stack with an API key vs a bare app
  MODE readiness readiness latency with every check passing, then with Redis hung (needs an
                 everything-on project and its services: see services.py)
  MODE coldstart import time and resident memory after start-up
Prints one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import os
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, NoReturn

Scope = dict[str, Any]


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _Sink(BaseHTTPRequestHandler):
    """Accepts OTLP exports so tracing runs at full cost without a collector."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


def _start_otlp_sink() -> str:
    server = HTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


async def _call(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    scope: Scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"bench"), *headers], "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _throughput(
    app: Any, path: str, headers: list[tuple[bytes, bytes]], seconds: float
) -> float:
    for _ in range(200):  # warm-up
        await _call(app, path, headers)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            assert await _call(app, path, headers) == 200
        count += 100
    return count / (time.perf_counter() - started)


def _bare_app() -> Any:
    from fastapi import FastAPI  # type: ignore[import-not-found]  # the project's

    # FastAPI's own telemetry traces any app once a global tracer provider is set; a bare app
    # must not pay for spans the full stack is measured with.
    try:
        return FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})
    except TypeError:  # a FastAPI without built-in telemetry
        return FastAPI()


async def _rounds(
    bare: Any, full: Any, credentials: list[tuple[bytes, bytes]]
) -> tuple[float, float]:
    """Alternate short rounds and keep each side's best: on a shared machine the best round is
    the one least disturbed by other work."""
    rounds = []
    async with full.router.lifespan_context(full):
        if await _call(full, "/bench/ping", []) != 401:
            _fail("the full stack served the bench route without credentials")
        for _ in range(6):
            bare_rps = await _throughput(bare, "/bench/ping", credentials, 0.75)
            full_rps = await _throughput(full, "/bench/ping", credentials, 0.75)
            rounds.append((bare_rps, full_rps))
    return max(r[0] for r in rounds), max(r[1] for r in rounds)


async def overhead(package: str) -> dict[str, Any]:
    from fastapi import Depends  # the project's

    app_module = importlib.import_module(f"{package}.app")
    settings_module = importlib.import_module(f"{package}.settings")
    auth = importlib.import_module(f"{package}.auth")
    api_keys = importlib.import_module(f"{package}.auth.api_keys")
    auth_dependencies = importlib.import_module(f"{package}.auth.dependencies")
    # A real key, stored as its digest like any other, carrying the one scope the route needs.
    key = api_keys.new_key()
    record = {"name": "bench", "sha256": api_keys.digest(key), "scopes": [auth.Scope.INVOKE]}
    os.environ[f"{settings_module.ENV_PREFIX}AUTH__API_KEYS"] = json.dumps([record])
    credentials = [(auth_dependencies.KEY_HEADER.encode(), key.encode())]

    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    def full_app() -> Any:
        app = app_module.create_app(settings_module.load_settings())
        scoped = [Depends(auth_dependencies.require_scope(auth.Scope.INVOKE))]
        app.add_api_route("/bench/ping", ping, dependencies=scoped)
        return app

    bare = _bare_app()
    bare.add_api_route("/bench/ping", ping)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - access lines are rendered, then dropped
    import logging

    # Without an OTLP endpoint (a laptop, CI) the service does not trace: measured first, before
    # a global tracer provider exists. Then with tracing on and spans exported, as deployed.
    untraced = full_app()
    for handler in logging.getLogger().handlers:
        handler.setStream(sys.stderr)  # type: ignore[attr-defined]
    bare_untraced, full_untraced = await _rounds(bare, untraced, credentials)
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _start_otlp_sink()
    traced = full_app()
    for handler in logging.getLogger().handlers:
        handler.setStream(sys.stderr)  # type: ignore[attr-defined]
    bare_traced, full_traced = await _rounds(bare, traced, credentials)
    bare_best = max(bare_untraced, bare_traced)
    return {
        "bare_rps": bare_best,
        "full_rps": full_traced,
        "ratio": full_traced / bare_best,
        "untraced_rps": full_untraced,
        "untraced_ratio": full_untraced / bare_best,
    }


def _fail(message: str) -> NoReturn:
    # Overhead sends stderr to /dev/null; a failure must still be seen.
    sys.__stderr__.write(f"bench: {message}\n")  # type: ignore[union-attr]
    raise SystemExit(1)


def _unhealthy(report: Any, allowed: frozenset[str] = frozenset()) -> list[str]:
    return [
        f"{c.key} {c.status.value} ({c.output})"
        for c in report.components
        if c.status.value != "pass" and c.key not in allowed
    ]


def _blackhole() -> socket.socket:
    """A listener that takes connections and never answers: a hung dependency."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


async def readiness(package: str) -> dict[str, Any]:
    """Every configured check must pass; then Redis is swapped for a hung server."""
    health = importlib.import_module(f"{package}.health")
    resources_module = importlib.import_module(f"{package}.resources")
    redis_client = importlib.import_module(f"{package}.integrations.redis.client")
    settings = importlib.import_module(f"{package}.settings").load_settings()
    registry = health.HealthRegistry(cache_seconds=0)
    resources = await resources_module.open_resources(settings, registry)
    try:
        # The broker connects in the background: wait for the first fully healthy report.
        deadline = time.monotonic() + 20
        while _unhealthy(report := await registry.run()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        samples = []
        for _ in range(300):
            started = time.perf_counter()
            report = await registry.run()
            samples.append((time.perf_counter() - started) * 1000)
            if _unhealthy(report):
                _fail(f"readiness is not healthy: {'; '.join(_unhealthy(report))}")
        checks = [c.key for c in registry.checks]
        timeout = settings.health.check_timeout_seconds

        listener = _blackhole()
        hung_port = listener.getsockname()[1]
        hung_cache = redis_client.Cache.open(settings.redis.model_copy(update={"port": hung_port}))
        hung = health.HealthRegistry(cache_seconds=0)
        for check in registry.checks:
            if check.component == "redis":
                check = dataclasses.replace(check, probe=hung_cache.check)
            hung.add(check)
        hung_samples = []
        for _ in range(5):
            started = time.perf_counter()
            report = await hung.run()
            hung_samples.append((time.perf_counter() - started) * 1000)
            redis = next(c for c in report.components if c.key.startswith("redis:"))
            if _unhealthy(report, frozenset({redis.key})) or "timed out" not in str(redis.output):
                _fail(f"the hung case is not one hung check: {'; '.join(_unhealthy(report))}")
        sequential = []
        for _ in range(3):
            started = time.perf_counter()
            for check in hung.checks:
                await health.run_check(check)
            sequential.append((time.perf_counter() - started) * 1000)
        await hung_cache.close()
        listener.close()
    finally:
        await resources.close()
    quantiles = statistics.quantiles(samples, n=100)
    return {
        "checks": checks,
        "p50_ms": statistics.median(samples),
        "p99_ms": quantiles[98],
        "hung_ms_max": max(hung_samples),
        "timeout_ms": timeout * 1000,
        "sequential_ms": statistics.median(sequential),
    }


async def coldstart(package: str) -> dict[str, Any]:
    started = time.perf_counter()
    app_module = importlib.import_module(f"{package}.app")
    imported = time.perf_counter() - started
    settings = importlib.import_module(f"{package}.settings").load_settings()
    app = app_module.create_app(settings)
    async with app.router.lifespan_context(app):
        return {"import_s": imported, "rss_mib": _rss_mib()}


MODES = {"overhead": overhead, "readiness": readiness, "coldstart": coldstart}


def main() -> int:
    package, mode = sys.argv[1], sys.argv[2]
    result = asyncio.run(MODES[mode](package))
    sys.__stdout__.write(json.dumps(result) + "\n")  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
