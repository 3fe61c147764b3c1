"""Claims with evidence: influences on principles, expectations of who should have been
consulted, and impact assessments."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from db.enums import DatePrecision, ExpectationBasis, InfluenceEffect
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
    node_id,
    slug_id,
    state_with_evidence,
)
from schema.mutations.validation import MAX_TEXT, Checks
from schema.types.consultations import Expectation, ImpactAssessment, Influence

# ---------------------------------------------------------------- influences

INFLUENCE = "influence"
_influence_state = state_with_evidence(models.Influence, models.Evidence.influence_id)


@strawberry.input(description="What an organisation did to a principle, with its evidence.")
class InfluenceInput:
    organisation: str = strawberry.field(description="The organisation's slug.")
    principle: strawberry.ID = strawberry.field(description="The principle's id.")
    effect: InfluenceEffect
    summary: str | None = None
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to an influence: only the fields given change.")
class InfluenceChanges:
    effect: InfluenceEffect | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The influence as it is after the change.")
class InfluenceSaved:
    influence: Influence


InfluencePayload = Annotated[InfluenceSaved | EditRefused, strawberry.union("InfluencePayload")]


async def _influence_taken(
    session: AsyncSession,
    principle_id: int,
    organisation_id: int,
    effect: InfluenceEffect,
    influence_id: int | None = None,
) -> bool:
    return await queries.taken(
        session,
        models.Influence,
        {"principle_id": principle_id, "organisation_id": organisation_id, "effect": effect},
        influence_id,
    )


async def _influence_saved(session: AsyncSession, influence_id: int) -> InfluenceSaved:
    row = (await queries.by_ids(session, models.Influence, [influence_id]))[influence_id]
    return InfluenceSaved(influence=Influence.from_row(row))


# ---------------------------------------------------------------- expectations

EXPECTATION = "expectation"
_expectation_state = state_with_evidence(models.Expectation, models.Evidence.expectation_id)


@strawberry.input(
    description="A group or an organisation (exactly one) that should have been consulted on a "
    "document, why, and the evidence."
)
class ExpectationInput:
    document: str = strawberry.field(description="The document's slug.")
    group: str | None = strawberry.field(default=None, description="A stakeholder group's slug.")
    organisation: str | None = strawberry.field(default=None, description="An organisation's slug.")
    basis: ExpectationBasis
    reason: str
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to an expectation: only the fields given change.")
class ExpectationChanges:
    basis: ExpectationBasis | None = strawberry.UNSET
    reason: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The expectation as it is after the change.")
class ExpectationSaved:
    expectation: Expectation


ExpectationPayload = Annotated[
    ExpectationSaved | EditRefused, strawberry.union("ExpectationPayload")
]


async def _expectation_saved(session: AsyncSession, expectation_id: int) -> ExpectationSaved:
    row = (await queries.by_ids(session, models.Expectation, [expectation_id]))[expectation_id]
    return ExpectationSaved(expectation=Expectation.from_row(row))


# ---------------------------------------------------------------- impact assessments

IMPACT_ASSESSMENT = "impact_assessment"
MAX_KIND = 50
MAX_OUTCOME = 200
_assessment_state = state_with_evidence(
    models.ImpactAssessment, models.Evidence.impact_assessment_id
)


@strawberry.input(description='An EIA, PSED, SIA, DPIA... "Not undertaken" is a record too.')
class ImpactAssessmentInput:
    document: str = strawberry.field(description="The document's slug.")
    kind: str = strawberry.field(description="EIA, PSED, SIA, DPIA...")
    undertaken: bool
    outcome: str | None = None
    date: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.DAY
    reference: str | None = None
    summary: str | None = None
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to an impact assessment: only the fields given change.")
class ImpactAssessmentChanges:
    kind: str | None = strawberry.UNSET
    undertaken: bool | None = strawberry.UNSET
    outcome: str | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    date_precision: DatePrecision | None = strawberry.UNSET
    reference: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The impact assessment as it is after the change.")
class ImpactAssessmentSaved:
    impact_assessment: ImpactAssessment


ImpactAssessmentPayload = Annotated[
    ImpactAssessmentSaved | EditRefused, strawberry.union("ImpactAssessmentPayload")
]


def _check_assessment(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    if "kind" in values:
        checks.text(f"{prefix}.kind", values["kind"], MAX_KIND, required=True)
    if "outcome" in values:
        checks.text(f"{prefix}.outcome", values["outcome"], MAX_OUTCOME)
    for name in ("reference", "summary"):
        if name in values:
            checks.text(f"{prefix}.{name}", values[name], MAX_TEXT)


async def _assessment_saved(session: AsyncSession, assessment_id: int) -> ImpactAssessmentSaved:
    row = (await queries.by_ids(session, models.ImpactAssessment, [assessment_id]))[assessment_id]
    return ImpactAssessmentSaved(impact_assessment=ImpactAssessment.from_row(row))


@strawberry.type
class ClaimMutation:
    # ------------------------------------------------------------ influences

    @strawberry.mutation(
        description="Record what an organisation did to a principle, with its evidence."
    )
    async def create_influence(
        self, info: Info, input: InfluenceInput, idempotency_key: str | None = None
    ) -> InfluencePayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.summary", input.summary, MAX_TEXT)
            organisation_id = await slug_id(
                session,
                checks,
                models.Organisation,
                "input.organisation",
                input.organisation,
                "organisation",
            )
            principle_id = await node_id(
                session, checks, models.Principle, "input.principle", input.principle, "principle"
            )
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            assert organisation_id is not None and principle_id is not None
            if await _influence_taken(session, principle_id, organisation_id, input.effect):
                checks.broken(
                    "input.effect",
                    rules.DUPLICATE_INFLUENCE,
                    "This organisation's effect on this principle is recorded already.",
                )
                checks.done()
            row = models.Influence(
                organisation_id=organisation_id,
                principle_id=principle_id,
                effect=input.effect,
                summary=input.summary,
                published=input.published,
            )
            add = adding_evidence(session, "influence_id", evidence)
            return await audited_insert(session, info, actor, INFLUENCE, row, _influence_state, add)

        return await create_once(
            info, idempotency_key, "createInfluence", asdict(input), create, _influence_saved
        )

    @strawberry.mutation(
        description="Change an influence's effect or summary at the version you read."
    )
    async def update_influence(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: InfluenceChanges
    ) -> InfluencePayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.Influence, id, "influence")
            influence_id = current.id
            principle_id, organisation_id = current.principle_id, current.organisation_id
            checks = Checks()
            values = given_values(checks, "changes", changes, required=("effect", "published"))
            if "summary" in values:
                checks.text("changes.summary", values["summary"], MAX_TEXT)
            effect = values.get("effect")
            if effect is not None and await _influence_taken(
                session, principle_id, organisation_id, effect, influence_id
            ):
                checks.broken(
                    "changes.effect",
                    rules.DUPLICATE_INFLUENCE,
                    "This organisation's effect on this principle is recorded already.",
                )
            checks.done()
            return influence_id, values

        return await update_once(
            info,
            INFLUENCE,
            models.Influence,
            expected_version,
            prepare,
            _influence_state,
            _influence_saved,
        )

    # ------------------------------------------------------------ expectations

    @strawberry.mutation(
        description="Record that a group or an organisation should have been consulted on a "
        "document, why, and the evidence."
    )
    async def create_expectation(
        self, info: Info, input: ExpectationInput, idempotency_key: str | None = None
    ) -> ExpectationPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.reason", input.reason, MAX_TEXT, required=True)
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
                "basis": input.basis,
            }
            if await rules.DUPLICATE_EXPECTATION.taken(session, key):
                checks.broken("input.basis", rules.DUPLICATE_EXPECTATION)
                checks.done()
            row = models.Expectation(
                document_id=document_id,
                group_id=group_id,
                organisation_id=organisation_id,
                basis=input.basis,
                reason=input.reason,
                published=input.published,
            )
            add = adding_evidence(session, "expectation_id", evidence)
            return await audited_insert(
                session, info, actor, EXPECTATION, row, _expectation_state, add
            )

        return await create_once(
            info, idempotency_key, "createExpectation", asdict(input), create, _expectation_saved
        )

    @strawberry.mutation(
        description="Change an expectation's basis or reason at the version you read."
    )
    async def update_expectation(
        self, info: Info, id: strawberry.ID, expected_version: int, changes: ExpectationChanges
    ) -> ExpectationPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.Expectation, id, "expectation")
            expectation_id = current.id
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("basis", "reason", "published")
            )
            if values.get("basis") is not None and await rules.DUPLICATE_EXPECTATION.taken(
                session,
                {
                    "document_id": current.document_id,
                    "group_id": current.group_id,
                    "organisation_id": current.organisation_id,
                    "basis": values["basis"],
                },
                expectation_id,
            ):
                checks.broken("changes.basis", rules.DUPLICATE_EXPECTATION)
            if values.get("reason") is not None:
                checks.text("changes.reason", values["reason"], MAX_TEXT, required=True)
            checks.done()
            return expectation_id, values

        return await update_once(
            info,
            EXPECTATION,
            models.Expectation,
            expected_version,
            prepare,
            _expectation_state,
            _expectation_saved,
        )

    # ------------------------------------------------------------ impact assessments

    @strawberry.mutation(description="Record an impact assessment of a document, with evidence.")
    async def create_impact_assessment(
        self, info: Info, input: ImpactAssessmentInput, idempotency_key: str | None = None
    ) -> ImpactAssessmentPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            values = {k: v for k, v in asdict(input).items() if k not in ("document", "evidence")}
            _check_assessment(checks, "input", values)
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            if await rules.DUPLICATE_IMPACT_ASSESSMENT.taken(
                session, {"document_id": document_id, "kind": input.kind}
            ):
                checks.broken("input.kind", rules.DUPLICATE_IMPACT_ASSESSMENT)
                checks.done()
            row = models.ImpactAssessment(document_id=document_id, **values)
            add = adding_evidence(session, "impact_assessment_id", evidence)
            return await audited_insert(
                session, info, actor, IMPACT_ASSESSMENT, row, _assessment_state, add
            )

        return await create_once(
            info,
            idempotency_key,
            "createImpactAssessment",
            asdict(input),
            create,
            _assessment_saved,
        )

    @strawberry.mutation(
        description="Change an impact assessment at the version you read; a stale one is a "
        "CONFLICT."
    )
    async def update_impact_assessment(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        changes: ImpactAssessmentChanges,
    ) -> ImpactAssessmentPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.ImpactAssessment, id, "impact assessment")
            assessment_id = current.id
            checks = Checks()
            values = given_values(
                checks,
                "changes",
                changes,
                required=("kind", "undertaken", "date_precision", "published"),
            )
            _check_assessment(checks, "changes", {k: v for k, v in values.items() if v is not None})
            if values.get("kind") is not None and await rules.DUPLICATE_IMPACT_ASSESSMENT.taken(
                session, {"document_id": current.document_id, "kind": values["kind"]}, assessment_id
            ):
                checks.broken("changes.kind", rules.DUPLICATE_IMPACT_ASSESSMENT)
            checks.done()
            return assessment_id, values

        return await update_once(
            info,
            IMPACT_ASSESSMENT,
            models.ImpactAssessment,
            expected_version,
            prepare,
            _assessment_state,
            _assessment_saved,
        )

    # ------------------------------------------------------------ retraction

    @strawberry.mutation(description=f"Retract an influence and its evidence. {RETRACTING}")
    async def retract_influence(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> InfluencePayload:
        find = found_by_id(models.Influence, id, "influence")
        return await retract_once(
            info,
            INFLUENCE,
            models.Influence,
            expected_version,
            reason,
            find,
            _influence_state,
            _influence_saved,
        )

    @strawberry.mutation(description=f"Retract an expectation and its evidence. {RETRACTING}")
    async def retract_expectation(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> ExpectationPayload:
        find = found_by_id(models.Expectation, id, "expectation")
        return await retract_once(
            info,
            EXPECTATION,
            models.Expectation,
            expected_version,
            reason,
            find,
            _expectation_state,
            _expectation_saved,
        )

    @strawberry.mutation(description=f"Retract an impact assessment and its evidence. {RETRACTING}")
    async def retract_impact_assessment(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> ImpactAssessmentPayload:
        find = found_by_id(models.ImpactAssessment, id, "impact assessment")
        return await retract_once(
            info,
            IMPACT_ASSESSMENT,
            models.ImpactAssessment,
            expected_version,
            reason,
            find,
            _assessment_state,
            _assessment_saved,
        )
