"""The PostgreSQL pool is sized from the settings, so a steady load reuses its connections."""

from __future__ import annotations

from api.app import create_app
from api.settings import Settings


async def test_the_pool_and_its_overflow_come_from_the_settings() -> None:
    url = "postgresql+asyncpg://footprint@127.0.0.1:1/nowhere"  # never connected to
    app = create_app(
        Settings(_env_file=None, database_url=url, db_pool_size=24, db_max_overflow=3)  # type: ignore[call-arg]
    )
    pool = app.state.engine.pool
    assert (pool.size(), pool._max_overflow) == (24, 3)
    default = create_app(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    assert default.state.engine.pool.size() >= 32  # the benchmark's 32 clients, no churn
    for built in (app, default):
        await built.state.engine.dispose()
