"""Attaching a document's text, sent as JSON: the older texts are kept, every quote on the
document is checked again, and the payload lists each that the new text does not hold."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, source_texts
from schema.context import Actor, Info
from schema.mutations.editing import INVALID, EditRefused, in_transaction, refuse
from schema.mutations.evidence_input import found_by_slug
from schema.mutations.validation import Checks
from schema.reads.bounds import paged
from schema.types.consultations import Evidence
from schema.types.documents import SourceText

# Below the request body limit (1 MiB by default), so that a long text gets this clear refusal.
MAX_SOURCE_TEXT = 500_000
MAX_PAGES = 10_000
TEXT_TOO_LARGE = "TEXT_TOO_LARGE"


@strawberry.input(description="A document's text, as extracted from the file it was read in.")
class SourceTextInput:
    text: str = strawberry.field(
        description=f"The whole text, at most {MAX_SOURCE_TEXT} characters; larger files go in "
        "with `footprint source add`."
    )
    content_type: str = strawberry.field(
        default="text/plain", description='What the text was read from, e.g. "application/pdf".'
    )
    url: str | None = strawberry.field(default=None, description="Where the file was read.")
    retrieved_on: dt.date | None = strawberry.field(
        default=None, description="The day the file was read."
    )
    pages: list[int] | None = strawberry.field(
        default=None,
        description="For a text with pages, the offset (in characters) at which each page "
        "starts, the first being 0.",
    )


@strawberry.type(description="The text is attached, and every quote on the document checked.")
class SourceTextSaved:
    source_text: SourceText
    verified_count: int = strawberry.field(
        description="Quotes from this document that its new text holds."
    )
    mismatched: list[Evidence] = strawberry.field(
        extensions=[paged(500)],
        description="Quotes from this document that its new text does not hold: now MISMATCH.",
    )


SourceTextPayload = Annotated[SourceTextSaved | EditRefused, strawberry.union("SourceTextPayload")]


def check_text(checks: Checks, input: SourceTextInput) -> None:
    if len(input.text) > MAX_SOURCE_TEXT:
        checks.fail(
            "input.text",
            f"At most {MAX_SOURCE_TEXT} characters here ({len(input.text)} sent): attach a "
            "larger text with `footprint source add`.",
            TEXT_TOO_LARGE,
        )
    elif not input.text.strip():
        checks.fail("input.text", "This cannot be empty.")
    checks.text("input.contentType", input.content_type, 100, required=True)
    checks.url("input.url", input.url)
    pages = input.pages or []
    if len(pages) > MAX_PAGES or (
        (pages and (pages[0] != 0 or any(b <= a for a, b in itertools.pairwise(pages))))
        or any(p > len(input.text) for p in pages)
    ):
        checks.fail(
            "input.pages",
            f"At most {MAX_PAGES} page starts, rising from 0 and within the text.",
        )


@strawberry.type
class SourceTextMutation:
    @strawberry.mutation(
        description="Attach a text to a document, read from a file (PDF, web page, Word or "
        "plain text). Its older texts are kept; every quote taken from the document is checked "
        "against the new one: VERIFIED where found, MISMATCH where not, each listed."
    )
    async def attach_source_text(
        self, info: Info, document: str, input: SourceTextInput
    ) -> SourceTextPayload:
        async def work(session: AsyncSession, actor: Actor) -> SourceTextSaved:
            checks = Checks()
            check_text(checks, input)
            checks.done()
            document_id = await found_by_slug(models.Document, document, "document")(session)
            found = await session.get(models.Document, document_id)
            if found is not None and found.retracted_at is not None:
                raise refuse("document", f"The document '{document[:100]}' is retracted.", INVALID)
            attached = await source_texts.attach(
                session,
                document_id=document_id,
                text=input.text,
                content_type=input.content_type,
                url=input.url,
                retrieved_on=input.retrieved_on,
                pages=input.pages,
                actor=actor.name,
                request_id=info.context.request_id,
            )
            return SourceTextSaved(
                source_text=SourceText.from_row(attached.source_text),
                verified_count=attached.verified,
                mismatched=[Evidence.from_row(row) for row in attached.mismatched],
            )

        return await in_transaction(info, work)
