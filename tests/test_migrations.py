"""The migrations build exactly the models' schema on the chosen backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from db.engine import create_engine
from db.models import Base
from db.search import include_name


async def test_migrated_schema_matches_the_models(fresh_database_url: str) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(fresh_database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
