"""Sheds load: past a number of requests in flight, answer 503 at once instead of queueing."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.metrics import current_record
from api.responses import error_response

OVERLOADED = "OVERLOADED"
# Probes and scrapes must answer while the API is busy, or a busy server looks dead.
EXEMPT = frozenset({"/livez", "/readyz", "/metrics"})


class LoadShedding:
    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            current_record().error_codes.append(OVERLOADED)
            response = error_response(503, "The server is busy; try again in a second.", OVERLOADED)
            response.headers["retry-after"] = "1"
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
