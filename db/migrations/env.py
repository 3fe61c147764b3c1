"""Alembic environment: async engine, batch mode so every migration also runs on SQLite."""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from db.engine import DEFAULT_DATABASE_URL, create_engine
from db.models import Base
from db.search import include_name

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # Set by db.migrate when called from the app; the plain `alembic` CLI uses the environment.
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    return str(url or DEFAULT_DATABASE_URL)


def run_with(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite's recipe for rebuilding a table (batch mode): foreign keys off while the old
        # table is dropped (a RESTRICT child would refuse it, a CASCADE one lose its rows),
        # then every key checked once the new table stands. On the driver's cursor, before
        # SQLAlchemy begins a transaction: inside one SQLite ignores the pragma.
        cursor = connection.connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")


async def run_online() -> None:
    engine = create_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
