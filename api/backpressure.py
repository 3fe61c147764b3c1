"""Admission control: a bounded number of requests run at once, a bounded number wait, and
past that the server answers 503 at once instead of queueing without bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from api.metrics import current_record
from api.responses import error_response
from schema.errors import BUSY_MESSAGE, DB_UNAVAILABLE, OVERLOADED, UNAVAILABLE_MESSAGE

# Probes and scrapes must answer while the API is busy, or a busy server looks dead.
EXEMPT = frozenset({"/livez", "/readyz", "/metrics"})


class DatabaseBreaker:
    """Once a request finds the database out of reach, the requests after it are answered
    503 DB_UNAVAILABLE at once instead of each finding out in turn (behind a queue, that can
    take long); one request every `probe_interval` seconds goes through to see if it is back,
    and any success, or a good /readyz, closes the breaker."""

    def __init__(
        self, probe_interval: float = 0.5, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.probe_interval = probe_interval
        self.clock = clock
        self.open = False
        self.last_probe = 0.0

    def failed(self) -> None:
        self.open = True

    def succeeded(self) -> None:
        self.open = False

    def admit(self) -> bool:
        if not self.open:
            return True
        now = self.clock()
        if now - self.last_probe >= self.probe_interval:
            self.last_probe = now
            return True
        return False


class LoadShedding:
    """At most `max_active` requests run; up to `max_in_flight` in all are admitted, the rest
    wait up to `queue_timeout` seconds for their turn. Waiting holds no database connection,
    so a burst queues here rather than timing out in the connection pool."""

    def __init__(
        self,
        app: ASGIApp,
        max_in_flight: int,
        max_active: int,
        queue_timeout: float,
        breaker: DatabaseBreaker,
    ) -> None:
        self.app = app
        self.breaker = breaker
        self.max_in_flight = max_in_flight
        self.queue_timeout = queue_timeout
        self.in_flight = 0
        self.active = asyncio.Semaphore(max_active)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if not self.breaker.admit():
            await self.shed(scope, receive, send, UNAVAILABLE_MESSAGE, DB_UNAVAILABLE)
            return
        if self.in_flight >= self.max_in_flight:
            await self.shed(scope, receive, send, BUSY_MESSAGE, OVERLOADED)
            return
        self.in_flight += 1
        try:
            try:
                await asyncio.wait_for(self.active.acquire(), self.queue_timeout)
            except TimeoutError:
                await self.shed(scope, receive, send, BUSY_MESSAGE, OVERLOADED)
                return
            try:
                if self.breaker.admit():  # the database may have gone while this waited
                    await self.app(scope, receive, send)
                else:
                    await self.shed(scope, receive, send, UNAVAILABLE_MESSAGE, DB_UNAVAILABLE)
            finally:
                self.active.release()
        finally:
            self.in_flight -= 1

    async def shed(
        self, scope: Scope, receive: Receive, send: Send, message: str, code: str
    ) -> None:
        current_record().error_codes.append(code)
        response = error_response(503, message, code)
        response.headers["retry-after"] = "1"
        await response(scope, receive, send)


class LaneFull(Exception):
    """The heavy lane had no room: the request is answered 503 OVERLOADED."""


class HeavyLane:
    """Requests the cost rule counts at `threshold` or more (known before they run) take
    turns here: at most `max_active` run at once per worker and `max_waiting` wait, each up
    to `wait` seconds; the rest are refused at once. Cheaper requests never enter, so they
    never queue behind heavy ones, and a crowd of heavy ones holds at most this lane."""

    def __init__(
        self, threshold: int, max_active: int = 1, max_waiting: int = 2, wait: float = 5.0
    ) -> None:
        self.threshold = threshold
        self.max_waiting = max_waiting
        self.wait = wait
        self.max_active = max_active
        self.slots = asyncio.Semaphore(max_active)
        self.running = 0
        self.waiting = 0

    def is_heavy(self, cost: int) -> bool:
        return cost >= self.threshold

    @asynccontextmanager
    async def admitted(self, cost: int) -> AsyncIterator[None]:
        """Runs the body in the lane if `cost` makes the request heavy; raises LaneFull if
        there is no room in time."""
        if not self.is_heavy(cost):
            yield
            return
        if self.slots.locked():
            if self.waiting >= self.max_waiting:
                raise LaneFull
            self.waiting += 1
            try:
                await asyncio.wait_for(self.slots.acquire(), self.wait)
            except TimeoutError:
                raise LaneFull from None
            finally:
                self.waiting -= 1
        else:
            await self.slots.acquire()
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self.slots.release()
