"""Claims of a gap, with evidence: absences (a source shows a group or organisation was not
consulted on a document) and topic omissions (a source shows a document leaves a topic out)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, exists, select
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
    update_once,
)
from schema.mutations.evidence_input import (
    EvidenceInput,
    adding_evidence,
    check_evidence,
    existing,
    found_by_id,
    given_values,
    group_or_organisation,
    slug_id,
    state_with_evidence,
)
from schema.mutations.validation import MAX_TEXT, Checks
from schema.types.topics import Absence, TopicOmission

# ---------------------------------------------------------------- absences

ABSENCE = "absence"
_absence_state = state_with_evidence(models.Absence, models.Evidence.absence_id)


@strawberry.input(
    description="Evidence of absence: a group or an organisation (exactly one) a source shows was "
    "not consulted on a document. The summary says how strongly it shows it."
)
class AbsenceInput:
    document: str = strawberry.field(description="The document's slug.")
    group: str | None = strawberry.field(default=None, description="A stakeholder group's slug.")
    organisation: str | None = strawberry.field(default=None, description="An organisation's slug.")
    summary: str
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to an absence: only the fields given change.")
class AbsenceChanges:
    summary: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The absence as it is after the change.")
class AbsenceSaved:
    absence: Absence


AbsencePayload = Annotated[AbsenceSaved | EditRefused, strawberry.union("AbsencePayload")]


async def _absence_saved(session: AsyncSession, absence_id: int) -> AbsenceSaved:
    row = (await queries.by_ids(session, models.Absence, [absence_id]))[absence_id]
    return AbsenceSaved(absence=Absence.from_row(row))


# ---------------------------------------------------------------- topic omissions

OMISSION = "topic_omission"
_omission_state = state_with_evidence(models.TopicOmission, models.Evidence.omission_id)


@strawberry.input(description="A topic a source shows a document leaves out, with the evidence.")
class TopicOmissionInput:
    document: str = strawberry.field(description="The document's slug.")
    topic: str = strawberry.field(description="The topic's slug.")
    summary: str | None = None
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to a topic omission: only the fields given change.")
class TopicOmissionChanges:
    summary: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The topic omission as it is after the change.")
class TopicOmissionSaved:
    topic_omission: TopicOmission


TopicOmissionPayload = Annotated[
    TopicOmissionSaved | EditRefused, strawberry.union("TopicOmissionPayload")
]


async def _omission_saved(session: AsyncSession, omission_id: int) -> TopicOmissionSaved:
    row = (await queries.by_ids(session, models.TopicOmission, [omission_id]))[omission_id]
    return TopicOmissionSaved(topic_omission=TopicOmission.from_row(row))


async def _covers(session: AsyncSession, document_id: int, topic_id: int) -> bool:
    """Whether the document, or one of its principles, is recorded as covering the topic: a
    document cannot both cover a topic and leave it out."""
    by_document = exists().where(
        models.DocumentTopic.document_id == document_id,
        models.DocumentTopic.topic_id == topic_id,
    )
    by_principle = exists().where(
        models.PrincipleTopic.topic_id == topic_id,
        models.Principle.id == models.PrincipleTopic.principle_id,
        models.Principle.document_id == document_id,
    )
    covered: ColumnElement[bool] = by_document | by_principle
    return bool(await session.scalar(select(covered)))


@strawberry.type
class GapMutation:
    # ------------------------------------------------------------ absences

    @strawberry.mutation(
        description="Record that a source shows a group or an organisation was not consulted on "
        "a document, with the evidence. One per document and group (or organisation)."
    )
    async def create_absence(
        self, info: Info, input: AbsenceInput, idempotency_key: str | None = None
    ) -> AbsencePayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.summary", input.summary, MAX_TEXT, required=True)
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            group_id, organisation_id = await group_or_organisation(
                session, checks, input.group, input.organisation
            )
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            key = {
                "document_id": document_id,
                "group_id": group_id,
                "organisation_id": organisation_id,
            }
            if await rules.DUPLICATE_ABSENCE.taken(session, key):
                checks.broken(
                    "input.group" if group_id else "input.organisation",
                    rules.DUPLICATE_ABSENCE,
                    "An absence of this party from this document is recorded already: add "
                    "evidence to it instead.",
                )
                checks.done()
            row = models.Absence(
                document_id=document_id,
                group_id=group_id,
                organisation_id=organisation_id,
                summary=input.summary,
                published=input.published,
            )
            add = adding_evidence(session, "absence_id", evidence)
            return await audited_insert(session, info, actor, ABSENCE, row, _absence_state, add)

        return await create_once(
            info, idempotency_key, "createAbsence", asdict(input), create, _absence_saved
        )

    @strawberry.mutation(description="Change an absence's summary at the version you read.")
    async def update_absence(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: AbsenceChanges
    ) -> AbsencePayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            absence_id = (await existing(session, models.Absence, id, "absence")).id
            checks = Checks()
            values = given_values(checks, "changes", changes, required=("summary", "published"))
            if values.get("summary") is not None:
                checks.text("changes.summary", values["summary"], MAX_TEXT, required=True)
            checks.done()
            return absence_id, values

        return await update_once(
            info, ABSENCE, models.Absence, expected_version, prepare, _absence_state, _absence_saved
        )

    @strawberry.mutation(description=f"Retract an absence and its evidence. {RETRACTING}")
    async def retract_absence(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> AbsencePayload:
        find = found_by_id(models.Absence, id, "absence")
        return await retract_once(
            info,
            ABSENCE,
            models.Absence,
            expected_version,
            reason,
            find,
            _absence_state,
            _absence_saved,
        )

    # ------------------------------------------------------------ topic omissions

    @strawberry.mutation(
        description="Record that a source shows a document leaves a topic out, with the "
        "evidence. A document cannot both cover a topic and leave it out."
    )
    async def create_topic_omission(
        self, info: Info, input: TopicOmissionInput, idempotency_key: str | None = None
    ) -> TopicOmissionPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.summary", input.summary, MAX_TEXT)
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            topic_id = await slug_id(
                session, checks, models.Topic, "input.topic", input.topic, "topic"
            )
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            assert document_id is not None and topic_id is not None
            if await rules.DUPLICATE_OMISSION.taken(
                session, {"document_id": document_id, "topic_id": topic_id}
            ):
                checks.broken(
                    "input.topic",
                    rules.DUPLICATE_OMISSION,
                    "This document is recorded as leaving this topic out already.",
                )
            elif await _covers(session, document_id, topic_id):
                checks.broken(
                    "input.topic",
                    rules.COVERED_AND_OMITTED,
                    "This document, or one of its principles, is recorded as covering this topic: "
                    "it cannot also leave it out.",
                )
            checks.done()
            row = models.TopicOmission(
                document_id=document_id,
                topic_id=topic_id,
                summary=input.summary,
                published=input.published,
            )
            add = adding_evidence(session, "omission_id", evidence)
            return await audited_insert(session, info, actor, OMISSION, row, _omission_state, add)

        return await create_once(
            info, idempotency_key, "createTopicOmission", asdict(input), create, _omission_saved
        )

    @strawberry.mutation(description="Change a topic omission's summary at the version you read.")
    async def update_topic_omission(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: TopicOmissionChanges
    ) -> TopicOmissionPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            omission_id = (await existing(session, models.TopicOmission, id, "topic omission")).id
            checks = Checks()
            values = given_values(checks, "changes", changes, required=("published",))
            if "summary" in values:
                checks.text("changes.summary", values["summary"], MAX_TEXT)
            checks.done()
            return omission_id, values

        return await update_once(
            info,
            OMISSION,
            models.TopicOmission,
            expected_version,
            prepare,
            _omission_state,
            _omission_saved,
        )

    @strawberry.mutation(description=f"Retract a topic omission and its evidence. {RETRACTING}")
    async def retract_topic_omission(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> TopicOmissionPayload:
        find = found_by_id(models.TopicOmission, id, "topic omission")
        return await retract_once(
            info,
            OMISSION,
            models.TopicOmission,
            expected_version,
            reason,
            find,
            _omission_state,
            _omission_saved,
        )
