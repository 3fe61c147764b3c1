"""Tells a database that cannot be reached apart from every other failure."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc

_UNREACHABLE = (
    OSError,  # refused, reset, no route: also ConnectionError
    TimeoutError,  # connecting took longer than the connect timeout
    exc.TimeoutError,  # no pooled connection came free within the pool timeout
    asyncpg.PostgresConnectionError,  # the connection failed or is gone
    asyncpg.CannotConnectNowError,  # the server is starting or shutting down
    asyncpg.AdminShutdownError,  # the server is shutting down
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # e.g. "connection is closed"
)


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
    """True when `error`, or anything it was raised from, says the database is out of reach."""
    return any(
        isinstance(cause, _UNREACHABLE)
        or (isinstance(cause, exc.DBAPIError) and cause.connection_invalidated)
        for cause in _chain(error)
    )


def is_unstorable_text(error: BaseException) -> bool:
    """True when PostgreSQL refused a text it cannot hold: one with a NUL character (U+0000)."""
    return any(isinstance(cause, asyncpg.CharacterNotInRepertoireError) for cause in _chain(error))


def is_recovery_conflict(error: BaseException) -> bool:
    """True when a standby cancelled a read to go on replaying the primary's WAL (SQLSTATE
    40001 there: the read would succeed on the primary or if sent again)."""
    return any(isinstance(cause, asyncpg.SerializationError) for cause in _chain(error))
