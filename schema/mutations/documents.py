"""Creating and updating documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from db.enums import DatePrecision, DocumentKind, Formality
from schema.context import Actor, Info
from schema.mutations.editing import (
    NOT_FOUND,
    EditRefused,
    audited_insert,
    create_once,
    given,
    refuse,
    retract_once,
    row_state,
    update_once,
)
from schema.mutations.validation import MAX_TEXT, Checks, camel
from schema.types.documents import Document

ENTITY = "document"
MAX_TITLE = 500
_state = row_state(models.Document)


@strawberry.input(description="A new document.")
class DocumentInput:
    slug: str
    title: str
    kind: DocumentKind
    formality: Formality = Formality.UNKNOWN
    publisher: str | None = strawberry.field(default=None, description="An organisation slug.")
    published_on: dt.date | None = None
    published_precision: DatePrecision = DatePrecision.DAY
    review_due_on: dt.date | None = None
    review_due_precision: DatePrecision = DatePrecision.DAY
    url: str | None = None
    summary: str | None = None
    published: bool = strawberry.field(
        default=True, description="False keeps it a draft, seen by editors only."
    )


@strawberry.input(description="Changes to a document: only the fields given change.")
class DocumentChanges:
    title: str | None = strawberry.UNSET
    kind: DocumentKind | None = strawberry.UNSET
    formality: Formality | None = strawberry.UNSET
    publisher: str | None = strawberry.field(
        default=strawberry.UNSET, description="An organisation slug; null for none."
    )
    published_on: dt.date | None = strawberry.UNSET
    published_precision: DatePrecision | None = strawberry.UNSET
    review_due_on: dt.date | None = strawberry.UNSET
    review_due_precision: DatePrecision | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    published: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True publishes a draft; false withdraws it to draft."
    )


@strawberry.type(description="The document as it is after the change.")
class DocumentSaved:
    document: Document


DocumentPayload = Annotated[DocumentSaved | EditRefused, strawberry.union("DocumentPayload")]

# Fields that must not be null when given, and plain text fields with their limits.
_REQUIRED = (
    "title",
    "kind",
    "formality",
    "published_precision",
    "review_due_precision",
    "published",
)
_TEXTS = {"title": MAX_TITLE, "summary": MAX_TEXT}


async def _publisher_id(
    session: AsyncSession, checks: Checks, field: str, slug: str | None
) -> int | None:
    if slug is None:
        return None
    found = (await queries.by_slugs(session, models.Organisation, [slug])).get(slug)
    if found is None:
        checks.fail(field, f"No organisation has the slug '{slug[:100]}'.")
        return None
    if found.retracted_at is not None:
        checks.fail(field, f"The organisation '{slug[:100]}' is retracted.")
        return None
    return found.id


def _check_values(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    for name in _REQUIRED:
        if name in values and values[name] is None:
            checks.fail(f"{prefix}.{camel(name)}", "This cannot be null.")
    for name, limit in _TEXTS.items():
        if name in values:
            checks.text(f"{prefix}.{camel(name)}", values[name], limit, required=name == "title")
    if "url" in values:
        checks.url(f"{prefix}.url", values["url"])


async def _saved(session: AsyncSession, document_id: int) -> DocumentSaved:
    row = (await queries.by_ids(session, models.Document, [document_id]))[document_id]
    return DocumentSaved(document=Document.from_row(row))


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(description="Add a document. An idempotency key makes repeats safe.")
    async def create_document(
        self, info: Info, input: DocumentInput, idempotency_key: str | None = None
    ) -> DocumentPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.slug("input.slug", input.slug)
            values = {k: v for k, v in asdict(input).items() if k not in ("slug", "publisher")}
            _check_values(checks, "input", values)
            publisher_id = await _publisher_id(session, checks, "input.publisher", input.publisher)
            if await queries.by_slugs(session, models.Document, [input.slug]):
                checks.broken("input.slug", rules.SLUG_TAKEN, "A document has this slug already.")
            checks.done()
            row = models.Document(slug=input.slug, publisher_id=publisher_id, **values)
            return await audited_insert(session, info, actor, ENTITY, row, _state)

        return await create_once(
            info, idempotency_key, "createDocument", asdict(input), create, _saved
        )

    @strawberry.mutation(
        description="Change a document at the version you read; a stale one is a CONFLICT."
    )
    async def update_document(
        self, info: Info, slug: str, expected_version: int, changes: DocumentChanges
    ) -> DocumentPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = (await queries.by_slugs(session, models.Document, [slug])).get(slug)
            if current is None:
                raise refuse("slug", f"No document has the slug '{slug[:100]}'.", NOT_FOUND)
            document_id = current.id
            checks = Checks()
            values = {
                name: value
                for name, value in vars(changes).items()
                if given(value) and name != "publisher"
            }
            _check_values(checks, "changes", values)
            if given(changes.publisher):
                values["publisher_id"] = await _publisher_id(
                    session, checks, "changes.publisher", changes.publisher
                )
            checks.done()
            return document_id, values

        return await update_once(
            info, ENTITY, models.Document, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(description="Withdraw a document for everyone, saying why.")
    async def retract_document(
        self, info: Info, slug: str, expected_version: int, reason: str
    ) -> DocumentPayload:
        async def find(session: AsyncSession) -> int:
            current = (await queries.by_slugs(session, models.Document, [slug])).get(slug)
            if current is None:
                raise refuse("slug", f"No document has the slug '{slug[:100]}'.", NOT_FOUND)
            return current.id

        return await retract_once(
            info, ENTITY, models.Document, expected_version, reason, find, _state, _saved
        )
