"""Creating and updating the numbered principles of a document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from schema.context import Actor, Info
from schema.mutations.editing import (
    RETRACTING,
    EditRefused,
    audited_insert,
    create_once,
    publishing,
    publishing_change,
    retract_once,
    row_state,
    update_once,
)
from schema.mutations.evidence_input import (
    check_position,
    existing,
    found_by_id,
    given_values,
    slug_id,
)
from schema.mutations.validation import MAX_TEXT, Checks
from schema.types.documents import Principle

ENTITY = "principle"
MAX_TITLE = 500
_state = row_state(models.Principle)


@strawberry.input(description="A new principle of a document.")
class PrincipleInput:
    document: str = strawberry.field(description="The document's slug.")
    position: int = strawberry.field(description="1-based, as the source numbers it.")
    title: str | None = None
    text: str = strawberry.field(description="Verbatim, as the source words it.")
    published: bool = publishing()


@strawberry.input(description="Changes to a principle: only the fields given change.")
class PrincipleChanges:
    position: int | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    text: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The principle as it is after the change.")
class PrincipleSaved:
    principle: Principle


PrinciplePayload = Annotated[PrincipleSaved | EditRefused, strawberry.union("PrinciplePayload")]


def _check(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    if "position" in values:
        check_position(checks, f"{prefix}.position", values["position"])
    if "title" in values:
        checks.text(f"{prefix}.title", values["title"], MAX_TITLE)
    if "text" in values:
        checks.text(f"{prefix}.text", values["text"], MAX_TEXT, required=True)


async def _position_taken(
    session: AsyncSession, document_id: int, position: int, principle_id: int | None = None
) -> bool:
    key = {"document_id": document_id, "position": position}
    return await queries.taken(session, models.Principle, key, principle_id)


async def _saved(session: AsyncSession, principle_id: int) -> PrincipleSaved:
    row = (await queries.by_ids(session, models.Principle, [principle_id]))[principle_id]
    return PrincipleSaved(principle=Principle.from_row(row))


@strawberry.type
class PrincipleMutation:
    @strawberry.mutation(
        description="Add a numbered principle to a document; its text is kept verbatim. "
        "An idempotency key makes repeats safe."
    )
    async def create_principle(
        self, info: Info, input: PrincipleInput, idempotency_key: str | None = None
    ) -> PrinciplePayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            _check(checks, "input", {"position": input.position, "title": input.title})
            checks.text("input.text", input.text, MAX_TEXT, required=True)
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            if document_id is not None and await _position_taken(
                session, document_id, input.position
            ):
                checks.broken(
                    "input.position",
                    rules.DUPLICATE_PRINCIPLE,
                    "The document has a principle at this position.",
                )
            checks.done()
            row = models.Principle(
                document_id=document_id,
                position=input.position,
                title=input.title,
                text=input.text,
                published=input.published,
            )
            return await audited_insert(session, info, actor, ENTITY, row, _state)

        return await create_once(
            info, idempotency_key, "createPrinciple", asdict(input), create, _saved
        )

    @strawberry.mutation(
        description="Change a principle at the version you read; a stale one is a CONFLICT."
    )
    async def update_principle(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: PrincipleChanges
    ) -> PrinciplePayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.Principle, id, "principle")
            principle_id, document_id = current.id, current.document_id
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("position", "text", "published")
            )
            _check(checks, "changes", values)
            position = values.get("position")
            if position is not None and await _position_taken(
                session, document_id, position, principle_id
            ):
                checks.broken(
                    "changes.position",
                    rules.DUPLICATE_PRINCIPLE,
                    "The document has another principle at this position.",
                )
            checks.done()
            return principle_id, values

        return await update_once(
            info, ENTITY, models.Principle, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(description=f"Retract a principle. {RETRACTING}")
    async def retract_principle(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> PrinciplePayload:
        find = found_by_id(models.Principle, id, "principle")
        return await retract_once(
            info, ENTITY, models.Principle, expected_version, reason, find, _state, _saved
        )
