"""Shared fixtures: databases on the chosen backend, the app, and a client that speaks to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db.engine import create_engine, create_sessionmaker
from seeds.loader import seed_database
from tests.databases import empty_database
from tests.editing_fixtures import Register, open_register


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: this database, and nothing from a developer's .env file."""
    return Settings(_env_file=None, database_url=database_url, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A new, migrated, empty database for one test."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture
async def fresh_sessionmaker(
    fresh_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(fresh_database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def seeded_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database holding the curated seeds, shared by the read-only API tests."""
    with empty_database(tmp_path_factory.mktemp("seeded")) as url:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, seed_database(url)).result()
        yield url


@pytest.fixture(scope="session")
async def app(seeded_database_url: str) -> AsyncIterator[Starlette]:
    application = create_app(settings_for(seeded_database_url))
    yield application
    await application.state.engine.dispose()


@pytest.fixture(scope="session")
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        yield http


@pytest.fixture
async def register(tmp_path: Path) -> AsyncIterator[Register]:
    """A fresh seeded register with its own app and tokens, for tests that edit."""
    async with open_register(tmp_path) as opened:
        yield opened
