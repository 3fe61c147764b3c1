"""Shared fixtures: empty migrated databases and session factories on the chosen backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from tests.databases import empty_database


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
