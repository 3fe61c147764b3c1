"""Tells a database that cannot be reached apart from every other failure, and says why in
words an operator can act on."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc
from sqlalchemy.engine import make_url

_UNREACHABLE = (
    OSError,  # refused, reset, no route: also ConnectionError
    TimeoutError,  # connecting took longer than the connect timeout
    asyncpg.PostgresConnectionError,  # the connection failed or is gone
    asyncpg.CannotConnectNowError,  # the server is starting or shutting down
    asyncpg.AdminShutdownError,  # the server is shutting down
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # e.g. "connection is closed"
    # Set up wrongly: no answer will come until DATABASE_URL or the server is put right.
    asyncpg.InvalidAuthorizationSpecificationError,  # unknown user, or a wrong password
    asyncpg.InvalidCatalogNameError,  # no such database
)
# SQLite's words when the file or its folder cannot be opened.
_SQLITE_CANNOT_OPEN = "unable to open database file"


def _chain(error: BaseException) -> list[BaseException]:
    """`error` and everything it was raised from."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not earlier for earlier in seen):
        seen.append(current)
        following = getattr(current, "orig", None)
        if not isinstance(following, BaseException):
            following = current.__cause__ or current.__context__
        current = following
    return seen


def is_unavailable(error: BaseException) -> bool:
    """True when `error`, or anything it was raised from, says the database is out of reach
    (a wait for a busy pool is not: it is raised from a TimeoutError too)."""
    if is_pool_exhausted(error):
        return False
    return any(
        isinstance(cause, _UNREACHABLE)
        or (isinstance(cause, exc.DBAPIError) and cause.connection_invalidated)
        or (isinstance(cause, sqlite3.OperationalError) and _SQLITE_CANNOT_OPEN in str(cause))
        for cause in _chain(error)
    )


def is_pool_exhausted(error: BaseException) -> bool:
    """True when `error` is a wait for a pooled connection that ran out: the server is busy,
    and the database may be answering well (so it is no sign that it is out of reach)."""
    return any(isinstance(cause, exc.TimeoutError) for cause in _chain(error))


def is_not_migrated(error: BaseException) -> bool:
    """True when the database answered but lacks the register's tables."""
    return any(
        isinstance(cause, asyncpg.UndefinedTableError)
        or (isinstance(cause, sqlite3.OperationalError) and "no such table" in str(cause))
        for cause in _chain(error)
    )


def sqlite_folder_problem(url: str) -> str | None:
    """Why a SQLite file could not be made where the URL puts it, if its folder is the reason."""
    folder = Path(make_url(url).database or ".").resolve().parent
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    return None


def where(url: str) -> str:
    """The database a URL names, password hidden: "PostgreSQL at db:5432 (database
    footprint, user app)", or "the SQLite file /srv/footprint.db"."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {Path(parsed.database or ':memory:').resolve()}"
    return (
        f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432} "
        f"(database {parsed.database or parsed.username}, user {parsed.username or 'default'})"
    )


def why(error: BaseException, url: str) -> str:
    """Why the database named by `url` could not be used, and what to check: for an operator's
    console or log, never for an API client (it names hosts and files)."""
    parsed = make_url(url)
    if is_not_migrated(error):
        return "it has no tables yet: run footprint migrate, then seed"
    for cause in _chain(error):
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused: is PostgreSQL running and listening there?"
        if isinstance(cause, socket.gaierror):
            return f"no such host as {parsed.host}: check the host name in DATABASE_URL"
        if isinstance(cause, TimeoutError | exc.TimeoutError):
            return "no answer in time: is the host right, and does a firewall let it through?"
        if isinstance(cause, asyncpg.InvalidPasswordError):
            return f"the password for user {parsed.username} was refused: check DATABASE_URL"
        if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
            return f"the server refused user {parsed.username}: {cause}"
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return (
                f"database {parsed.database} does not exist: create it "
                f"(createdb {parsed.database}), then run footprint migrate"
            )
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_CANNOT_OPEN in str(cause):
            folder = Path(parsed.database or ".").resolve().parent
            return sqlite_folder_problem(url) or (
                f"the file cannot be opened or created there: is {folder} writable?"
            )
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror[:1].lower() + cause.strerror[1:]
    return f"{type(error).__name__} (the log has the details)"


def is_unstorable_text(error: BaseException) -> bool:
    """True when PostgreSQL refused a text it cannot hold: one with a NUL character (U+0000)."""
    return any(isinstance(cause, asyncpg.CharacterNotInRepertoireError) for cause in _chain(error))


def is_recovery_conflict(error: BaseException) -> bool:
    """True when a standby cancelled a read to go on replaying the primary's WAL (SQLSTATE
    40001 there: the read would succeed on the primary or if sent again)."""
    return any(isinstance(cause, asyncpg.SerializationError) for cause in _chain(error))
