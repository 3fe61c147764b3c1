"""organisation distinct pairs: possible duplicates an editor reviewed and found distinct

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_distinct_pair",
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.String(length=100), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_organisation_distinct_pair_ordered")),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_distinct_pair_first_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_distinct_pair_second_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "first_id", "second_id", name=op.f("pk_organisation_distinct_pair")
        ),
    )
    op.create_index(
        op.f("ix_organisation_distinct_pair_second_id"),
        "organisation_distinct_pair",
        ["second_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_organisation_distinct_pair_second_id"), table_name="organisation_distinct_pair"
    )
    op.drop_table("organisation_distinct_pair")
