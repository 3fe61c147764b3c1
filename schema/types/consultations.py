"""Claims about who took part: consultations, influences, expectations, impact assessments,
and the evidence that carries each of them."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from db import models
from schema.context import Info, loaders
from schema.ids import global_id
from schema.reads import resolve
from schema.reads.bounds import at_most, paged
from schema.reads.compiler.fields import reads_many, reads_one
from schema.reads.resolve import evidence_of, required
from schema.types.enums import (
    Confidence,
    ConsultationRole,
    DatePrecision,
    ExpectationBasis,
    InfluenceEffect,
    VerificationStatus,
)
from schema.types.node import Edited, Node

if TYPE_CHECKING:
    from schema.types.documents import Document, Principle
    from schema.types.organisations import Organisation, StakeholderGroup

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
PrincipleType = Annotated["Principle", strawberry.lazy("schema.types.documents")]
OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]
StakeholderGroupType = Annotated["StakeholderGroup", strawberry.lazy("schema.types.organisations")]


@strawberry.type(
    description="Whether a quote was checked against a stored text of its source, and where it "
    "was found or read."
)
class Verification:
    status: VerificationStatus
    page: int | None = strawberry.field(
        description="The page of the stored text the quote was found on, for a text with pages."
    )
    offsets: list[int] | None = strawberry.field(
        extensions=[at_most(2)],
        description="Where the quote was found in the source's stored text: [start, end), in "
        "characters.",
    )
    url: str | None = strawberry.field(description="The address the quote was read at.")
    retrieved_on: dt.date | None = strawberry.field(
        description="The day the quote was read at `url`."
    )

    @classmethod
    def from_row(cls, row: models.Evidence) -> "Verification":
        found = row.match_start is not None and row.match_end is not None
        return cls(
            status=row.verification,
            page=row.page,
            offsets=[row.match_start, row.match_end] if found else None,  # type: ignore[list-item]
            url=row.url,
            retrieved_on=row.read_on,
        )


@strawberry.type(description="Where a claim comes from. The quote is verbatim from the source.")
class Evidence(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "evidence"
    id: strawberry.ID = strawberry.field(description="Pass it to updateEvidence.")
    locator: str = strawberry.field(description='Where in the source, e.g. "Answer to question 9".')
    quote: str
    confidence: Confidence
    verification: Verification
    source_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Evidence) -> "Evidence":
        return cls(
            id=strawberry.ID(global_id("Evidence", row.id)),
            locator=row.locator,
            quote=row.quote,
            confidence=row.confidence,
            verification=Verification.from_row(row),
            version=row.version,
            published=row.published,
            db_id=row.id,
            source_id=row.source_id,
        )

    @strawberry.field(metadata=reads_one("source_id"))
    async def source(self, info: Info) -> DocumentType:
        return await resolve.document(info, self.source_id)


@strawberry.type(description="An organisation's part in making a document.")
class Consultation(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "consultation"
    id: strawberry.ID
    role: ConsultationRole
    summary: str | None
    db_id: strawberry.Private[int]
    document_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Consultation) -> "Consultation":
        return cls(
            id=strawberry.ID(global_id("Consultation", row.id)),
            role=row.role,
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            document_id=row.document_id,
            organisation_id=row.organisation_id,
        )

    @strawberry.field(metadata=reads_one("document_id"))
    async def document(self, info: Info) -> DocumentType:
        return await resolve.document(info, self.document_id)

    @strawberry.field(metadata=reads_one("organisation_id"))
    async def organisation(self, info: Info) -> OrganisationType:
        return await resolve.organisation(info, self.organisation_id)

    @strawberry.field(
        extensions=[paged(10)], metadata=reads_many("consultation_id", "position", "id")
    )
    async def evidence(self, info: Info) -> list[Evidence]:
        return await evidence_of(info, models.Evidence.consultation_id, self.db_id)


@strawberry.type(description="What an organisation did to a principle.")
class Influence(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "influence"
    id: strawberry.ID = strawberry.field(description="Pass it to updateInfluence.")
    effect: InfluenceEffect
    summary: str | None
    db_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]
    principle_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Influence) -> "Influence":
        return cls(
            id=strawberry.ID(global_id("Influence", row.id)),
            effect=row.effect,
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            organisation_id=row.organisation_id,
            principle_id=row.principle_id,
        )

    @strawberry.field(metadata=reads_one("organisation_id"))
    async def organisation(self, info: Info) -> OrganisationType:
        return await resolve.organisation(info, self.organisation_id)

    @strawberry.field(metadata=reads_one("principle_id"))
    async def principle(self, info: Info) -> PrincipleType:
        from schema.types.documents import Principle

        row = await required(loaders(info).by_id(models.Principle), self.principle_id)
        return Principle.from_row(row)

    @strawberry.field(extensions=[paged(10)], metadata=reads_many("influence_id", "position", "id"))
    async def evidence(self, info: Info) -> list[Evidence]:
        return await evidence_of(info, models.Evidence.influence_id, self.db_id)


@strawberry.type(description="A group or organisation that should have been consulted, and why.")
class Expectation(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "expectation"
    id: strawberry.ID = strawberry.field(description="Pass it to updateExpectation.")
    basis: ExpectationBasis
    reason: str
    db_id: strawberry.Private[int]
    group_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Expectation) -> "Expectation":
        return cls(
            id=strawberry.ID(global_id("Expectation", row.id)),
            basis=row.basis,
            reason=row.reason,
            version=row.version,
            published=row.published,
            db_id=row.id,
            group_id=row.group_id,
            organisation_id=row.organisation_id,
        )

    @strawberry.field
    async def group(self, info: Info) -> StakeholderGroupType | None:
        from schema.types.organisations import StakeholderGroup

        if self.group_id is None:
            return None
        tree = await loaders(info).group_tree()
        return StakeholderGroup.from_row(tree.groups[self.group_id])

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationType | None:
        if self.organisation_id is None:
            return None
        return await resolve.organisation(info, self.organisation_id)

    @strawberry.field(extensions=[paged(10)])
    async def evidence(self, info: Info) -> list[Evidence]:
        return await evidence_of(info, models.Evidence.expectation_id, self.db_id)


@strawberry.type(description='An EIA, PSED, SIA, DPIA... "Not undertaken" is a record too.')
class ImpactAssessment(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "impact_assessment"
    id: strawberry.ID = strawberry.field(description="Pass it to updateImpactAssessment.")
    kind: str = strawberry.field(description="EIA, PSED, SIA, DPIA...")
    undertaken: bool
    outcome: str | None = strawberry.field(description='e.g. "LOW".')
    date: dt.date | None
    date_precision: DatePrecision
    reference: str | None = strawberry.field(description="Where the assessment itself is kept.")
    summary: str | None = strawberry.field(
        description="What the sources say about it, in their words where it matters."
    )
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.ImpactAssessment) -> "ImpactAssessment":
        return cls(
            id=strawberry.ID(global_id("ImpactAssessment", row.id)),
            kind=row.kind,
            undertaken=row.undertaken,
            outcome=row.outcome,
            date=row.date,
            date_precision=row.date_precision,
            reference=row.reference,
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
        )

    @strawberry.field(extensions=[paged(10)])
    async def evidence(self, info: Info) -> list[Evidence]:
        return await evidence_of(info, models.Evidence.impact_assessment_id, self.db_id)
