"""Evidence after its claim is recorded: add more, correct a quote or its place, retract one.

Each piece of evidence is its own record in the audit trail (entity "evidence"), versioned
like every other; a quote must still be found in its source's stored text after any change.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from db.enums import Confidence
from schema.context import Actor, Info
from schema.errors import UserInputError
from schema.ids import parse_global_id
from schema.mutations.editing import (
    IN_USE,
    INVALID,
    RETRACTING,
    EditRefused,
    audited_insert,
    create_once,
    publishing_change,
    refuse,
    refuse_rule,
    retract_once,
    row_state,
    update_once,
)
from schema.mutations.evidence_input import (
    MAX_EVIDENCE,
    EvidenceInput,
    Sources,
    existing,
    found_by_id,
    given_values,
    node_key,
)
from schema.mutations.validation import Checks
from schema.types.consultations import Evidence

ENTITY = "evidence"
_state = row_state(models.Evidence)

# The claims evidence can be added to by id: their GraphQL type, model and evidence column.
CLAIMS: dict[str, tuple[type[models.Base], str]] = {
    "Consultation": (models.Consultation, "consultation_id"),
    "Influence": (models.Influence, "influence_id"),
    "Expectation": (models.Expectation, "expectation_id"),
    "ImpactAssessment": (models.ImpactAssessment, "impact_assessment_id"),
    "DocumentRelation": (models.DocumentRelation, "relation_id"),
    "Absence": (models.Absence, "absence_id"),
    "TopicOmission": (models.TopicOmission, "omission_id"),
}


@strawberry.input(description="Changes to a piece of evidence: only the fields given change.")
class EvidenceChanges:
    source: str | None = strawberry.field(
        default=strawberry.UNSET, description="The source document's slug."
    )
    locator: str | None = strawberry.UNSET
    quote: str | None = strawberry.field(
        default=strawberry.UNSET, description="Verbatim: it must be found in the source's text."
    )
    confidence: Confidence | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The evidence as it is after the change.")
class EvidenceSaved:
    evidence: Evidence


# Every column evidence may hang on.
CLAIM_COLUMNS = [
    column.key
    for column in models.Evidence.__table__.c
    if column.key.endswith("_id") and column.key != "source_id"
]

EvidencePayload = Annotated[EvidenceSaved | EditRefused, strawberry.union("EvidencePayload")]


async def _claim(session: AsyncSession, checks: Checks, claim: str) -> tuple[str, int] | None:
    """The evidence column and id of the claim a global id names; a problem if there is none."""
    try:
        type_name, _ = parse_global_id(claim)
    except UserInputError:
        type_name = ""
    if type_name not in CLAIMS:
        checks.fail(
            "claim",
            "Evidence is added to a consultation, influence, expectation, impact assessment, "
            "document relation, absence or topic omission: give its id.",
        )
        return None
    model, column = CLAIMS[type_name]
    key = node_key(claim, type_name)
    found = None if key is None else (await queries.by_ids(session, model, [key])).get(key)
    if found is None or found.retracted_at is not None:  # type: ignore[attr-defined]
        checks.fail("claim", "No claim has this id, or it is retracted.")
        return None
    return column, key  # type: ignore[return-value]


async def _saved(session: AsyncSession, evidence_id: int) -> EvidenceSaved:
    row = (await queries.by_ids(session, models.Evidence, [evidence_id]))[evidence_id]
    return EvidenceSaved(evidence=Evidence.from_row(row))


@strawberry.type
class EvidenceMutation:
    @strawberry.mutation(
        description="Add a piece of evidence to a recorded claim (a consultation, influence, "
        "expectation, impact assessment, document relation, absence or topic omission), after "
        "the ones it has."
    )
    async def add_evidence(
        self,
        info: Info,
        claim: strawberry.ID,
        input: EvidenceInput,
        idempotency_key: str | None = None,
    ) -> EvidencePayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            found = await _claim(session, checks, claim)
            sources = await Sources.of(session, [input.source])
            source_id = sources.check(checks, "input", input.source, input.locator, input.quote)
            checks.done()
            assert found is not None and source_id is not None
            column, claim_id = found
            if await rules.evidence_taken(
                session, column, claim_id, source_id, input.locator, input.quote
            ):
                raise refuse_rule("input.quote", rules.DUPLICATE_EVIDENCE)
            count, last = await queries.evidence_held(session, column, claim_id)
            if count >= MAX_EVIDENCE:
                raise refuse("claim", f"A claim has at most {MAX_EVIDENCE} pieces.", INVALID)
            row = models.Evidence(
                **{column: claim_id},
                source_id=source_id,
                locator=input.locator,
                quote=input.quote,
                confidence=input.confidence,
                published=input.published,
                position=(last if last is not None else -1) + 1,
            )
            return await audited_insert(session, info, actor, ENTITY, row, _state)

        request = {"claim": claim, "input": asdict(input)}
        return await create_once(info, idempotency_key, "addEvidence", request, create, _saved)

    @strawberry.mutation(
        description="Correct a piece of evidence at the version you read: its source, locator, "
        "quote (still verbatim from the source) or confidence."
    )
    async def update_evidence(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: EvidenceChanges
    ) -> EvidencePayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.Evidence, id, "evidence")
            evidence_id = current.id
            checks = Checks()
            values = given_values(
                checks,
                "changes",
                changes,
                required=("source", "locator", "quote", "confidence", "published"),
            )
            source_slug = values.pop("source", None)
            if source_slug is None:
                source = await queries.by_ids(session, models.Document, [current.source_id])
                source_slug = source[current.source_id].slug
            sources = await Sources.of(session, [source_slug])
            source_id = sources.check(
                checks,
                "changes",
                source_slug,
                values.get("locator", current.locator),
                values.get("quote", current.quote),
            )
            checks.done()
            assert source_id is not None
            column = next(c for c in CLAIM_COLUMNS if getattr(current, c) is not None)
            if await rules.evidence_taken(
                session,
                column,
                getattr(current, column),
                source_id,
                values.get("locator", current.locator),
                values.get("quote", current.quote),
                evidence_id,
            ):
                raise refuse_rule("changes.quote", rules.DUPLICATE_EVIDENCE)
            values["source_id"] = source_id
            return evidence_id, values

        return await update_once(
            info, ENTITY, models.Evidence, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(description=f"Retract a piece of evidence. {RETRACTING}")
    async def retract_evidence(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> EvidencePayload:
        async def find(session: AsyncSession) -> int:
            evidence_id = await found_by_id(models.Evidence, id, "evidence")(session)
            row = (await queries.by_ids(session, models.Evidence, [evidence_id]))[evidence_id]
            column = next(c for c in CLAIM_COLUMNS if getattr(row, c) is not None)
            held, _ = await queries.evidence_held(session, column, getattr(row, column))
            if row.retracted_at is None and held <= 1:
                raise refuse(
                    "id",
                    "This is its claim's only evidence, and every claim needs some: add other "
                    "evidence first, or retract the claim itself.",
                    IN_USE,
                )
            return evidence_id

        return await retract_once(
            info, ENTITY, models.Evidence, expected_version, reason, find, _state, _saved
        )
