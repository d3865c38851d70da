"""The app factory: settings in, a fully wired FastAPI app out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import Depends, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import __version__, api, review, routes
from .auth import Scope
from .auth.dependencies import Authenticator, get_principal, require_scope
from .decisions import ledger_for
from .health import MEDIA_TYPE, HealthRegistry, HealthReport, Lifecycle
from .llm.errors import LLMError
from .middleware import RequestTelemetryMiddleware
from .observability.logs import configure_logging
from .observability.metrics import HttpMetrics
from .observability.tracing import configure_tracing
from .resources import open_resources
from .settings import Settings, load_settings

log = structlog.get_logger(__name__)


def health_response(report: HealthReport) -> JSONResponse:
    """Statuses only: details stay in the logs and the `health` command (see health.py)."""
    return JSONResponse(
        report.to_public_json(),
        status_code=report.http_status,
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )


def metrics_namespace(service_name: str) -> str:
    return service_name.replace("-", "_")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(settings.service, log_file=settings.retention.log_file)
    registry = HealthRegistry(cache_seconds=settings.health.cache_seconds)
    lifecycle = Lifecycle()
    metrics = HttpMetrics.create(metrics_namespace(settings.service.name))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = await open_resources(settings, registry, metrics.registry)
        app.state.resources = resources
        # Made here, not in create_app: a shared store needs the database open_resources opened.
        app.state.decisions = ledger_for(settings, resources.decisions)
        lifecycle.startup_complete = True
        log.info("service started", environment=settings.environment.value, version=__version__)
        try:
            yield
        finally:
            log.info("service stopping")
            await resources.close()
            if tracer_provider is not None:
                tracer_provider.shutdown()

    app = FastAPI(
        title=settings.service.name,
        version=__version__,
        lifespan=lifespan,
        # Interactive docs only where nobody outside the team can reach them.
        docs_url="/docs" if settings.is_development else None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.health = registry
    app.state.lifecycle = lifecycle
    app.state.metrics = metrics
    app.state.authenticator = Authenticator(settings.auth)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> JSONResponse:
        return health_response(lifecycle.liveness())

    @app.get("/health/startup", include_in_schema=False)
    async def startup() -> JSONResponse:
        return health_response(lifecycle.startup())

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        if not lifecycle.startup_complete:
            return health_response(lifecycle.startup())
        return health_response(await registry.readiness())

    # Metrics name routes and volumes: only scrapers holding the metrics scope read them.
    @app.get(
        "/metrics", include_in_schema=False, dependencies=[Depends(require_scope(Scope.METRICS))]
    )
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(api.router)
    app.add_exception_handler(LLMError, api.llm_error_response)
    app.include_router(review.router)
    # Your routes need an authenticated caller; add require_scope(...) for finer control.
    app.include_router(routes.router, dependencies=[Depends(get_principal)])
    app.add_middleware(RequestTelemetryMiddleware, metrics=metrics)
    tracer_provider = configure_tracing(app, settings.service.name)
    return app
