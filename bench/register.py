"""The benchmark's registers: synthetic, loaded once, reused while the seed, size and schema match.

PostgreSQL databases `footprint_bench_<N>` are created on the cluster the admin URL names; the
SQLite files live in `bench/.work/` (ignored by git). A register is marked ready only after it
is fully loaded and analysed, so an interrupted load is simply rebuilt next time.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from db.migrate import alembic_config, upgrade
from seeds.synthetic import generate_into

WORK = Path(__file__).parent / ".work"
SEED = 1


@dataclass(frozen=True)
class Register:
    documents: int
    url: str  # SQLAlchemy URL (the app's DATABASE_URL)
    dsn: str  # libpq DSN (asyncpg, PostGraphile); empty for SQLite
    loaded_in: float | None  # seconds, when this run loaded it; None when reused


def _marker(documents: int) -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return f"footprint-bench synthetic seed={SEED} documents={documents} schema={head}"


def _load(url: str, documents: int) -> None:
    upgrade(url)
    asyncio.run(generate_into(url, documents=documents, seed=SEED))


async def _pg_marker(admin_dsn: str, name: str) -> str | None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        found: str | None = await connection.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
        return found
    finally:
        await connection.close()


async def _pg_admin(admin_dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def postgresql_register(admin_url: str, documents: int) -> Register:
    """`footprint_bench_<documents>` on the cluster of `admin_url`, loaded unless already so."""
    name = f"footprint_bench_{documents}"
    admin = make_url(admin_url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    dsn = admin.set(database=name).render_as_string(hide_password=False)
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    marker = _marker(documents)
    if asyncio.run(_pg_marker(admin_dsn, name)) == marker:
        return Register(documents, url, dsn, None)
    started = time.perf_counter()
    asyncio.run(
        _pg_admin(
            admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
        )
    )
    _load(url, documents)
    asyncio.run(_pg_admin(admin_dsn, f"COMMENT ON DATABASE \"{name}\" IS '{marker}'"))
    return Register(documents, url, dsn, time.perf_counter() - started)


def sqlite_register(documents: int) -> Register:
    """`bench/.work/footprint_bench_<documents>.db`, loaded unless already so."""
    WORK.mkdir(exist_ok=True)
    path = WORK / f"footprint_bench_{documents}.db"
    ready = path.with_suffix(".ready")
    url = f"sqlite+aiosqlite:///{path}"
    marker = _marker(documents)
    if path.exists() and ready.exists() and ready.read_text() == marker:
        return Register(documents, url, "", None)
    started = time.perf_counter()
    ready.unlink(missing_ok=True)
    for leftover in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
        leftover.unlink(missing_ok=True)
    _load(url, documents)
    ready.write_text(marker)
    return Register(documents, url, "", time.perf_counter() - started)
