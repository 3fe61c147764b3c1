"""What many edits share: evidence for a claim, and finding the records an input names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db import edits, models, queries, rules
from db.enums import Confidence
from db.models import Base
from schema.errors import UserInputError
from schema.ids import parse_global_id
from schema.mutations.editing import NOT_FOUND, State, Step, given, publishing, refuse
from schema.mutations.validation import MAX_TEXT, Checks, camel
from seeds.quotes import collapse_whitespace

M = TypeVar("M", bound=Base)

MAX_EVIDENCE = 20
MAX_LOCATOR = 300
MAX_POSITION = 10_000


@strawberry.input(description="Where a claim comes from: a verbatim quote at a place in a source.")
class EvidenceInput:
    source: str = strawberry.field(description="The source document's slug.")
    locator: str = strawberry.field(description='e.g. "Answer to question 9".')
    quote: str = strawberry.field(
        description="Verbatim. Where the source's text is stored, the quote must be found in it."
    )
    confidence: Confidence = Confidence.STATED
    published: bool = publishing()


async def check_evidence(
    session: AsyncSession, checks: Checks, field: str, evidence: list[EvidenceInput]
) -> list[dict[str, Any]]:
    """Check each piece of evidence; return the rows to write (without their claim)."""
    if not evidence:
        checks.broken(field, rules.EVIDENCE_REQUIRED)
    if len(evidence) > MAX_EVIDENCE:
        checks.fail(field, f"At most {MAX_EVIDENCE} pieces of evidence.")
    sources = await Sources.of(session, [e.source for e in evidence])
    for n in rules.repeated([(e.source, e.locator, e.quote) for e in evidence]):
        checks.broken(f"{field}[{n}]", rules.DUPLICATE_EVIDENCE)
    rows = []
    for n, item in enumerate(evidence):
        source_id = sources.check(checks, f"{field}[{n}]", item.source, item.locator, item.quote)
        if source_id is not None:
            rows.append(
                {
                    "source_id": source_id,
                    "locator": item.locator,
                    "quote": item.quote,
                    "confidence": item.confidence,
                    "published": item.published,
                    "position": n + 1,
                }
            )
    return rows


@dataclass
class Sources:
    """The source documents some evidence names, with their stored texts, to check quotes."""

    documents: dict[str, models.Document]
    texts: dict[int, list[models.DocumentText]]

    @classmethod
    async def of(cls, session: AsyncSession, slugs: Iterable[str]) -> Sources:
        documents = await queries.by_slugs(session, models.Document, sorted(set(slugs)))
        texts = await queries.children(
            session, models.DocumentText.document_id, [d.id for d in documents.values()]
        )
        return cls(documents, texts)

    def check(self, checks: Checks, at: str, slug: str, locator: str, quote: str) -> int | None:
        """Check one piece of evidence at input path `at`; its source's id if there is one."""
        checks.text(f"{at}.locator", locator, MAX_LOCATOR, required=True)
        checks.text(f"{at}.quote", quote, MAX_TEXT, required=True)
        source = self.documents.get(slug)
        if source is None:
            checks.broken(
                f"{at}.source", rules.UNKNOWN_REFERENCE, f"No document has the slug '{slug[:100]}'."
            )
            return None
        stored = self.texts.get(source.id)
        if stored and collapse_whitespace(quote) not in collapse_whitespace(stored[0].text):
            checks.broken(
                f"{at}.quote",
                rules.QUOTE_NOT_IN_SOURCE,
                f"The quote is not in the stored text of '{slug}': quotes are verbatim.",
            )
        return source.id


def state_with_evidence(model: type[Base], claim: InstrumentedAttribute[int | None]) -> State:
    """The audit state of a claim: its row and its evidence, in order."""

    async def state(session: AsyncSession, row_id: int) -> dict[str, Any]:
        row = (await queries.by_ids(session, model, [row_id]))[row_id]
        evidence = await queries.children(session, claim, [row_id], models.Evidence.position)
        return edits.snapshot(row, evidence=[edits.snapshot(e) for e in evidence.get(row_id, [])])

    return state


