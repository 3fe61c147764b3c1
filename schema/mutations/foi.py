"""Creating and updating FOI requests and their numbered questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from db.enums import FoiOutcome
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
    node_id,
    slug_id,
)
from schema.mutations.validation import MAX_TEXT, Checks
from schema.types.foi import FoiQuestion, FoiRequest

# ---------------------------------------------------------------- requests

REQUEST = "foi_request"
MAX_REFERENCE = 100
_request_state = row_state(models.FoiRequest)


@strawberry.input(description="A new FOI request.")
class FoiRequestInput:
    reference: str = strawberry.field(description='As the authority writes it: "059/19".')
    authority: str = strawberry.field(description="The answering organisation's slug.")
    received_on: dt.date | None = None
    responded_on: dt.date | None = None
    subject: str | None = strawberry.field(
        default=None, description="The slug of the document the request asks about."
    )
    response: str | None = strawberry.field(
        default=None, description="The slug of the response, as a source document."
    )
    summary: str | None = None
    published: bool = publishing()


@strawberry.input(description="Changes to an FOI request: only the fields given change.")
class FoiRequestChanges:
    reference: str | None = strawberry.UNSET
    authority: str | None = strawberry.UNSET
    received_on: dt.date | None = strawberry.UNSET
    responded_on: dt.date | None = strawberry.UNSET
    subject: str | None = strawberry.UNSET
    response: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The FOI request as it is after the change.")
class FoiRequestSaved:
    foi_request: FoiRequest


FoiRequestPayload = Annotated[FoiRequestSaved | EditRefused, strawberry.union("FoiRequestPayload")]

# Input names that hold a slug, and the column and model each becomes.
_REFERENCES: dict[str, tuple[str, type[models.Base], str]] = {
    "authority": ("authority_id", models.Organisation, "organisation"),
    "subject": ("subject_id", models.Document, "document"),
    "response": ("response_id", models.Document, "document"),
}


async def _resolve(
    session: AsyncSession, checks: Checks, prefix: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Check the values and turn slugs into ids: the columns to write."""
    if values.get("reference") is not None:
        checks.text(f"{prefix}.reference", values["reference"], MAX_REFERENCE, required=True)
    if "summary" in values:
        checks.text(f"{prefix}.summary", values["summary"], MAX_TEXT)
    columns = {k: v for k, v in values.items() if k not in _REFERENCES}
    for name, (column, model, what) in _REFERENCES.items():
        if name in values:
            slug = values[name]
            columns[column] = (
                None
                if slug is None
                else await slug_id(session, checks, model, f"{prefix}.{name}", slug, what)
            )
    return columns


def _check_dates(checks: Checks, field: str, row: dict[str, Any]) -> None:
    received, responded = row.get("received_on"), row.get("responded_on")
    if received is not None and responded is not None and responded < received:
        checks.fail(field, "The response cannot come before the request was received.")


async def _reference_taken(
    session: AsyncSession, authority_id: int, reference: str, request_id: int | None = None
) -> bool:
    return await queries.taken(
        session,
        models.FoiRequest,
        {"authority_id": authority_id, "reference": reference},
        request_id,
    )


async def _request_saved(session: AsyncSession, request_id: int) -> FoiRequestSaved:
    row = (await queries.by_ids(session, models.FoiRequest, [request_id]))[request_id]
    return FoiRequestSaved(foi_request=FoiRequest.from_row(row))


# ---------------------------------------------------------------- questions

QUESTION = "foi_question"
_question_state = row_state(models.FoiQuestion)


@strawberry.input(description="A numbered question of an FOI request, and the answer given.")
class FoiQuestionInput:
    request: strawberry.ID = strawberry.field(description="The FOI request's id.")
    number: int = strawberry.field(description="1-based, as the request numbers it.")
    text: str
    answer: str | None = None
    outcome: FoiOutcome
    published: bool = publishing()


@strawberry.input(description="Changes to an FOI question: only the fields given change.")
class FoiQuestionChanges:
    number: int | None = strawberry.UNSET
    text: str | None = strawberry.UNSET
    answer: str | None = strawberry.UNSET
    outcome: FoiOutcome | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The FOI question as it is after the change.")
class FoiQuestionSaved:
    foi_question: FoiQuestion


FoiQuestionPayload = Annotated[
    FoiQuestionSaved | EditRefused, strawberry.union("FoiQuestionPayload")
]


