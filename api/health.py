"""Liveness (the process answers) and readiness (the database answers SELECT 1 in time)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from starlette.requests import Request

from api.responses import OrjsonResponse

log = logging.getLogger("footprint.health")


async def livez(request: Request) -> OrjsonResponse:
    return OrjsonResponse({"status": "ok"})


async def readyz(request: Request) -> OrjsonResponse:
    engine = request.app.state.engine
    timeout = request.app.state.settings.readiness_timeout

    async def probe() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout)
    except Exception as error:  # any failure means "not ready"; the cause goes to the log only
        log.warning("readiness probe failed", extra={"error": type(error).__name__})
        return OrjsonResponse({"status": "unavailable", "database": "unreachable"}, 503)
    request.app.state.breaker.succeeded()  # (a failure may only be a busy pool: it opens nothing)
    return OrjsonResponse({"status": "ok", "database": "ok"})
