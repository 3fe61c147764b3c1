"""`serve`'s look at the database: which one it uses, whether it answers with the schema this
version needs, and, while it does not, trying again in the background and saying so in the log.
Messages here name hosts and files: they are for the operator's console, never for a client."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, is_sqlite
from db.faults import where, why
from db.migrate import head_revision

log = logging.getLogger("footprint.startup")

RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Problem:
    where: str
    why: str

    def __str__(self) -> str:
        return f"cannot use {self.where}: {self.why}"


async def problem_with(engine: AsyncEngine, url: str) -> Problem | None:
    """What keeps the API from using this database, or None when it answers, migrated."""
    try:
        async with engine.connect() as connection:
            revision = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
    except Exception as error:  # whatever it is, the operator needs to know why
        return Problem(where(url), why(error, url))
    head = head_revision()
    if revision is None:
        return Problem(where(url), "it has no migrations recorded: run footprint migrate")
    if revision != head:
        return Problem(
            where(url),
            f"its schema is at revision {revision} and this version needs {head}: "
            "run footprint migrate",
        )
    return None


def check(url: str, connect_timeout: float) -> Problem | None:
    """`problem_with` on an engine of its own, outside any event loop; a missing SQLite file is
    reported, not created."""
    if is_sqlite(url):
        path = Path(make_url(url).database or "")
        if not path.is_file():
            return Problem(
                where(url),
                "it does not exist yet: footprint serve creates and seeds it "
                "(or run footprint migrate, then seed)",
            )
    return asyncio.run(_check(url, connect_timeout))


async def _check(url: str, connect_timeout: float) -> Problem | None:
    engine = create_engine(url, pool_size=1, connect_timeout=connect_timeout)
    try:
        return await problem_with(engine, url)
    finally:
        await engine.dispose()


async def watch(engine: AsyncEngine, url: str) -> None:
    """Until the database answers, say in the log where it was tried and why it failed, every
    RETRY_SECONDS; then say it answers, once. Pages are served all along."""
    problem = await problem_with(engine, url)
    if problem is None:
        return
    while problem is not None:
        log.warning(
            "the database cannot be used; trying again",
            extra={"database": problem.where, "reason": problem.why, "retry_s": RETRY_SECONDS},
        )
        await asyncio.sleep(RETRY_SECONDS)
        problem = await problem_with(engine, url)
    log.info("the database answers now", extra={"database": where(url)})
