"""Run Alembic migrations from the application (the `footprint migrate` command)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from db.engine import normalise_url


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.attributes["database_url"] = normalise_url(database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`. Synchronous: call it outside a running event loop."""
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    """The revision `upgrade` brings a database to: the newest migration."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
