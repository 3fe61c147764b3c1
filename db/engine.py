"""Engine and session factory for both backends."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A pooled PostgreSQL connection idle longer than this is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 10.0
# The execution option that marks a connection's transaction as one that will write.
WRITES = "footprint_writes"


def normalise_url(url: str) -> str:
    """Accept the plain `postgresql://` and `sqlite:///` forms and pick the async drivers."""
    parsed = make_url(url)
    drivers = {
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
    }
    if parsed.drivername in drivers:
        parsed = parsed.set(drivername=drivers[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    """A write takes SQLite's write lock when it begins: a deferred transaction that read first
    cannot wait for the lock (SQLite answers "database is locked" at once), one that begins
    IMMEDIATE waits its turn under busy_timeout."""
    writes = connection.get_execution_options().get(WRITES, False)
    # On the driver's cursor: transaction control, like PostgreSQL's, is not a counted statement.
    cursor = connection.connection.cursor()
    cursor.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
    cursor.close()


def _note_return(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle, so one the server dropped meanwhile (a restart, an
    idle timeout) is replaced, not handed to a request. A busy server reuses connections
    within seconds and so skips the round trip that pinging every checkout would cost."""
    returned_at = record.info.get("returned_at")
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool discards this connection and checks out another.
        raise DisconnectionError() from error


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    connect_timeout: float = 2.0,
    statement_timeout_ms: int = 15_000,
    pool_timeout: float = 10.0,
    echo: bool = False,
    pooled: bool = True,
) -> AsyncEngine:
    """`pooled=False`: a new connection each time, never waiting behind a busy pool (for the
    readiness probe, which must tell a busy server from a database out of reach)."""
    url = normalise_url(url)
    pooling: dict[str, Any] = (
        {
            "pool_size": pool_size,
            # Overflow connections are closed when returned: under steady load they churn.
            "max_overflow": pool_size if max_overflow is None else max_overflow,
            "pool_timeout": pool_timeout,
        }
        if pooled
        else {"poolclass": NullPool}
    )
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **pooling,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        **pooling,
        connect_args={
            "timeout": connect_timeout,
            "server_settings": {"statement_timeout": str(statement_timeout_ms)},
        },
    )
    event.listen(engine.sync_engine, "checkin", _note_return)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# One SQLite writer per process at a time, per event loop (an asyncio lock belongs to one loop).
_sqlite_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _one_writer(sessionmaker: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[Any]:
    bind = sessionmaker.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return nullcontext()
    return _sqlite_writers.setdefault(asyncio.get_running_loop(), asyncio.Lock())


@asynccontextmanager
async def write_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction that writes: all of it is committed, or none of it. On SQLite the
    process's writers queue in order for the database's one write lock, so none waits out
    busy_timeout behind the others under load."""
    async with _one_writer(sessionmaker), sessionmaker.begin() as session:
        await session.connection(execution_options={WRITES: True})
        yield session


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./footprint.db"