def adding_evidence(session: AsyncSession, claim_column: str, rows: list[dict[str, Any]]) -> Step:
    """The step that writes a new claim's evidence once the claim has its id."""

    async def add(claim_id: int) -> None:
        session.add_all(models.Evidence(**{claim_column: claim_id}, **item) for item in rows)
        await session.flush()

    return add


async def slug_id(
    session: AsyncSession, checks: Checks, model: type[Base], field: str, slug: str, what: str
) -> int | None:
    """The id of the record with this slug; a problem in `checks` if there is none."""
    found = (await queries.by_slugs(session, model, [slug])).get(slug)
    if found is None:
        checks.broken(field, rules.UNKNOWN_REFERENCE, f"No {what} has the slug '{slug[:100]}'.")
        return None
    if found.retracted_at is not None:  # type: ignore[attr-defined]
        checks.fail(field, f"The {what} '{slug[:100]}' is retracted: nothing new may point at it.")
        return None
    return int(found.id)  # type: ignore[attr-defined]


async def group_or_organisation(
    session: AsyncSession, checks: Checks, group: str | None, organisation: str | None
) -> tuple[int | None, int | None]:
    """The ids of `input.group` or `input.organisation`, exactly one of which a claim about a
    party (an expectation, an absence) names; problems in `checks`."""
    if (group is None) == (organisation is None):
        checks.broken("input.group", rules.PARTY_REQUIRED)
    group_id = organisation_id = None
    if group is not None:
        group_id = await slug_id(
            session, checks, models.StakeholderGroup, "input.group", group, "stakeholder group"
        )
    if organisation is not None:
        organisation_id = await slug_id(
            session, checks, models.Organisation, "input.organisation", organisation, "organisation"
        )
    return group_id, organisation_id


def node_key(value: str, type_name: str) -> int | None:
    """The primary key an id of `type_name` holds; None for a malformed id or another type's."""
    try:
        name, key = parse_global_id(value)
    except UserInputError:
        return None
    return key if name == type_name else None


async def node_id(
    session: AsyncSession, checks: Checks, model: type[Base], field: str, value: str, what: str
) -> int | None:
    """The id of the `model` record a global id names; a problem in `checks` if there is none."""
    key = node_key(value, model.__name__)
    found = None if key is None else (await queries.by_ids(session, model, [key])).get(key)
    if found is None:
        checks.fail(field, f"No {what} has this id.")
        return None
    if found.retracted_at is not None:  # type: ignore[attr-defined]
        checks.fail(field, f"The {what} is retracted: nothing new may point at it.")
        return None
    return key


async def existing(session: AsyncSession, model: type[M], value: str, what: str) -> M:
    """The record an update names by its global id, or NOT_FOUND."""
    key = node_key(value, model.__name__)
    found = None if key is None else (await queries.by_ids(session, model, [key])).get(key)
    if found is None:
        raise refuse("id", f"No {what} has this id.", NOT_FOUND)
    return found


Find = Callable[[AsyncSession], Awaitable[int]]


def found_by_id(model: type[Base], value: str, what: str) -> Find:
    """The step that finds the record a mutation names by its global id, or NOT_FOUND."""

    async def find(session: AsyncSession) -> int:
        return int((await existing(session, model, value, what)).id)  # type: ignore[attr-defined]

    return find


def found_by_slug(model: type[Base], slug: str, what: str) -> Find:
    """The step that finds the record a mutation names by its slug, or NOT_FOUND."""

    async def find(session: AsyncSession) -> int:
        found = (await queries.by_slugs(session, model, [slug])).get(slug)
        if found is None:
            raise refuse("slug", f"No {what} has the slug '{slug[:100]}'.", NOT_FOUND)
        return int(found.id)  # type: ignore[attr-defined]

    return find


def given_values(
    checks: Checks, prefix: str, changes: object, *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields of `changes` that were sent; null is refused for those in `required`."""
    values = {name: value for name, value in vars(changes).items() if given(value)}
    for name in required:
        if name in values and values[name] is None:
            checks.fail(f"{prefix}.{camel(name)}", "This cannot be null.")
    return values


def check_position(checks: Checks, field: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_POSITION:
        checks.broken(field, rules.POSITION_RANGE, f"A position from 1 to {MAX_POSITION}.")