def _check_question(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    if "number" in values:
        check_position(checks, f"{prefix}.number", values["number"])
    if values.get("text") is not None:
        checks.text(f"{prefix}.text", values["text"], MAX_TEXT, required=True)
    if "answer" in values:
        checks.text(f"{prefix}.answer", values["answer"], MAX_TEXT)


async def _number_taken(
    session: AsyncSession, request_id: int, number: int, question_id: int | None = None
) -> bool:
    key = {"request_id": request_id, "number": number}
    return await queries.taken(session, models.FoiQuestion, key, question_id)


async def _question_saved(session: AsyncSession, question_id: int) -> FoiQuestionSaved:
    row = (await queries.by_ids(session, models.FoiQuestion, [question_id]))[question_id]
    return FoiQuestionSaved(foi_question=FoiQuestion.from_row(row))


@strawberry.type
class FoiMutation:
    # ------------------------------------------------------------ requests

    @strawberry.mutation(description="Add an FOI request. An idempotency key makes repeats safe.")
    async def create_foi_request(
        self, info: Info, input: FoiRequestInput, idempotency_key: str | None = None
    ) -> FoiRequestPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            columns = await _resolve(session, checks, "input", asdict(input))
            _check_dates(checks, "input.respondedOn", columns)
            authority_id = columns["authority_id"]
            if authority_id is not None and await _reference_taken(
                session, authority_id, input.reference
            ):
                checks.broken(
                    "input.reference",
                    rules.DUPLICATE_FOI_REQUEST,
                    "This authority has a request with this reference already.",
                )
            checks.done()
            row = models.FoiRequest(**columns)
            return await audited_insert(session, info, actor, REQUEST, row, _request_state)

        return await create_once(
            info, idempotency_key, "createFoiRequest", asdict(input), create, _request_saved
        )

    @strawberry.mutation(
        description="Change an FOI request at the version you read; a stale one is a CONFLICT."
    )
    async def update_foi_request(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: FoiRequestChanges
    ) -> FoiRequestPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.FoiRequest, id, "FOI request")
            request_id = current.id
            now = {
                "reference": current.reference,
                "authority_id": current.authority_id,
                "received_on": current.received_on,
                "responded_on": current.responded_on,
            }
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("reference", "authority", "published")
            )
            columns = await _resolve(session, checks, "changes", values)
            after = {**now, **columns}
            _check_dates(checks, "changes.respondedOn", after)
            if (
                ("reference" in columns or "authority_id" in columns)
                and after["reference"] is not None
                and after["authority_id"] is not None
                and await _reference_taken(
                    session, after["authority_id"], after["reference"], request_id
                )
            ):
                checks.broken(
                    "changes.reference",
                    rules.DUPLICATE_FOI_REQUEST,
                    "This authority has another request with this reference.",
                )
            checks.done()
            return request_id, columns

        return await update_once(
            info,
            REQUEST,
            models.FoiRequest,
            expected_version,
            prepare,
            _request_state,
            _request_saved,
        )

    # ------------------------------------------------------------ questions

    @strawberry.mutation(description="Add a numbered question, and its answer, to an FOI request.")
    async def create_foi_question(
        self, info: Info, input: FoiQuestionInput, idempotency_key: str | None = None
    ) -> FoiQuestionPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            _check_question(
                checks,
                "input",
                {"number": input.number, "text": input.text, "answer": input.answer},
            )
            request_id = await node_id(
                session, checks, models.FoiRequest, "input.request", input.request, "FOI request"
            )
            if request_id is not None and await _number_taken(session, request_id, input.number):
                checks.broken(
                    "input.number",
                    rules.DUPLICATE_FOI_QUESTION,
                    "The request has a question with this number.",
                )
            checks.done()
            row = models.FoiQuestion(
                request_id=request_id,
                number=input.number,
                text=input.text,
                answer=input.answer,
                outcome=input.outcome,
                published=input.published,
            )
            return await audited_insert(session, info, actor, QUESTION, row, _question_state)

        return await create_once(
            info, idempotency_key, "createFoiQuestion", asdict(input), create, _question_saved
        )

    @strawberry.mutation(
        description="Change an FOI question at the version you read; a stale one is a CONFLICT."
    )
    async def update_foi_question(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: FoiQuestionChanges
    ) -> FoiQuestionPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.FoiQuestion, id, "FOI question")
            question_id, request_id = current.id, current.request_id
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("number", "text", "outcome", "published")
            )
            _check_question(checks, "changes", values)
            number = values.get("number")
            if number is not None and await _number_taken(session, request_id, number, question_id):
                checks.broken(
                    "changes.number",
                    rules.DUPLICATE_FOI_QUESTION,
                    "The request has another question with this number.",
                )
            checks.done()
            return question_id, values

        return await update_once(
            info,
            QUESTION,
            models.FoiQuestion,
            expected_version,
            prepare,
            _question_state,
            _question_saved,
        )

    @strawberry.mutation(
        description=f"Retract an FOI request; its questions go with it. {RETRACTING}"
    )
    async def retract_foi_request(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> FoiRequestPayload:
        find = found_by_id(models.FoiRequest, id, "FOI request")
        return await retract_once(
            info,
            REQUEST,
            models.FoiRequest,
            expected_version,
            reason,
            find,
            _request_state,
            _request_saved,
        )

    @strawberry.mutation(description=f"Retract one question of an FOI request. {RETRACTING}")
    async def retract_foi_question(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> FoiQuestionPayload:
        find = found_by_id(models.FoiQuestion, id, "FOI question")
        return await retract_once(
            info,
            QUESTION,
            models.FoiQuestion,
            expected_version,
            reason,
            find,
            _question_state,
            _question_saved,
        )
