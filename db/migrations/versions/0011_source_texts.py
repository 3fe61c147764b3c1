"""source texts: every text attached to a document, kept; each quote's verification status,
where it was found, and where it was read when no text is stored

Revision ID: 0011
Revises: 0012
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("VERIFIED", "UNVERIFIED", "MISMATCH")
CHECK = "verification IN ({})".format(", ".join(f"'{s}'" for s in STATUSES))


def upgrade() -> None:
    op.create_table(
        "source_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("retrieved_on", sa.Date(), nullable=True),
        sa.Column("pages", sa.JSON(), nullable=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attached_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_source_text_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_text")),
    )
    op.create_index(
        op.f("ix_source_text_document_id_id"), "source_text", ["document_id", "id"], unique=False
    )
    # ADD COLUMN only, never a batch rebuild: SQLite keeps `evidence` and its search triggers.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE evidence ADD COLUMN verification VARCHAR(32) DEFAULT 'UNVERIFIED' "
            f"NOT NULL CONSTRAINT ck_evidence_verificationstatus CHECK ({CHECK})"
        )
    else:
        op.add_column(
            "evidence",
            sa.Column(
                "verification", sa.String(length=32), server_default="UNVERIFIED", nullable=False
            ),
        )
        op.create_check_constraint("verificationstatus", "evidence", sa.text(CHECK))
    op.add_column("evidence", sa.Column("match_start", sa.Integer(), nullable=True))
    op.add_column("evidence", sa.Column("match_end", sa.Integer(), nullable=True))
    op.add_column("evidence", sa.Column("page", sa.Integer(), nullable=True))
    op.add_column("evidence", sa.Column("url", sa.String(length=2000), nullable=True))
    op.add_column("evidence", sa.Column("read_on", sa.Date(), nullable=True))
    _verify_existing_quotes()


def _verify_existing_quotes() -> None:
    """Quotes on a source with a stored text were checked against it when written: record where."""
    # The one matcher, as it is when this runs; later changes to it never rewrite history.
    from db.quotes import StoredText

    bind = op.get_bind()
    texts = {
        document_id: StoredText(text)
        for document_id, text in bind.execute(sa.text("SELECT document_id, text FROM document_text"))
    }
    rows = bind.execute(sa.text("SELECT id, source_id, quote FROM evidence")).all()
    for evidence_id, source_id, quote in rows:
        stored = texts.get(source_id)
        if stored is None:
            continue
        found = stored.find(quote)
        bind.execute(
            sa.text(
                "UPDATE evidence SET verification = :status, match_start = :start, "
                "match_end = :end, page = :page WHERE id = :id"
            ),
            {
                "status": "VERIFIED" if found else "MISMATCH",
                "start": found.start if found else None,
                "end": found.end if found else None,
                "page": found.page if found else None,
                "id": evidence_id,
            },
        )


# SQLite's batch mode rebuilds `evidence`, dropping the search index's triggers on its quote
# (0003): they are made again here, as 0003 made them; the index rows themselves are untouched.
QUOTE_INSERT = (
    "INSERT INTO search_index (rowid, kind, ref_id, body) "
    "VALUES (NEW.id * 8 + 6, 'quote', NEW.id, NEW.quote);"
)
QUOTE_DELETE = "DELETE FROM search_index WHERE rowid = OLD.id * 8 + 6;"


def _evidence_quote_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER search_index_evidence_insert AFTER INSERT ON evidence "
        f"BEGIN {QUOTE_INSERT} END"
    )
    op.execute(
        "CREATE TRIGGER search_index_evidence_update AFTER UPDATE OF id, quote ON evidence "
        f"BEGIN {QUOTE_DELETE} {QUOTE_INSERT} END"
    )
    op.execute(
        f"CREATE TRIGGER search_index_evidence_delete AFTER DELETE ON evidence "
        f"BEGIN {QUOTE_DELETE} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_evidence_verificationstatus"), "evidence", type_="check")
    # SQLite 3.35+ drops a column with ALTER TABLE when no constraint names it.
    for column in ("read_on", "url", "page", "match_end", "match_start"):
        op.drop_column("evidence", column)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("evidence", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_evidence_verificationstatus"), type_="check")
            batch_op.drop_column("verification")
        _evidence_quote_triggers()
    else:
        op.drop_column("evidence", "verification")
    op.drop_index(op.f("ix_source_text_document_id_id"), table_name="source_text")
    op.drop_table("source_text")
