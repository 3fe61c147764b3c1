"""Recording who took part in a document: consultations, each with its evidence."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import edits, models, queries, rules
from db.enums import ConsultationRole
from schema.context import Actor, Info
from schema.ids import parse_global_id
from schema.mutations.editing import (
    NOT_FOUND,
    EditRefused,
    audited_insert,
    create_once,
    given,
    refuse,
    refuse_rule,
    retract_once,
    update_once,
)
from schema.mutations.evidence_input import EvidenceInput, check_evidence
from schema.mutations.validation import MAX_TEXT, Checks
from schema.types.consultations import Consultation

ENTITY = "consultation"


@strawberry.input(description="An organisation's part in a document, with at least one source.")
class ConsultationInput:
    document: str = strawberry.field(description="The document's slug.")
    organisation: str = strawberry.field(description="The organisation's slug.")
    role: ConsultationRole
    summary: str | None = None
    evidence: list[EvidenceInput]
    published: bool = strawberry.field(
        default=True, description="False keeps it a draft, seen by editors only."
    )


@strawberry.input(description="Changes to a consultation: only the fields given change.")
class ConsultationChanges:
    role: ConsultationRole | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    published: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True publishes a draft; false withdraws it to draft."
    )


@strawberry.type(description="The consultation as it is after the change.")
class ConsultationSaved:
    consultation: Consultation


ConsultationPayload = Annotated[
    ConsultationSaved | EditRefused, strawberry.union("ConsultationPayload")
]


async def _state(session: AsyncSession, consultation_id: int) -> dict[str, Any]:
    row = (await queries.by_ids(session, models.Consultation, [consultation_id]))[consultation_id]
    evidence = await queries.children(
        session, models.Evidence.consultation_id, [consultation_id], models.Evidence.position
    )
    return edits.snapshot(
        row, evidence=[edits.snapshot(e) for e in evidence.get(consultation_id, [])]
    )


async def _existing(session: AsyncSession, id: str) -> int:
    type_name, consultation_id = parse_global_id(id)
    found = await queries.by_ids(session, models.Consultation, [consultation_id])
    if type_name != "Consultation" or consultation_id not in found:
        raise refuse("id", "No consultation has this id.", NOT_FOUND)
    return consultation_id


async def _saved(session: AsyncSession, consultation_id: int) -> ConsultationSaved:
    row = (await queries.by_ids(session, models.Consultation, [consultation_id]))[consultation_id]
    return ConsultationSaved(consultation=Consultation.from_row(row))


@strawberry.type
class ConsultationMutation:
    @strawberry.mutation(
        description="Record that an organisation took part in a document, with its evidence."
    )
    async def create_consultation(
        self, info: Info, input: ConsultationInput, idempotency_key: str | None = None
    ) -> ConsultationPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.summary", input.summary, MAX_TEXT)
            document = await queries.by_slugs(session, models.Document, [input.document])
            organisation = await queries.by_slugs(
                session, models.Organisation, [input.organisation]
            )
            for field, slug, found, what in (
                ("input.document", input.document, document, "document"),
                ("input.organisation", input.organisation, organisation, "organisation"),
            ):
                if slug not in found:
                    checks.broken(
                        field, rules.UNKNOWN_REFERENCE, f"No {what} has the slug '{slug[:100]}'."
                    )
                elif found[slug].retracted_at is not None:
                    checks.fail(field, f"The {what} '{slug[:100]}' is retracted.")
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            document_id = document[input.document].id
            organisation_id = organisation[input.organisation].id
            key = {"document_id": document_id, "organisation_id": organisation_id}
            taken = await queries.taken(session, models.Consultation, {**key, "role": input.role})
            if taken:
                raise refuse_rule(
                    "input.role",
                    rules.DUPLICATE_CONSULTATION,
                    "This organisation is recorded in this role on this document already.",
                )
            row = models.Consultation(
                document_id=document_id,
                organisation_id=organisation_id,
                role=input.role,
                summary=input.summary,
                published=input.published,
            )

            async def add_evidence(consultation_id: int) -> None:
                session.add_all(
                    models.Evidence(consultation_id=consultation_id, **item) for item in evidence
                )
                await session.flush()

            return await audited_insert(session, info, actor, ENTITY, row, _state, add_evidence)

        return await create_once(
            info, idempotency_key, "createConsultation", asdict(input), create, _saved
        )

    @strawberry.mutation(
        description="Change a consultation's role or summary at the version you read."
    )
    async def update_consultation(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: ConsultationChanges
    ) -> ConsultationPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            consultation_id = await _existing(session, id)
            current = (await queries.by_ids(session, models.Consultation, [consultation_id]))[
                consultation_id
            ]
            checks = Checks()
            values: dict[str, Any] = {}
            if given(changes.role):
                if changes.role is None:
                    checks.fail("changes.role", "This cannot be null.")
                elif await rules.DUPLICATE_CONSULTATION.taken(
                    session,
                    {
                        "document_id": current.document_id,
                        "organisation_id": current.organisation_id,
                        "role": changes.role,
                    },
                    consultation_id,
                ):
                    checks.broken("changes.role", rules.DUPLICATE_CONSULTATION)
                values["role"] = changes.role
            if given(changes.summary):
                checks.text("changes.summary", changes.summary, MAX_TEXT)
                values["summary"] = changes.summary
            if given(changes.published):
                if changes.published is None:
                    checks.fail("changes.published", "published is true or false, not null.")
                values["published"] = changes.published
            checks.done()
            return consultation_id, values

        return await update_once(
            info, ENTITY, models.Consultation, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(description="Withdraw a consultation for everyone, saying why.")
    async def retract_consultation(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> ConsultationPayload:
        async def find(session: AsyncSession) -> int:
            return await _existing(session, id)

        return await retract_once(
            info, ENTITY, models.Consultation, expected_version, reason, find, _state, _saved
        )
