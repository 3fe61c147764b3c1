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


def is_unavailable(error: BaseException) -> bool:
    """True when `error`, or anything it was raised from, says the database is out of reach."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE):
            return True
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        following = getattr(current, "orig", None)
        if not isinstance(following, BaseException):
            following = current.__cause__ or current.__context__
        current = following
    return False
