"""organisation redirects: the slug of an organisation merged into another resolves to it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_redirect",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_redirect_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_redirect_merged_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_organisation_redirect")),
    )
    op.create_index(
        op.f("ix_organisation_redirect_organisation_id"),
        "organisation_redirect",
        ["organisation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_organisation_redirect_organisation_id"), table_name="organisation_redirect"
    )
    op.drop_table("organisation_redirect")
