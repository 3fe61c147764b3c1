"""Documents, their versions, principles and relations to other documents."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar, Optional

import strawberry

from db import models
from db.enums import PRINCIPLE_SPECIFIC
from schema.context import Info, loaders
from schema.ids import global_id
from schema.reads import resolve
from schema.reads.bounds import paged
from schema.reads.compiler.fields import reads_many, reads_one, reads_page
from schema.reads.pagination import DEFAULT_PAGE, Connection, connection, page_arguments
from schema.reads.resolve import evidence_of
from schema.types.enums import DatePrecision, DocumentKind, DocumentRelationKind, Formality
from schema.types.node import Edited, Node

if TYPE_CHECKING:
    from schema.types.consultations import (
        Consultation,
        Evidence,
        Expectation,
        ImpactAssessment,
        Influence,
    )
    from schema.types.coverage import CoverageReport
    from schema.types.organisations import Organisation
    from schema.types.topics import Absence, Topic, TopicOmission

OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]
ConsultationType = Annotated["Consultation", strawberry.lazy("schema.types.consultations")]
EvidenceType = Annotated["Evidence", strawberry.lazy("schema.types.consultations")]
ExpectationType = Annotated["Expectation", strawberry.lazy("schema.types.consultations")]
ImpactAssessmentType = Annotated["ImpactAssessment", strawberry.lazy("schema.types.consultations")]
InfluenceType = Annotated["Influence", strawberry.lazy("schema.types.consultations")]
CoverageReportType = Annotated["CoverageReport", strawberry.lazy("schema.types.coverage")]
TopicType = Annotated["Topic", strawberry.lazy("schema.types.topics")]
TopicOmissionType = Annotated["TopicOmission", strawberry.lazy("schema.types.topics")]
AbsenceType = Annotated["Absence", strawberry.lazy("schema.types.topics")]


@strawberry.type(
    description="A text attached to a document from a file; a later one replaces it as the "
    "document's current text, and it is kept."
)
class SourceText:
    sha256: str = strawberry.field(description="The SHA-256 of the text's UTF-8 bytes, in hex.")
    content_type: str = strawberry.field(description='e.g. "application/pdf".')
    url: str | None = strawberry.field(description="Where the file was read.")
    retrieved_on: dt.date | None = strawberry.field(description="The day the file was read.")
    attached_at: dt.datetime
    length: int = strawberry.field(description="The text's length in characters.")
    page_count: int | None = strawberry.field(description="Pages, for a text with pages.")

    @classmethod
    def from_row(cls, row: models.SourceText) -> "SourceText":
        return cls(
            sha256=row.sha256,
            content_type=row.content_type,
            url=row.url,
            retrieved_on=row.retrieved_on,
            attached_at=row.attached_at,
            length=len(row.text),
            page_count=len(row.pages) if row.pages else None,
        )


@strawberry.type(description="Guidance, a policy, a strategy, an FOI response, research...")
class Document(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "document"
    id: strawberry.ID
    slug: str
    title: str
    kind: DocumentKind
    formality: Formality
    published_on: dt.date | None
    published_precision: DatePrecision
    review_due_on: dt.date | None = strawberry.field(
        description="When the document says it is next reviewed."
    )
    review_due_precision: DatePrecision
    url: str | None
    summary: str | None
    db_id: strawberry.Private[int]
    publisher_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Document) -> "Document":
        return cls(
            id=strawberry.ID(global_id("Document", row.id)),
            slug=row.slug,
            title=row.title,
            kind=row.kind,
            formality=row.formality,
            published_on=row.published_on,
            published_precision=row.published_precision,
            review_due_on=row.review_due_on,
            review_due_precision=row.review_due_precision,
            url=row.url,
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            publisher_id=row.publisher_id,
        )

    @strawberry.field(
        description="Null when none is recorded, or the publisher is withdrawn.",
        metadata=reads_one("publisher_id"),
    )
    async def publisher(self, info: Info) -> OrganisationType | None:
        return await resolve.optional_organisation(info, self.publisher_id)

    @strawberry.field(extensions=[paged(20)], description="Oldest first.")
    async def versions(self, info: Info) -> list["DocumentVersion"]:
        loader = loaders(info).children(
            models.DocumentVersion.document_id, models.DocumentVersion.position
        )
        return [DocumentVersion.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(30)],
        description="In the order the source numbers them.",
        metadata=reads_many("document_id", "position"),
    )
    async def principles(self, info: Info) -> list["Principle"]:
        loader = loaders(info).children(models.Principle.document_id, models.Principle.position)
        return [Principle.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(description="The principle numbered `position`; null if there is none.")
    async def principle(self, info: Info, position: int) -> Optional["Principle"]:
        loader = loaders(info).children(models.Principle.document_id, models.Principle.position)
        rows = await loader.load(self.db_id)
        return next((Principle.from_row(r) for r in rows if r.position == position), None)

    @strawberry.field(
        description="Who took part in making this document, and in what role.",
        metadata=reads_page("document_id"),
    )
    async def consultations(
        self, info: Info, first: int | None = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[ConsultationType]:
        from schema.types.consultations import Consultation

        first, after_key = page_arguments(first, after)
        at_site = loaders(info)
        page = await at_site.page(models.Consultation.document_id, first, after_key).load(
            self.db_id
        )
        count = at_site.count(models.Consultation.document_id)
        return connection(
            page,
            Consultation.from_row,
            lambda row: row.id,
            lambda: count.load(self.db_id),
            after_key,
        )

    @strawberry.field(extensions=[paged(20)])
    async def impact_assessments(self, info: Info) -> list[ImpactAssessmentType]:
        from schema.types.consultations import ImpactAssessment

        loader = loaders(info).children(
            models.ImpactAssessment.document_id, models.ImpactAssessment.id
        )
        return [ImpactAssessment.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(20)],
        description="Groups and organisations that should have been consulted, and why.",
    )
    async def expectations(self, info: Info) -> list[ExpectationType]:
        from schema.types.consultations import Expectation

        loader = loaders(info).children(models.Expectation.document_id, models.Expectation.id)
        return [Expectation.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(20)], description="This document --kind--> another document."
    )
    async def related(self, info: Info) -> list["DocumentRelation"]:
        loader = loaders(info).children(
            models.DocumentRelation.document_id, models.DocumentRelation.id
        )
        rows = await loader.load(self.db_id)
        return [DocumentRelation.from_row(row, other_id=row.target_id) for row in rows]

    @strawberry.field(
        extensions=[paged(20)], description="Another document --kind--> this document."
    )
    async def related_from(self, info: Info) -> list["DocumentRelation"]:
        loader = loaders(info).children(
            models.DocumentRelation.target_id, models.DocumentRelation.id
        )
        rows = await loader.load(self.db_id)
        return [DocumentRelation.from_row(row, other_id=row.document_id) for row in rows]

    @strawberry.field(
        description="For every expected group and every group that took part: consulted, "
        "shown not consulted, or no record; and the groups left out."
    )
    async def coverage(self, info: Info) -> CoverageReportType:
        from schema.types.coverage import coverage_report

        return await coverage_report(info, self)

    @strawberry.field(description="Its versions, and the documents it supersedes or refreshes.")
    def lineage(self) -> "Lineage":
        return Lineage(db_id=self.db_id)

    @strawberry.field(description="The document's full text, where the register stores it.")
    async def text(self, info: Info) -> str | None:
        loader = loaders(info).children(models.DocumentText.document_id)
        rows = await loader.load(self.db_id)
        return rows[0].text if rows else None

    @strawberry.field(
        extensions=[paged(20)],
        description="Every text attached to the document from a file, newest (the current "
        "one) first.",
    )
    async def source_texts(self, info: Info) -> list[SourceText]:
        loader = loaders(info).children(models.SourceText.document_id, models.SourceText.id)
        rows = await loader.load(self.db_id)
        return [SourceText.from_row(row) for row in reversed(rows)]

    @strawberry.field(
        extensions=[paged(20)], description="The topics this document covers, by name."
    )
    async def topics(self, info: Info) -> list[TopicType]:
        from schema.types.topics import topics_of

        return await topics_of(info, models.DocumentTopic.document_id, self.db_id)

    @strawberry.field(
        extensions=[paged(20)],
        description="Topics a source shows this document leaves out, with evidence.",
    )
    async def topics_not_covered(self, info: Info) -> list[TopicOmissionType]:
        from schema.types.topics import TopicOmission

        loader = loaders(info).children(models.TopicOmission.document_id, models.TopicOmission.id)
        return [TopicOmission.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(20)],
        description="Evidence of absence: groups or organisations a source shows were not "
        "consulted on this document.",
    )
    async def absences(self, info: Info) -> list[AbsenceType]:
        from schema.types.topics import Absence

        loader = loaders(info).children(models.Absence.document_id, models.Absence.id)
        return [Absence.from_row(row) for row in await loader.load(self.db_id)]


@strawberry.type(description="One step along a chain of SUPERSEDES or REFRESHES relations.")
class LineageStep:
    kind: DocumentRelationKind
    depth: int = strawberry.field(description="1 for a direct relation, 2 through one document...")
    document_id: strawberry.Private[int]

    @strawberry.field
    async def document(self, info: Info) -> Document:
        return await resolve.document(info, self.document_id)


@strawberry.type(description="Where a document sits among the versions of its guidance.")
class Lineage:
    db_id: strawberry.Private[int]

    @strawberry.field(extensions=[paged(20)], description="Its own versions, oldest first.")
    async def versions(self, info: Info) -> list["DocumentVersion"]:
        loader = loaders(info).children(
            models.DocumentVersion.document_id, models.DocumentVersion.position
        )
        return [DocumentVersion.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(20)],
        description="What it supersedes or refreshes, and so on back; nearest first.",
    )
    async def earlier(self, info: Info) -> list[LineageStep]:
        return await self._steps(info, earlier=True)

    @strawberry.field(
        extensions=[paged(20)],
        description="What supersedes or refreshes it, and so on; nearest first.",
    )
    async def later(self, info: Info) -> list[LineageStep]:
        return await self._steps(info, earlier=False)

    async def _steps(self, info: Info, *, earlier: bool) -> list[LineageStep]:
        steps = await loaders(info).lineage(earlier=earlier).load(self.db_id)
        return [LineageStep(kind=s.kind, depth=s.depth, document_id=s.document_id) for s in steps]


@strawberry.type
class DocumentVersion(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "document_version"
    id: strawberry.ID = strawberry.field(description="Pass it to updateDocumentVersion.")
    label: str = strawberry.field(description='As the source writes it: "V1", "V1.1", "1.2".')
    date: dt.date | None
    changes: str | None
    author: str | None

    @classmethod
    def from_row(cls, row: models.DocumentVersion) -> "DocumentVersion":
        return cls(
            id=strawberry.ID(global_id("DocumentVersion", row.id)),
            label=row.label,
            date=row.date,
            changes=row.changes,
            author=row.author,
            version=row.version,
            published=row.published,
            db_id=row.id,
        )


@strawberry.type
class DocumentRelation(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "document_relation"
    id: strawberry.ID = strawberry.field(description="Pass it to updateDocumentRelation.")
    kind: DocumentRelationKind
    note: str | None
    db_id: strawberry.Private[int]
    other_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.DocumentRelation, *, other_id: int) -> "DocumentRelation":
        return cls(
            id=strawberry.ID(global_id("DocumentRelation", row.id)),
            kind=row.kind,
            note=row.note,
            version=row.version,
            published=row.published,
            db_id=row.id,
            other_id=other_id,
        )

    @strawberry.field(description="The document at the other end of the relation.")
    async def document(self, info: Info) -> Document:
        return await resolve.document(info, self.other_id)

    @strawberry.field(extensions=[paged(10)])
    async def evidence(self, info: Info) -> list[EvidenceType]:
        return await evidence_of(info, models.Evidence.relation_id, self.db_id)


@strawberry.type(description="A numbered statement of a document.")
class Principle(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "principle"
    id: strawberry.ID
    position: int = strawberry.field(description="1-based, as numbered in the source.")
    title: str | None
    text: str
    db_id: strawberry.Private[int]
    document_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Principle) -> "Principle":
        return cls(
            id=strawberry.ID(global_id("Principle", row.id)),
            position=row.position,
            title=row.title,
            text=row.text,
            version=row.version,
            published=row.published,
            db_id=row.id,
            document_id=row.document_id,
        )

    @strawberry.field(metadata=reads_one("document_id"))
    async def document(self, info: Info) -> Document:
        return await resolve.document(info, self.document_id)

    @strawberry.field(
        extensions=[paged(20)],
        metadata=reads_many("principle_id"),
        description="Who had a hand in this principle, each with its effect: one tied to this "
        "principle (SHAPED, ADOPTED, AMENDED, NOT_ADOPTED) or CONSULTED_ON (the principles as a "
        "set were developed in consultation with them).",
    )
    async def shaped_by(
        self,
        info: Info,
        principle_specific: Annotated[
            bool,
            strawberry.argument(
                description="True keeps only the effects a source ties to this very principle, "
                "leaving out CONSULTED_ON."
            ),
        ] = False,
    ) -> list[InfluenceType]:
        from schema.types.consultations import Influence

        loader = loaders(info).children(models.Influence.principle_id, models.Influence.id)
        rows = await loader.load(self.db_id)
        return [
            Influence.from_row(row)
            for row in rows
            if not principle_specific or row.effect in PRINCIPLE_SPECIFIC
        ]

    @strawberry.field(
        extensions=[paged(20)], description="The topics this principle covers, by name."
    )
    async def topics(self, info: Info) -> list[TopicType]:
        from schema.types.topics import topics_of

        return await topics_of(info, models.PrincipleTopic.principle_id, self.db_id)
