"""Command line: `python -m <package> serve | health | check-config | eval | auth | ...`.

Exit codes: 0 success, 1 unhealthy (or `eval` below its pass rate), 2 invalid configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from . import admin, evals
from .health import HealthRegistry, HealthReport, Lifecycle
from .resources import open_resources
from .settings import ConfigurationError, Settings, load_settings

EXIT_OK, EXIT_UNHEALTHY, EXIT_CONFIG = 0, 1, 2
PROBES = ("live", "ready", "startup")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=__package__, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP service")
    commands.add_parser("check-config", help="validate settings and exit")
    health = commands.add_parser(
        "health", help="run the health checks and print a health+json report"
    )
    health.add_argument("--probe", choices=PROBES, default="ready")
    health.add_argument(
        "--url",
        help="ask a running service at this base URL instead of checking in this process "
        "(what a container HEALTHCHECK uses)",
    )
    health.add_argument("--timeout", type=float, default=3.0, help="seconds for --url requests")
    evaluation = commands.add_parser(
        "eval", help="run the golden cases in evals/ and print pass rate, latency, tokens, cost"
    )
    evaluation.add_argument("--dataset", type=Path, help="cases file (default: evals.dataset)")
    sources = evaluation.add_mutually_exclusive_group()
    sources.add_argument(
        "--replay", type=Path, help="answer from responses recorded with --record, not a provider"
    )
    sources.add_argument(
        "--record", type=Path, help="write the provider's responses here, for --replay"
    )
    admin.add_commands(commands)
    return parser


def _exit_after_drain(signum: int, frame: FrameType | None) -> None:
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal. SIGTERM is how a
    # container is asked to stop, so a completed drain is a clean exit (0), not a crash (-15).
    raise SystemExit(EXIT_OK)


def _serve(settings: Settings) -> int:
    import uvicorn

    signal.signal(signal.SIGTERM, _exit_after_drain)

    from prometheus_client import start_http_server

    from .app import create_app

    app = create_app(settings)
    if settings.service.metrics_port is not None:
        # Scrapers cannot present the metrics scope's credential from a pod annotation; this
        # port serves them without one, and the NetworkPolicy admits only the monitoring
        # namespace to it.
        start_http_server(
            settings.service.metrics_port,
            addr=settings.service.host,
            registry=app.state.metrics.registry,
        )
    uvicorn.run(
        app,
        host=settings.service.host,
        port=settings.service.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.service.shutdown_grace_seconds),
    )
    return EXIT_OK


async def _check_in_process(settings: Settings, probe: str) -> HealthReport:
    if probe != "ready":
        lifecycle = Lifecycle(startup_complete=True)
        return lifecycle.liveness() if probe == "live" else lifecycle.startup()
    registry = HealthRegistry(cache_seconds=0)
    resources = await open_resources(settings, registry)
    try:
        return await registry.run()
    finally:
        await resources.close()


def _check_over_http(url: str, probe: str, timeout: float) -> int:
    target = f"{url.rstrip('/')}/health/{probe}"
    if not target.startswith(("http://", "https://")):
        print(f"--url must start with http:// or https://, got {url!r}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            print(response.read().decode())
            return EXIT_OK
    except urllib.error.HTTPError as error:
        print(error.read().decode())
        return EXIT_UNHEALTHY
    except OSError as error:
        print(f"{target} unreachable: {type(error).__name__}", file=sys.stderr)
        return EXIT_UNHEALTHY


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if admin.handles(args.command):
        return admin.run(args)
    if args.command == "health" and args.url:
        return _check_over_http(args.url, args.probe, args.timeout)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "check-config":
        print(f"Configuration is valid (environment: {settings.environment.value}).")
        return EXIT_OK
    if args.command == "serve":
        return _serve(settings)
    if args.command == "eval":
        return asyncio.run(
            evals.evaluate(settings, dataset=args.dataset, replay=args.replay, record=args.record)
        )
    report = asyncio.run(_check_in_process(settings, args.probe))
    print(json.dumps(report.to_json(), indent=2))
    return EXIT_OK if report.http_status == 200 else EXIT_UNHEALTHY
