"""Gives every request an id (kept from X-Request-ID when sane), logs one line for it with
its GraphQL operation, status and duration, counts it in the metrics, and keeps the
redirects it answers relative."""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import request_id_var
from api.metrics import Metrics, RequestRecord, record_var

log = logging.getLogger("footprint.access")

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "x-request-id"


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == HEADER.encode():
            text = value.decode("latin-1")
            return text if _SAFE_ID.fullmatch(text) else None
    return None


def relative(location: str) -> str:
    """A redirect's target as a path on this server: a Location built from the request's URL
    (Starlette's added slash, say) would carry whatever Host header the client sent."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")  # never "//host": that too would leave this server
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _relative_location(message: Message) -> None:
    if 300 <= message["status"] < 400:
        headers = MutableHeaders(scope=message)
        if "location" in headers:
            headers["location"] = relative(headers["location"])


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        record = RequestRecord()
        record_token = record_var.set(record)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, request_id)
                _relative_location(message)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "operation": record.operation,
                    "operation_type": record.operation_type,
                    "error_codes": record.error_codes,
                    "database": record.database,
                },
            )
            if self.metrics is not None:
                self.metrics.observe(record, scope["path"], status, seconds)
            record_var.reset(record_token)
            request_id_var.reset(token)
