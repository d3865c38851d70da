"""structlog for the service and for every library that logs through the standard library.

JSON lines in production, a readable console on a terminal. Each line carries the request id
bound by the middleware and, when tracing is on, the trace and span ids of the current span.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog
from opentelemetry import trace

from ..settings import LogFormat, ServiceSettings
from .redaction import redact_event


def add_trace_ids(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def use_json(log_format: LogFormat, stream: Any = None) -> bool:
    if log_format is LogFormat.AUTO:
        return not (stream or sys.stderr).isatty()
    return log_format is LogFormat.JSON


def configure_logging(settings: ServiceSettings, log_file: Path | None = None) -> None:
    """Route structlog and standard-library logging through one redacting pipeline.

    With `log_file`, the same lines are also appended to that file as JSON (the purge command
    trims it to the retention period; the handler reopens it after a purge replaced it).
    """
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
    ]
    renderer: structlog.types.Processor
    if use_json(settings.log_format):
        renderer = structlog.processors.JSONRenderer()
        # Structured tracebacks without local variables: locals are where secrets sit.
        shared.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
    else:
        # Tracebacks become text before redaction here too; pretty console tracebacks would be
        # rendered after it, unredacted.
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    # Redaction runs last, after tracebacks are turned into text, so they are covered too.
    shared.append(redact_event)

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    handlers: list[logging.Handler] = [handler]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer(),
                ],
            )
        )
        handlers.append(to_file)
    root = logging.getLogger()
    for replaced in root.handlers:
        replaced.close()
    root.handlers[:] = handlers
    root.setLevel(settings.log_level)
    # The middleware writes one access line per request; uvicorn's own would duplicate it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
