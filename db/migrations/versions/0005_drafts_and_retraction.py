"""drafts and retraction: published, retracted_at and retraction_reason on every record

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_TABLES = [
    "stakeholder_group",
    "organisation",
    "document",
    "document_version",
    "document_relation",
    "principle",
    "consultation",
    "influence",
    "expectation",
    "absence",
    "impact_assessment",
    "evidence",
    "topic",
    "topic_omission",
    "foi_request",
    "foi_question",
]


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("published", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, never a batch rebuild: rebuilding a table on SQLite would
    # drop the search index's triggers (migration 0003).
    for table in RECORD_TABLES:
        for column in _columns():
            op.add_column(table, column)


def downgrade() -> None:
    # SQLite drops columns in place (3.35+), so no rebuild loses the search triggers.
    for table in RECORD_TABLES:
        for column in reversed(_columns()):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
