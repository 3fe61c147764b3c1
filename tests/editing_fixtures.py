"""A seeded register with an app and tokens of every kind, for the editing tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db import tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from db.models import ApiToken, AuditEntry, Base, IdempotencyRecord, Organisation
from seeds.loader import load_seeds
from tests.databases import empty_database


@dataclass
class Register:
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    tokens: dict[str, str]  # role or state -> bearer token
    app: Starlette
    url: str = ""  # the database's

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {}
        if who == "malformed":
            return {"authorization": "Basic dXNlcjpwYXNz"}
        if who == "unknown":
            return {"authorization": "Bearer fp_not-a-real-token"}
        return {"authorization": f"Bearer {self.tokens[who]}"}

    async def send(
        self, query: str, variables: dict[str, Any], who: str = "editor"
    ) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=self.headers(who),
        )

    async def counts(self) -> tuple[int, int, int]:
        async with self.sessionmaker() as session:
            organisations = await session.scalar(select(func.count(Organisation.id)))
            audit = await session.scalar(select(func.count(AuditEntry.id)))
            keys = await session.scalar(select(func.count(IdempotencyRecord.id)))
        return int(organisations or 0), int(audit or 0), int(keys or 0)

    async def table_counts(self) -> dict[str, int]:
        """The number of rows in every table, the audit trail and idempotency records included."""
        async with self.sessionmaker() as session:
            return {
                table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables
            }


@asynccontextmanager
async def open_register(tmp_path: Path, **settings: Any) -> AsyncIterator[Register]:
    """A new database with the curated seeds and tokens: editor, admin, revoked, expired.

    `settings` override the app's settings (limits, for instance)."""
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine)
        await load_seeds(sessionmaker)
        issued: dict[str, str] = {}
        async with sessionmaker.begin() as session:
            for name, role in [
                ("editor", TokenRole.EDITOR),
                ("admin", TokenRole.ADMIN),
                ("revoked", TokenRole.EDITOR),
                ("expired", TokenRole.EDITOR),
            ]:
                issued[name] = (await tokens.issue(session, name, role, None)).token
        async with sessionmaker.begin() as session:
            await tokens.revoke(session, "revoked")
            past = tokens.now() - dt.timedelta(seconds=1)
            await session.execute(
                update(ApiToken).where(ApiToken.name == "expired").values(expires_at=past)
            )
        app = create_app(Settings(_env_file=None, database_url=url, **settings))  # type: ignore[call-arg]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as c:
            yield Register(c, sessionmaker, issued, app, url)
        await app.state.engine.dispose()
        await engine.dispose()
