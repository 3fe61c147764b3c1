"""Liveness (the process answers) and readiness (the database answers SELECT 1 in time)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.pool import QueuePool
from starlette.requests import Request

from api.responses import OrjsonResponse
from db.replicas import ReadReplicas

log = logging.getLogger("footprint.health")


async def livez(request: Request) -> OrjsonResponse:
    return OrjsonResponse({"status": "ok"})


async def readyz(request: Request) -> OrjsonResponse:
    """Ready when the primary answers; each read replica is reported, and one that is down or
    behind only sends its reads to the primary."""
    engine = request.app.state.engine
    pool = engine.pool
    if not isinstance(pool, QueuePool) or pool.checkedin() == 0:
        # No idle connection: one of its own, for a busy pool is no sign of a database gone.
        engine = request.app.state.probe_engine
    timeout = request.app.state.settings.readiness_timeout
    replicas = request.app.state.replicas

    async def probe() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout)
    except Exception as error:  # any failure means "not ready"; the cause goes to the log only
        log.warning("readiness probe failed", extra={"error": type(error).__name__})
        answer = {"status": "unavailable", "database": "unreachable"}
        return OrjsonResponse({**answer, **await _replicas(replicas)}, 503)
    request.app.state.breaker.succeeded()
    return OrjsonResponse({"status": "ok", "database": "ok", **await _replicas(replicas)})


async def _replicas(replicas: ReadReplicas) -> dict[str, object]:
    if not replicas.replicas:
        return {}
    return {"replicas": await replicas.current()}  # each checked within the readiness timeout
