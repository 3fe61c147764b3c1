"""Prometheus metrics: per-operation counts and latency, errors by code, database pool use.

Each app has its own registry, so each uvicorn worker reports its own numbers at /metrics
(no multiprocess mode): scrape each worker, or run one worker per container.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response

MAX_OPERATION_NAMES = 200  # names come from clients: past this many, they count as "other"
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class RequestRecord:
    """What one request turned out to be, filled in as it is handled; logged and counted."""

    operation: str | None = None  # the GraphQL operation name, "anonymous" if it has none
    operation_type: str | None = None  # query or mutation
    error_codes: list[str] = field(default_factory=list)


record_var: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "request_record", default=None
)


def current_record() -> RequestRecord:
    """This request's record (a throwaway one outside a request)."""
    return record_var.get() or RequestRecord()


class PoolCollector(Collector):
    """Reads the connection pool at scrape time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):  # SQLite files: a connection per use, no pool
            return
        connections = GaugeMetricFamily(
            "footprint_db_pool_connections", "Database connections by state", labels=["state"]
        )
        connections.add_metric(["checked_out"], pool.checkedout())
        connections.add_metric(["idle"], pool.checkedin())
        connections.add_metric(["overflow"], max(pool.overflow(), 0))
        yield connections
        size = GaugeMetricFamily("footprint_db_pool_size", "Connections the pool keeps open")
        size.add_metric([], pool.size())
        yield size


class Metrics:
    def __init__(self, engine: AsyncEngine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "footprint_requests",
            "HTTP requests answered, by GraphQL operation and status",
            ["operation", "operation_type", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "footprint_request_duration_seconds",
            "Time to answer a request, by GraphQL operation",
            ["operation", "operation_type"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "footprint_errors", "Errors answered, by code", ["code"], registry=self.registry
        )
        self.registry.register(PoolCollector(engine))
        self._names: set[str] = set()

    def operation_label(self, name: str | None, path: str) -> str:
        if name is None:
            return path if path in ("/graphql", "/livez", "/readyz", "/metrics") else "other"
        if not _OPERATION_NAME.fullmatch(name):
            return "other"
        if name not in self._names and len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(self, record: RequestRecord, path: str, status: int, seconds: float) -> None:
        operation = self.operation_label(record.operation, path)
        kind = record.operation_type or "none"
        self.requests.labels(operation, kind, str(status)).inc()
        self.latency.labels(operation, kind).observe(seconds)
        for code in record.error_codes:
            self.errors.labels(code).inc()

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
