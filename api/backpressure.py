"""Admission control: a bounded number of requests run at once, a bounded number wait, and
past that the server answers 503 at once instead of queueing without bound."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from api.metrics import current_record
from api.responses import error_response

OVERLOADED = "OVERLOADED"
# Probes and scrapes must answer while the API is busy, or a busy server looks dead.
EXEMPT = frozenset({"/livez", "/readyz", "/metrics"})


class LoadShedding:
    """At most `max_active` requests run; up to `max_in_flight` in all are admitted, the rest
    wait up to `queue_timeout` seconds for their turn. Waiting holds no database connection,
    so a burst queues here rather than timing out in the connection pool."""

    def __init__(
        self, app: ASGIApp, max_in_flight: int, max_active: int, queue_timeout: float
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.queue_timeout = queue_timeout
        self.in_flight = 0
        self.active = asyncio.Semaphore(max_active)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            await self.shed(scope, receive, send)
            return
        self.in_flight += 1
        try:
            try:
                await asyncio.wait_for(self.active.acquire(), self.queue_timeout)
            except TimeoutError:
                await self.shed(scope, receive, send)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                self.active.release()
        finally:
            self.in_flight -= 1

    async def shed(self, scope: Scope, receive: Receive, send: Send) -> None:
        current_record().error_codes.append(OVERLOADED)
        response = error_response(503, "The server is busy; try again in a second.", OVERLOADED)
        response.headers["retry-after"] = "1"
        await response(scope, receive, send)
