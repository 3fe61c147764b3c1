"""Prometheus metrics: per-operation counts and latency, errors by code, reads by database,
database pools and replica lag.

With one worker, each app has its own registry. With several (`serve --workers N`), every
worker writes its numbers to files in one folder (prometheus_client's multiprocess mode, set
up by `serve` before the workers start) and a scrape of any worker adds them all up.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response

from db.replicas import ReadReplicas

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class RequestRecord:
    """What one request turned out to be, filled in as it is handled; logged and counted."""

    operation: str | None = None  # the GraphQL operation name, "anonymous" if it has none
    operation_type: str | None = None  # query or mutation
    database: str | None = None  # where its reads went: primary, replica-1...
    error_codes: list[str] = field(default_factory=list)


record_var: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "request_record", default=None
)


def current_record() -> RequestRecord:
    """This request's record (a throwaway one outside a request)."""
    return record_var.get() or RequestRecord()


def multiprocess_directory() -> Path | None:
    """The folder the workers share their numbers through, when `serve` set one up."""
    directory = os.environ.get(MULTIPROCESS_DIRECTORY)
    return Path(directory) if directory else None


def mark_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that are gone (killed, restarted), so a pool or worker
    count is not added up from a dead process; their counters stay, so totals still add up."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(FileNotFoundError):  # another worker got there first
                multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, someone else's
            pass


class Metrics:
    def __init__(
        self,
        replicas: ReadReplicas,
        directory: Path | None = None,
        known_operations: frozenset[str] = frozenset(),
    ) -> None:
        """`directory`: the multiprocess folder, None with one worker; `known_operations`: the
        operation names counted under their own name."""
        self.replicas = replicas
        self.known_operations = known_operations
        self.directory = directory
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
        self.reads = Counter(
            "footprint_db_reads",
            "GraphQL requests answered, by the database they read from",
            ["database"],
            registry=self.registry,
        )
        # Gauges of a worker that is gone are dropped ("live"), the others added up or maxed.
        self.workers = Gauge(
            "footprint_workers",
            "Worker processes reporting",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.connections = Gauge(
            "footprint_db_pool_connections",
            "Database connections by state",
            ["database", "state"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "footprint_db_pool_size",
            "Connections the pool keeps open",
            ["database"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.lag = Gauge(
            "footprint_db_replica_lag_seconds",
            "How far each read replica is behind the primary, as last checked",
            ["database"],
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self.workers.set(1)

    def read_databases(self) -> None:
        """Set the pool and lag gauges from this worker's databases, as they are now."""
        for database in [self.replicas.primary, *self.replicas.replicas]:
            pool = database.engine.pool
            if isinstance(pool, QueuePool):  # (an in-memory SQLite database has none)
                name = database.name
                self.connections.labels(name, "checked_out").set(pool.checkedout())
                self.connections.labels(name, "idle").set(pool.checkedin())
                self.connections.labels(name, "overflow").set(max(pool.overflow(), 0))
                self.pool_size.labels(name).set(pool.size())
            if database.lag is not None:
                self.lag.labels(database.name).set(database.lag)

    def operation_label(self, name: str | None, path: str) -> str:
        """The operation's name if it is one of ours (`known_operations`), else "other":
        clients choose names, and each would be a new series for as long as the server runs."""
        if name is None:
            return path if path in ("/graphql", "/livez", "/readyz", "/metrics") else "other"
        if name == "anonymous" or name in self.known_operations:
            return name
        return "other"

    def observe(self, record: RequestRecord, path: str, status: int, seconds: float) -> None:
        operation = self.operation_label(record.operation, path)
        kind = record.operation_type or "none"
        self.requests.labels(operation, kind, str(status)).inc()
        self.latency.labels(operation, kind).observe(seconds)
        for code in record.error_codes:
            self.errors.labels(code).inc()
        if record.database is not None:
            self.reads.labels(record.database).inc()
        if self.directory is not None:  # other workers' scrapes see this one's pools so
            self.read_databases()

    async def endpoint(self, request: Request) -> Response:
        self.read_databases()
        if self.directory is None:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        mark_dead_workers(self.directory)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, str(self.directory))  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    def close(self) -> None:
        """A worker that stops cleanly takes its live gauges with it."""
        if self.directory is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self.directory))  # type: ignore[no-untyped-call]
