"""SQL statements per request, counted in process: the same at every register size."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import event

from api.app import create_app
from api.settings import Settings
from bench.queries import QUESTIONS


async def _count(url: str) -> dict[str, int]:
    app = create_app(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    counts: dict[str, int] = {}
    statements: list[Any] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for question in QUESTIONS:
                await client.post("/graphql", json={"query": question.footprint})  # warm the pool
                statements.clear()
                event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
                try:
                    response = await client.post("/graphql", json={"query": question.footprint})
                finally:
                    event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"({question.key}) failed: {response.text[:300]}")
                counts[question.key] = len(statements)
    finally:
        await app.state.engine.dispose()
    return counts


def statements_per_question(url: str) -> dict[str, int]:
    return asyncio.run(_count(url))
