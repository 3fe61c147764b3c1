"""search index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:30:00.000000

The full-text index `search_index` (see db/search.py), the triggers that keep it in step with
its source tables, and its first filling from the rows already there. SQLite: an FTS5 table.
PostgreSQL: a table with a stored tsvector under a GIN index, and a trigger function per table.

On SQLite, a later batch migration that recreates one of the source tables drops its triggers:
such a migration must create them again (tests/test_search.py checks they are all there).
"""

from collections.abc import Sequence
from typing import NamedTuple

from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class Source(NamedTuple):
    number: int  # on SQLite, an index row's rowid is key * 8 + number: triggers find it directly
    kind: str
    table: str
    key: str
    columns: tuple[str, ...]
    body: str  # SQL for the indexed text, over {row}

    def text(self, row: str) -> str:
        return self.body.format(row=row)


SOURCES = [
    Source(1, "title", "document", "id", ("title",), "{row}.title"),
    Source(2, "text", "document_text", "document_id", ("text",), "{row}.text"),
    Source(
        3,
        "principle",
        "principle",
        "id",
        ("title", "text"),
        "coalesce({row}.title || '. ', '') || {row}.text",
    ),
    Source(4, "name", "organisation", "id", ("name",), "{row}.name"),
    Source(5, "alias", "organisation_alias", "id", ("alias",), "{row}.alias"),
    Source(6, "quote", "evidence", "id", ("quote",), "{row}.quote"),
]
EVENTS = ("insert", "update", "delete")


def _sqlite_rowid(source: Source, row: str) -> str:
    return f"{row}.{source.key} * 8 + {source.number}"


def _sqlite_insert(source: Source, row: str) -> str:
    return (
        "INSERT INTO search_index (rowid, kind, ref_id, body) "
        f"VALUES ({_sqlite_rowid(source, row)}, '{source.kind}', {row}.{source.key}, "
        f"{source.text(row)});"
    )


def _sqlite_delete(source: Source) -> str:
    return f"DELETE FROM search_index WHERE rowid = {_sqlite_rowid(source, 'OLD')};"


def upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "kind UNINDEXED, ref_id UNINDEXED, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for source in SOURCES:
        name = f"search_index_{source.table}"
        watched = ", ".join((source.key, *source.columns))
        insert, delete = _sqlite_insert(source, "NEW"), _sqlite_delete(source)
        op.execute(f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source.table} BEGIN {insert} END")
        op.execute(
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} ON {source.table} "
            f"BEGIN {delete} {insert} END"
        )
        op.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source.table} BEGIN {delete} END")
        op.execute(
            "INSERT INTO search_index (rowid, kind, ref_id, body) "
            f"SELECT {_sqlite_rowid(source, source.table)}, '{source.kind}', {source.key}, "
            f"{source.text(source.table)} FROM {source.table}"
        )


def downgrade_sqlite() -> None:
    for source in SOURCES:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER search_index_{source.table}_{event}")
    op.execute("DROP TABLE search_index")


def upgrade_postgresql() -> None:
    op.execute(
        "CREATE TABLE search_index ("
        "kind varchar(16) NOT NULL, "
        "ref_id integer NOT NULL, "
        "body text NOT NULL, "
        "words tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED, "
        "CONSTRAINT pk_search_index PRIMARY KEY (kind, ref_id))"
    )
    op.execute("CREATE INDEX ix_search_index_words ON search_index USING gin (words)")
    # TRUNCATE fires no row triggers: empty the source's part of the index instead.
    op.execute(
        "CREATE FUNCTION search_index_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM search_index WHERE kind = TG_ARGV[0]; RETURN NULL; END $$"
    )
    for source in SOURCES:
        function = f"search_index_{source.table}"
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            f"DELETE FROM search_index WHERE kind = '{source.kind}' "
            f"AND ref_id = OLD.{source.key}; "
            "END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            "INSERT INTO search_index (kind, ref_id, body) "
            f"VALUES ('{source.kind}', NEW.{source.key}, {source.text('NEW')}); "
            "END IF; "
            "RETURN NULL; END $$"
        )
        watched = ", ".join((source.key, *source.columns))
        op.execute(
            f"CREATE TRIGGER search_index AFTER INSERT OR DELETE OR UPDATE OF {watched} "
            f"ON {source.table} FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER search_index_truncate AFTER TRUNCATE ON {source.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION search_index_truncate('{source.kind}')"
        )
        op.execute(
            "INSERT INTO search_index (kind, ref_id, body) "
            f"SELECT '{source.kind}', {source.key}, {source.text(source.table)} "
            f"FROM {source.table}"
        )


def downgrade_postgresql() -> None:
    for source in SOURCES:
        op.execute(f"DROP TRIGGER search_index ON {source.table}")
        op.execute(f"DROP TRIGGER search_index_truncate ON {source.table}")
        op.execute(f"DROP FUNCTION search_index_{source.table}()")
    op.execute("DROP FUNCTION search_index_truncate()")
    op.execute("DROP TABLE search_index")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        upgrade_sqlite()
    else:
        upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        downgrade_sqlite()
    else:
        downgrade_postgresql()
