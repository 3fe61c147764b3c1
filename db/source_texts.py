"""Attaching a text to a document: every version kept, every quote on it checked again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db import edits, queries
from db.enums import AuditAction, VerificationStatus
from db.models import DocumentText, Evidence, SourceText
from db.quotes import StoredText, text_sha256

ENTITY = "source_text"


@dataclass(frozen=True)
class Attached:
    """What attaching a text did: the version stored, and the quotes its text does not hold."""

    source_text: SourceText
    verified: int
    mismatched: list[Evidence]


async def attach(
    session: AsyncSession,
    *,
    document_id: int,
    text: str,
    content_type: str,
    url: str | None,
    retrieved_on: dt.date | None,
    pages: Sequence[int] | None,
    actor: str,
    request_id: str | None = None,
) -> Attached:
    """Store `text` as the document's newest (current) text, keeping the older ones, and
    check every quote taken from the document against it: VERIFIED where found (with where),
    MISMATCH where not. Audited as a new source text."""
    row = SourceText(
        document_id=document_id,
        text=text,
        sha256=text_sha256(text),
        content_type=content_type,
        url=url,
        retrieved_on=retrieved_on,
        pages=list(pages) if pages else None,
        attached_at=edits.now(),
        attached_by=actor,
    )
    session.add(row)
    current = (await queries.children(session, DocumentText.document_id, [document_id])).get(
        document_id
    )
    # The note says how the current text was made: from this file now.
    note = f"Read from a file ({content_type})" + (f" at {url}" if url else "")
    if retrieved_on is not None:
        note += f" on {retrieved_on.isoformat()}"
    if current:
        current[0].text, current[0].note = text, note + "."
    else:
        session.add(DocumentText(document_id=document_id, text=text, note=note + "."))
    await session.flush()
    stored = StoredText(text, pages)
    verified, mismatched = 0, []
    evidence = await queries.children(session, Evidence.source_id, [document_id], Evidence.id)
    for item in evidence.get(document_id, []):
        match = stored.find(item.quote)
        if match is None:
            item.verification = VerificationStatus.MISMATCH
            item.match_start = item.match_end = item.page = None
            if item.retracted_at is None:
                mismatched.append(item)
        else:
            verified += 1
            item.verification = VerificationStatus.VERIFIED
            item.match_start, item.match_end, item.page = match.start, match.end, match.page
    await session.flush()
    await edits.record_change(
        session,
        actor=actor,
        action=AuditAction.CREATE,
        entity=ENTITY,
        entity_id=row.id,
        before=None,
        # The text itself is kept in its row; its hash says which text this was.
        after=edits.snapshot(row) | {"text": None, "mismatched": [e.id for e in mismatched]},
        request_id=request_id,
    )
    return Attached(row, verified, mismatched)
