"""Prometheus metrics: RED metrics per route template, on a registry owned by the app.

Labels are the route template (/v1/items/{item_id}), never the raw path, so a scan of random
URLs cannot explode the number of series. Requests that match no route share one label.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

UNMATCHED_ROUTE = "<unmatched>"

# Buckets in seconds, dense where API latencies live and wide enough for LLM calls.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class HttpMetrics:
    registry: CollectorRegistry
    requests: Counter
    duration: Histogram
    in_progress: Gauge

    @classmethod
    def create(cls, namespace: str, registry: CollectorRegistry | None = None) -> HttpMetrics:
        registry = registry or CollectorRegistry()
        return cls(
            registry=registry,
            requests=Counter(
                "http_requests",
                "HTTP requests handled, by route template and status code.",
                ["method", "route", "status"],
                namespace=namespace,
                registry=registry,
            ),
            duration=Histogram(
                "http_request_duration_seconds",
                "Time to handle an HTTP request, by route template.",
                ["method", "route"],
                namespace=namespace,
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            in_progress=Gauge(
                "http_requests_in_progress",
                "HTTP requests being handled now.",
                namespace=namespace,
                registry=registry,
            ),
        )
