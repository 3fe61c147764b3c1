"""Where reads go: PostgreSQL read replicas while they are up and close behind the primary,
and for an editor only once they have replayed the editor's last change; else the primary.

Each API process checks its replicas itself, at most every `check_interval` seconds while it
has requests: where the primary's WAL stands, how far each replica has replayed it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from db import tokens
from db.faults import is_recovery_conflict, is_unavailable

log = logging.getLogger("footprint.replicas")

R = TypeVar("R")
PRIMARY = "primary"
ReplicaState = Literal["ok", "lagging", "down", "not a standby", "unknown"]

# WAL positions as bytes from the start, so they compare as integers.
_PRIMARY_POSITION = text("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
_REPLAYED_POSITION = text("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
_SAMPLES = 1_000  # the primary's positions kept to date a replica's lag: minutes of them


@dataclass(eq=False)
class Database:
    """A database that reads can go to: the primary or one replica."""

    name: str  # "primary", "replica-1"...: never its host, which /readyz and /metrics show
    engine: AsyncEngine
    # Reads run one statement per session (the compiled path, each loader batch): with
    # autocommit they spare a BEGIN and a ROLLBACK round trip each.
    read_engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    state: ReplicaState = "unknown"
    replayed: int | None = None  # the WAL position it has replayed (replicas)
    lag: float | None = None  # seconds behind the primary when last checked (replicas)

    def __post_init__(self) -> None:
        self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    def mark(self, state: ReplicaState) -> None:
        if state != self.state and self.name != PRIMARY:
            log.warning("replica state", extra={"replica": self.name, "state": state})
        self.state = state


class Reader:
    """Where one request reads: the database chosen for it until that fails. A replica that
    cannot be reached is marked down and the read runs again on the primary, as does every
    read of the request after it, so a replica going away fails no request.

    A request's reads run one at a time (its root fields and loaders take turns), so a request
    holds at most one pooled connection however many aliases it sends: no request can take
    more than its share of the pool."""

    def __init__(self, primary: Database, replica: Database | None = None) -> None:
        self.primary = primary
        self.database = replica or primary
        self._turn = asyncio.Lock()

    def pin_primary(self) -> None:
        """The rest of this request reads from the primary (a mutation reads what it wrote)."""
        self.database = self.primary

    async def run(self, work: Callable[[Database], Awaitable[R]]) -> R:
        """`work` on this request's database, once no other read of the request is running."""
        async with self._turn:
            return await self._run(work)

    async def _run(self, work: Callable[[Database], Awaitable[R]]) -> R:
        database = self.database
        if database is self.primary:
            return await work(database)
        try:
            return await work(database)
        except Exception as error:
            if not (is_unavailable(error) or is_recovery_conflict(error)):
                raise
            database.mark("down")
            self.database = self.primary
            return await work(self.primary)


class ReadReplicas:
    """The primary and its read replicas, and which of them can take reads now."""

    def __init__(
        self,
        primary: AsyncEngine,
        replicas: Sequence[AsyncEngine] = (),
        *,
        max_lag: float = 2.0,
        check_interval: float = 0.5,
        check_timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = Database(PRIMARY, primary)
        self.replicas = [Database(f"replica-{n}", e) for n, e in enumerate(replicas, 1)]
        self.max_lag = max_lag
        self.check_interval = check_interval
        self.check_timeout = check_timeout
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque(maxlen=_SAMPLES)  # (when, position)
        self._turn = itertools.count()
        self._checking: asyncio.Task[None] | None = None
        self._checked_at = -float("inf")

    def reader(self, after: int | None = None) -> Reader:
        """A reader on a usable replica (in turn) that has replayed the WAL position `after`
        (an editor's last change), else on the primary."""
        self.check_soon()
        usable = [
            replica
            for replica in self.replicas
            if replica.state == "ok"
            and (after is None or (replica.replayed is not None and replica.replayed >= after))
        ]
        if not usable:
            return Reader(self.primary)
        return Reader(self.primary, usable[next(self._turn) % len(usable)])

    def check_soon(self) -> None:
        """Start a check in the background if the last one is older than the interval."""
        if not self.replicas or (self._checking is not None and not self._checking.done()):
            return
        if self.clock() - self._checked_at >= self.check_interval:
            self._checked_at = self.clock()
            self._checking = asyncio.get_running_loop().create_task(self.check())

    async def check(self) -> None:
        """Where the primary's WAL stands, then how far each replica has replayed it."""
        self._checked_at = self.clock()
        try:
            async with asyncio.timeout(self.check_timeout):
                async with self.primary.read_engine.connect() as connection:
                    position = await connection.scalar(_PRIMARY_POSITION)
            self.samples.append((self.clock(), int(position)))
        except Exception as error:
            # The primary's trouble is for the breaker and /readyz; replicas still serve reads.
            log.debug("primary position unknown", extra={"error": type(error).__name__})
        await asyncio.gather(*(self._check(replica) for replica in self.replicas))

    async def current(self) -> dict[str, dict[str, object]]:
        """Each replica's state and lag, checked now unless a check is under way or fresh."""
        if self._checking is not None and not self._checking.done():
            await asyncio.shield(self._checking)
        elif self.clock() - self._checked_at >= self.check_interval:
            await self.check()
        return self.status()

    async def _check(self, replica: Database) -> None:
        try:
            async with asyncio.timeout(self.check_timeout):
                async with replica.read_engine.connect() as connection:
                    replayed = await self.replayed(connection)
        except Exception as error:  # any failure: skip it until a check succeeds
            log.debug("replica check failed", extra={"error": type(error).__name__})
            replica.lag = None
            replica.mark("down")
            return
        if replayed is None:  # a primary of its own: its data may be anything
            replica.lag = None
            replica.mark("not a standby")
            return
        replica.replayed = replayed
        replica.lag = self.lag(replayed)
        replica.mark("ok" if replica.lag <= self.max_lag else "lagging")

    async def replayed(self, connection: AsyncConnection) -> int | None:
        """The WAL position a replica has replayed; None if it is not a standby."""
        position = await connection.scalar(_REPLAYED_POSITION)
        return None if position is None else int(position)

    def lag(self, replayed: int) -> float:
        """Seconds since the primary first had WAL that a replica at `replayed` lacks."""
        for when, position in self.samples:
            if position > replayed:
                return round(self.clock() - when, 3)
        return 0.0

    async def note_write(self, token_name: str) -> None:
        """After a token's change: its reads stay on the primary until a replica has replayed
        where the primary's WAL now stands. Kept in the database, so every process knows."""
        if self.replicas:
            async with self.primary.read_engine.connect() as connection:
                await tokens.note_write(connection, token_name)

    def status(self) -> dict[str, dict[str, object]]:
        return {
            replica.name: {"status": replica.state, "lag_seconds": replica.lag}
            for replica in self.replicas
        }

    async def close(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
        for replica in self.replicas:
            await replica.engine.dispose()
