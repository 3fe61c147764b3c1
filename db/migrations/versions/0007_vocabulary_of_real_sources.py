"""vocabulary of real sources: roles, effects, relations and document kinds that say what a
source says and no more

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, constraint, values before, values added)
WIDENED: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "document",
        "kind",
        "documentkind",
        (
            "GUIDANCE",
            "POLICY",
            "STRATEGY",
            "FOI_RESPONSE",
            "RESEARCH",
            "LEGISLATION",
            "LEGAL_GUIDANCE",
            "OTHER",
        ),
        (
            "BILL",
            "COMMITTEE_REPORT",
            "CONSULTATION_PAPER",
            "CONSULTATION_ANALYSIS",
            "PRESS_RELEASE",
            "WEB_PAGE",
            "NEWS_ARTICLE",
        ),
    ),
    (
        "document_relation",
        "kind",
        "documentrelationkind",
        ("SUPERSEDES", "REFRESHES", "CITES", "IMPLEMENTS", "RESPONDS_TO"),
        ("TAKES_INTO_ACCOUNT",),
    ),
    (
        "consultation",
        "role",
        "consultationrole",
        ("CONSULTED", "ADVISOR", "PARTNER", "CO_DEVELOPER", "REVIEWER", "OVERSIGHT"),
        (
            "AUTHOR",
            "SUBMITTED_WRITTEN_EVIDENCE",
            "GAVE_ORAL_EVIDENCE",
            "INVITED",
            "DELIVERY_PARTNER",
            "REPORTING_CHANNEL",
        ),
    ),
    (
        "influence",
        "effect",
        "influenceeffect",
        ("SHAPED", "ADOPTED", "AMENDED", "NOT_ADOPTED"),
        ("CONSULTED_ON",),
    ),
]


def _check(column: str, values: tuple[str, ...]) -> sa.TextClause:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.text(f"{column} IN ({listed})")


# SQLite's batch mode rebuilds `document`, dropping the search index's triggers on its title
# (0003): they are made again here, as 0003 made them; the index rows themselves are untouched.
TITLE_INSERT = (
    "INSERT INTO search_index (rowid, kind, ref_id, body) "
    "VALUES (NEW.id * 8 + 1, 'title', NEW.id, NEW.title);"
)
TITLE_DELETE = "DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;"


def _document_title_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER search_index_document_insert AFTER INSERT ON document "
        f"BEGIN {TITLE_INSERT} END"
    )
    op.execute(
        "CREATE TRIGGER search_index_document_update AFTER UPDATE OF id, title ON document "
        f"BEGIN {TITLE_DELETE} {TITLE_INSERT} END"
    )
    op.execute(
        f"CREATE TRIGGER search_index_document_delete AFTER DELETE ON document "
        f"BEGIN {TITLE_DELETE} END"
    )


# What a downgrade does with values the older schema has no word for: new kinds of document
# become OTHER; claims go, with their evidence (recorded under an older, stronger word they
# would say more than their sources). Foreign keys are off during SQLite migrations, so the
# evidence is deleted explicitly, first.
EVIDENCE_OF = {
    "consultation": "consultation_id",
    "influence": "influence_id",
    "document_relation": "relation_id",
}


def _forget(table: str, column: str, added: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{value}'" for value in added)
    if table == "document":
        op.execute(f"UPDATE document SET {column} = 'OTHER' WHERE {column} IN ({listed})")
        return
    chosen = f"SELECT id FROM {table} WHERE {column} IN ({listed})"
    op.execute(f"DELETE FROM evidence WHERE {EVIDENCE_OF[table]} IN ({chosen})")
    op.execute(f"DELETE FROM {table} WHERE {column} IN ({listed})")


def _replace(before: bool) -> None:
    for table, column, name, old, added in WIDENED:
        values = old if before else old + added
        if before:
            _forget(table, column, added)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, _check(column, values))
    if op.get_bind().dialect.name == "sqlite":
        _document_title_triggers()


def upgrade() -> None:
    _replace(before=False)


def downgrade() -> None:
    _replace(before=True)
