"""The floor: the smallest server that can answer a question, for comparison with Footprint.

A bare ASGI app on the same uvicorn, loop and HTTP parser as Footprint: it runs the question's
one SQL statement with asyncpg and sends the JSON text PostgreSQL built, never decoding it.
`GET /q/<key>` answers question <key>; the statements come from bench.queries.
"""

from __future__ import annotations

import os
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.queries import QUESTIONS

STATEMENTS = {q.key: q.floor for q in QUESTIONS if q.floor is not None}
POOL_SIZE = 10

Scope = dict[str, Any]


class Floor:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        statement = STATEMENTS.get(scope["path"].removeprefix("/q/"))
        if statement is None:
            await _respond(send, 404, b'{"error":"no such question"}')
            return
        async with self.pool.acquire() as connection:
            body: str = await connection.fetchval(statement)
        await _respond(send, 200, body.encode())

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    self.dsn, min_size=POOL_SIZE, max_size=POOL_SIZE
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def make_app() -> Floor:
    """For `uvicorn --factory bench.floor:make_app`; BENCH_FLOOR_DSN names the database."""
    return Floor(os.environ["BENCH_FLOOR_DSN"])
