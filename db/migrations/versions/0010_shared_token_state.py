"""shared token state: the mutation allowance and the last write's WAL position live on the
token's row, so every API process and replica sees the same

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN only: SQLite keeps the table (and its triggers) as it is.
    op.add_column("api_token", sa.Column("allowance", sa.Float(), nullable=True))
    op.add_column(
        "api_token", sa.Column("allowance_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("api_token", sa.Column("last_write_lsn", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("last_write_lsn")
        batch.drop_column("allowance_at")
        batch.drop_column("allowance")
