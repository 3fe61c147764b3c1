"""Pooled PostgreSQL connections the server dropped while they sat idle are replaced unseen."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from api.app import create_app
from db import engine as engine_module
from tests.conftest import settings_for
from tests.databases import backend_name
from tests.graphql import graphql

pytestmark = pytest.mark.skipif(
    backend_name() != "postgresql", reason="SQLite has no server to drop connections"
)

# One answered field by field (several statements), then one compiled (one statement).
QUERIES = [
    "{ stakeholderGroups { slug parent { slug } } }",
    "{ documents(first: 3) { nodes { slug } } }",
]


async def _drop_connections(url: str) -> int:
    """What a server restart does to the pool: every connection to the database ends."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        dropped = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            parsed.database,
        )
        return int(dropped)
    finally:
        await connection.close()


async def test_a_request_after_the_server_dropped_idle_connections_is_answered(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    app: Starlette = create_app(settings_for(fresh_database_url))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = [await graphql(client, query) for query in QUERIES]
            assert await _drop_connections(fresh_database_url) >= 1
            assert [await graphql(client, query) for query in QUERIES] == answers
    finally:
        await app.state.engine.dispose()
