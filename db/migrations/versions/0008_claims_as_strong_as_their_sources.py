"""claims as strong as their sources: where a group membership comes from, an impact
assessment's summary, the REQUESTED_CHANGE role and the ACCORDS_WITH relation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, constraint, values before, values added)
WIDENED: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "consultation",
        "role",
        "consultationrole",
        (
            "CONSULTED",
            "ADVISOR",
            "PARTNER",
            "CO_DEVELOPER",
            "REVIEWER",
            "OVERSIGHT",
            "AUTHOR",
            "SUBMITTED_WRITTEN_EVIDENCE",
            "GAVE_ORAL_EVIDENCE",
            "INVITED",
            "DELIVERY_PARTNER",
            "REPORTING_CHANNEL",
        ),
        ("REQUESTED_CHANGE",),
    ),
    (
        "document_relation",
        "kind",
        "documentrelationkind",
        ("SUPERSEDES", "REFRESHES", "CITES", "IMPLEMENTS", "RESPONDS_TO", "TAKES_INTO_ACCOUNT"),
        ("ACCORDS_WITH",),
    ),
]
MEMBERSHIP_BASES = ("SOURCE", "REGISTER_READING", "OUTSIDE_KNOWLEDGE")


def _check(column: str, values: tuple[str, ...]) -> sa.TextClause:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.text(f"{column} IN ({listed})")


# Where each widened column's claims keep their evidence.
EVIDENCE_OF = {"consultation": "consultation_id", "document_relation": "relation_id"}


def forget_what_the_older_schema_cannot_say(
    table: str, column: str, values: tuple[str, ...], evidence_column: str | None
) -> None:
    """Before a downgrade narrows a CHECK: the claims holding a value the older schema has no
    word for go, with their evidence. Recording them as a nearby older value would make them
    say more than their sources (a request for a change is not consultation). Foreign keys are
    off during SQLite migrations, so the evidence is deleted explicitly, first."""
    listed = ", ".join(f"'{value}'" for value in values)
    chosen = f"SELECT id FROM {table} WHERE {column} IN ({listed})"
    if evidence_column is not None:
        op.execute(f"DELETE FROM evidence WHERE {evidence_column} IN ({chosen})")
    op.execute(f"DELETE FROM {table} WHERE {column} IN ({listed})")


def _replace(before: bool) -> None:
    # Neither table carries search-index triggers, so SQLite's rebuild loses nothing.
    for table, column, name, old, added in WIDENED:
        values = old if before else old + added
        if before:
            forget_what_the_older_schema_cannot_say(table, column, added, EVIDENCE_OF[table])
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, _check(column, values))


def upgrade() -> None:
    _replace(before=False)
    with op.batch_alter_table("organisation_group", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("basis", sa.String(length=32), server_default="SOURCE", nullable=False)
        )
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.create_check_constraint("membershipbasis", _check("basis", MEMBERSHIP_BASES))
    with op.batch_alter_table("impact_assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("impact_assessment", schema=None) as batch_op:
        batch_op.drop_column("summary")
    with op.batch_alter_table("organisation_group", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisation_group_membershipbasis"), type_="check")
        batch_op.drop_column("note")
        batch_op.drop_column("basis")
    _replace(before=True)
