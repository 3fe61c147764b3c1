"""Throwaway databases for tests, on the backend chosen by FOOTPRINT_TEST_DATABASE_URL.

SQLite (the default) gets a file per database; PostgreSQL gets a database per call, created
next to the one the URL names and dropped afterwards, so tests never touch a real register.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from db.engine import is_sqlite, normalise_url
from db.migrate import upgrade

TEST_URL_VARIABLE = "FOOTPRINT_TEST_DATABASE_URL"


def configured_url() -> str | None:
    url = os.environ.get(TEST_URL_VARIABLE)
    return normalise_url(url) if url else None


def backend_name() -> str:
    url = configured_url()
    return "sqlite" if url is None or is_sqlite(url) else "postgresql"


def migrate(url: str) -> None:
    # Alembic's env runs its own event loop, so keep it off the test loop's thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(upgrade, url).result()


def _admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _run(work: Coroutine[Any, Any, None]) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


async def _execute(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def empty_database(directory: Path) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database; remove it afterwards."""
    base = configured_url()
    if base is None or is_sqlite(base):
        path = directory / f"footprint-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate(url)
        yield url
        return
    name = f"footprint_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_dsn(base)
    _run(_execute(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        _run(_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
