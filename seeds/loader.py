"""Loading the seed data into the register in one transaction.

Rows are matched by natural keys (slugs, document and label, ...), never by id: what is
missing is inserted, what differs is updated, and nothing is ever deleted, because editors
add records of their own beside the seeds. Loading the same data twice changes nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries
from db.engine import create_engine, create_sessionmaker
from db.enums import DatePrecision
from db.models import (
    Absence,
    Consultation,
    Document,
    DocumentRelation,
    DocumentText,
    DocumentTopic,
    DocumentVersion,
    Evidence,
    Expectation,
    FoiQuestion,
    FoiRequest,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
    OrganisationRedirect,
    Principle,
    PrincipleTopic,
    StakeholderGroup,
    Topic,
    TopicOmission,
)
from db.quotes import MISMATCHED, verification
from seeds.format import DATA_DIR, read_seed_data
from seeds.records import DocumentRecord, EvidenceRecord, PartialDate, Ref, SeedData, Standing
from seeds.report import SeedReport
from seeds.upsert import KEEP_PUBLISHED, KEEP_UNRETRACTED, Upserter, Values

# The claim tables, each with its column in `evidence`: exactly one of those is set per row.
CLAIM_COLUMNS = {
    Consultation: "consultation_id",
    Influence: "influence_id",
    Expectation: "expectation_id",
    ImpactAssessment: "impact_assessment_id",
    DocumentRelation: "relation_id",
    Absence: "absence_id",
    TopicOmission: "omission_id",
}
ClaimModel = type[
    Consultation
    | Influence
    | Expectation
    | ImpactAssessment
    | DocumentRelation
    | Absence
    | TopicOmission
]
# What a claim row is wanted to hold, and the evidence it carries.
WantedClaim = tuple[Values, tuple[EvidenceRecord, ...]]


async def load_seeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    data_dir: Path | None = None,
    *,
    actor: str | None = None,
    dry_run: bool = False,
) -> SeedReport:
    """Check the data in `data_dir` (default: the packaged seeds) and write it.

    Raises `SeedError` before writing anything if the data has problems; any later
    failure rolls the whole load back. With an `actor`, every row inserted or updated gets
    an audit entry in the same transaction. A `dry_run` does all the work, reports it, and
    rolls it back.
    """
    data = await asyncio.to_thread(read_seed_data, data_dir or DATA_DIR)
    report = SeedReport()
    async with sessionmaker() as session:  # closing it rolls back whatever is not committed
        await SeedWriter(Upserter(session, report, actor)).write(data)
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return report


async def seed_database(
    url: str,
    data_dir: Path | None = None,
    *,
    actor: str | None = None,
    dry_run: bool = False,
) -> SeedReport:
    """Load the seeds, or the export in `data_dir`, into the database at `url` (for the CLI)."""
    engine = create_engine(url)
    try:
        return await load_seeds(create_sessionmaker(engine), data_dir, actor=actor, dry_run=dry_run)
    finally:
        await engine.dispose()


def date_columns(date_column: str, precision_column: str, value: PartialDate | None) -> Values:
    """A partial date as its two columns; an absent date keeps the default precision."""
    if value is None:
        return {date_column: None, precision_column: DatePrecision.DAY}
    return {date_column: value.date, precision_column: value.precision}


def standing_columns(standing: Standing) -> Values:
    """Draft and retraction as columns; what the file does not state keeps the row's state."""
    retraction = standing.retracted
    return {
        "published": KEEP_PUBLISHED if standing.draft is None else not standing.draft,
        "retracted_at": KEEP_UNRETRACTED if retraction is None else retraction.at,
        "retraction_reason": KEEP_UNRETRACTED if retraction is None else retraction.reason,
    }


class SeedWriter:
    """Writes the records table by table, parents first, turning slugs into ids."""

    def __init__(self, rows: Upserter) -> None:
        self.rows = rows
        self.groups: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        self.documents: dict[str, int] = {}
        self.topics: dict[str, int] = {}
        self.principles: dict[tuple[str, int], int] = {}  # by document slug and position
        self.claims: list[tuple[str, int, tuple[EvidenceRecord, ...]]] = []

    async def write(self, data: SeedData) -> None:
        await self.write_groups(data)
        await self.write_organisations(data)
        await self.write_topics(data)
        await self.write_documents(data)
        await self.write_texts_and_versions(data)
        await self.write_principles_and_influences(data)
        await self.write_document_claims(data)
        await self.write_topic_claims(data)
        await self.write_evidence()
        await self.write_foi_requests(data)

    async def write_groups(self, data: SeedData) -> None:
        depth: dict[str | None, int] = {None: 0}
        for group in data.groups:
            depth[group.slug] = depth[group.parent] + 1
        # A level at a time, so that every parent has its id before its children are written.
        for level in sorted(set(depth.values()) - {0}):
            groups = [group for group in data.groups if depth[group.slug] == level]
            rows = await self.rows.upsert(
                StakeholderGroup,
                ("slug",),
                StakeholderGroup.slug.in_([group.slug for group in groups]),
                [
                    {
                        "slug": group.slug,
                        "name": group.name,
                        "description": group.description,
                        "parent_id": self.groups[group.parent] if group.parent else None,
                        "position": group.position,
                        **standing_columns(group.standing),
                    }
                    for group in groups
                ],
            )
            self.groups.update((row.slug, row.id) for row in rows)

    async def write_organisations(self, data: SeedData) -> None:
        rows = await self.rows.upsert(
            Organisation,
            ("slug",),
            Organisation.slug.in_([organisation.slug for organisation in data.organisations]),
            [
                {
                    "slug": organisation.slug,
                    "name": organisation.name,
                    "named": organisation.named,
                    "description": organisation.description,
                    "url": organisation.url,
                    **standing_columns(organisation.standing),
                }
                for organisation in data.organisations
            ],
        )
        self.organisations = {row.slug: row.id for row in rows}
        ids = self.organisations
        merged = [row for row in data.organisations if row.merged_into]
        await self.rows.upsert(
            OrganisationRedirect,
            ("slug",),
            OrganisationRedirect.slug.in_([organisation.slug for organisation in merged]),
            [
                {
                    "slug": organisation.slug,
                    "organisation_id": ids[organisation.merged_into.organisation.slug],
                    "merged_id": ids[organisation.slug],
                    "merged_at": organisation.merged_into.at,
                }
                for organisation in merged
                if organisation.merged_into  # for the type checker: filtered above
            ],
        )
        await self.rows.upsert(
            OrganisationAlias,
            ("organisation_id", "alias"),
            OrganisationAlias.organisation_id.in_(ids.values()),
            [
                {"organisation_id": ids[organisation.slug], "alias": alias, "position": position}
                for organisation in data.organisations
                for position, alias in enumerate(organisation.aliases, start=1)
            ],
        )
        await self.rows.upsert(
            OrganisationGroup,
            ("organisation_id", "group_id"),
            OrganisationGroup.organisation_id.in_(ids.values()),
            [
                {
                    "organisation_id": ids[organisation.slug],
                    "group_id": self.groups[membership.group.slug],
                    "basis": membership.basis,
                    "note": membership.note,
                }
                for organisation in data.organisations
                for membership in organisation.groups
            ],
        )

    async def write_topics(self, data: SeedData) -> None:
        rows = await self.rows.upsert(
            Topic,
            ("slug",),
            Topic.slug.in_([topic.slug for topic in data.topics]),
            [
                {
                    "slug": topic.slug,
                    "name": topic.name,
                    "description": topic.description,
                    **standing_columns(topic.standing),
                }
                for topic in data.topics
            ],
        )
        self.topics = {row.slug: row.id for row in rows}

    async def write_documents(self, data: SeedData) -> None:
        rows = await self.rows.upsert(
            Document,
            ("slug",),
            Document.slug.in_([document.slug for document in data.documents]),
            [self.document_values(document) for document in data.documents],
        )
        self.documents = {row.slug: row.id for row in rows}

    def document_values(self, document: DocumentRecord) -> Values:
        publisher = document.publisher
        return {
            "slug": document.slug,
            "title": document.title,
            "kind": document.kind,
            "formality": document.formality,
            "publisher_id": self.organisations[publisher.slug] if publisher else None,
            **date_columns("published_on", "published_precision", document.published),
            **date_columns("review_due_on", "review_due_precision", document.review_due),
            "url": document.url,
            "summary": document.summary,
            **standing_columns(document.standing),
        }

    async def write_texts_and_versions(self, data: SeedData) -> None:
        ids = self.documents
        await self.rows.upsert(
            DocumentText,
            ("document_id",),
            DocumentText.document_id.in_(ids.values()),
            [
                {
                    "document_id": ids[document.slug],
                    "text": document.text.content,
                    "note": document.text.note,
                }
                for document in data.documents
                if document.text
            ],
        )
        await self.rows.upsert(
            DocumentVersion,
            ("document_id", "label"),
            DocumentVersion.document_id.in_(ids.values()),
            [
                {
                    "document_id": ids[document.slug],
                    "position": position,
                    "label": version.label,
                    "date": version.date,
                    "changes": version.changes,
                    "author": version.author,
                    **standing_columns(version.standing),
                }
                for document in data.documents
                for position, version in enumerate(document.versions, start=1)
            ],
        )

    async def write_principles_and_influences(self, data: SeedData) -> None:
        principles = [
            (document.slug, principle)
            for document in data.documents
            for principle in document.principles
        ]
        rows = await self.rows.upsert(
            Principle,
            ("document_id", "position"),
            Principle.document_id.in_(self.documents.values()),
            [
                {
                    "document_id": self.documents[slug],
                    "position": principle.position,
                    "title": principle.title,
                    "text": principle.text,
                    **standing_columns(principle.standing),
                }
                for slug, principle in principles
            ],
        )
        self.principles = {
            (slug, principle.position): row.id
            for (slug, principle), row in zip(principles, rows, strict=True)
        }
        await self.write_claims(
            Influence,
            ("principle_id", "organisation_id", "effect"),
            Influence.principle_id.in_([row.id for row in rows]),
            [
                (
                    {
                        "principle_id": row.id,
                        "organisation_id": self.organisations[influence.organisation.slug],
                        "effect": influence.effect,
                        "summary": influence.summary,
                        **standing_columns(influence.standing),
                    },
                    influence.evidence,
                )
                for (_, principle), row in zip(principles, rows, strict=True)
                for influence in principle.influences
            ],
        )

    async def write_document_claims(self, data: SeedData) -> None:
        """Relations, consultations, impact assessments and expectations."""
        ids = self.documents
        await self.write_claims(
            DocumentRelation,
            ("document_id", "kind", "target_id"),
            DocumentRelation.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "kind": relation.kind,
                        "target_id": ids[relation.target.slug],
                        "note": relation.note,
                        **standing_columns(relation.standing),
                    },
                    relation.evidence,
                )
                for document in data.documents
                for relation in document.relations
            ],
        )
        await self.write_claims(
            Consultation,
            ("document_id", "organisation_id", "role"),
            Consultation.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "organisation_id": self.organisations[consultation.organisation.slug],
                        "role": consultation.role,
                        "summary": consultation.summary,
                        **standing_columns(consultation.standing),
                    },
                    consultation.evidence,
                )
                for document in data.documents
                for consultation in document.consultations
            ],
        )
        await self.write_claims(
            ImpactAssessment,
            ("document_id", "kind"),
            ImpactAssessment.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "kind": assessment.kind,
                        "undertaken": assessment.undertaken,
                        "outcome": assessment.outcome,
                        **date_columns("date", "date_precision", assessment.date),
                        "reference": assessment.reference,
                        "summary": assessment.summary,
                        **standing_columns(assessment.standing),
                    },
                    assessment.evidence,
                )
                for document in data.documents
                for assessment in document.impact_assessments
            ],
        )
        await self.write_claims(
            Expectation,
            ("document_id", "group_id", "organisation_id", "basis"),
            Expectation.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "group_id": self.groups[expectation.group.slug]
                        if expectation.group
                        else None,
                        "organisation_id": self.organisations[expectation.organisation.slug]
                        if expectation.organisation
                        else None,
                        "basis": expectation.basis,
                        "reason": expectation.reason,
                        **standing_columns(expectation.standing),
                    },
                    expectation.evidence,
                )
                for document in data.documents
                for expectation in document.expectations
            ],
        )

    async def write_topic_claims(self, data: SeedData) -> None:
        """The topics documents and principles cover, the topics documents leave out, and
        evidence of absence."""
        ids = self.documents
        await self.rows.upsert(
            DocumentTopic,
            ("document_id", "topic_id"),
            DocumentTopic.document_id.in_(ids.values()),
            [
                {"document_id": ids[document.slug], "topic_id": self.topics[ref.slug]}
                for document in data.documents
                for ref in document.topics
            ],
        )
        await self.rows.upsert(
            PrincipleTopic,
            ("principle_id", "topic_id"),
            PrincipleTopic.principle_id.in_(self.principles.values()),
            [
                {
                    "principle_id": self.principles[document.slug, principle.position],
                    "topic_id": self.topics[ref.slug],
                }
                for document in data.documents
                for principle in document.principles
                for ref in principle.topics
            ],
        )
        await self.write_claims(
            TopicOmission,
            ("document_id", "topic_id"),
            TopicOmission.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "topic_id": self.topics[omission.topic.slug],
                        "summary": omission.summary,
                        **standing_columns(omission.standing),
                    },
                    omission.evidence,
                )
                for document in data.documents
                for omission in document.topics_not_covered
            ],
        )
        await self.write_claims(
            Absence,
            ("document_id", "group_id", "organisation_id"),
            Absence.document_id.in_(ids.values()),
            [
                (
                    {
                        "document_id": ids[document.slug],
                        "group_id": self.groups[absence.group.slug] if absence.group else None,
                        "organisation_id": self.organisations[absence.organisation.slug]
                        if absence.organisation
                        else None,
                        "summary": absence.summary,
                        **standing_columns(absence.standing),
                    },
                    absence.evidence,
                )
                for document in data.documents
                for absence in document.absences
            ],
        )

    async def write_claims(
        self,
        model: ClaimModel,
        key: tuple[str, ...],
        scope: ColumnElement[bool],
        claims: list[WantedClaim],
    ) -> None:
        """Write one kind of claim and queue the evidence of each for `write_evidence`."""
        rows = await self.rows.upsert(model, key, scope, [values for values, _ in claims])
        column = CLAIM_COLUMNS[model]
        self.claims.extend(
            (column, row.id, evidence) for row, (_, evidence) in zip(rows, claims, strict=True)
        )

    async def write_evidence(self) -> None:
        """The evidence of every claim written, each quote checked against its source's stored
        text (db.quotes): where the text does not hold it, it is a MISMATCH."""
        texts = await queries.stored_texts(self.rows.session, self.documents.values())

        def verified(entry: EvidenceRecord) -> Values:
            source_id = self.documents[entry.source.slug]
            found = verification(texts.get(source_id), entry.quote, entry.url, entry.read_on)
            if found is None:
                return {**MISMATCHED, "url": entry.url, "read_on": entry.read_on}
            found.pop("filled_locator", None)
            return found

        await self.rows.upsert(
            Evidence,
            (*CLAIM_COLUMNS.values(), "source_id", "locator", "quote"),
            Evidence.source_id.in_(self.documents.values()),
            [
                {
                    **dict.fromkeys(CLAIM_COLUMNS.values()),
                    column: claim_id,
                    "source_id": self.documents[entry.source.slug],
                    "locator": entry.locator,
                    "quote": entry.quote,
                    "confidence": entry.confidence,
                    "position": position,
                    **verified(entry),
                    **standing_columns(entry.standing),
                }
                for column, claim_id, evidence in self.claims
                for position, entry in enumerate(evidence, start=1)
            ],
        )

    async def write_foi_requests(self, data: SeedData) -> None:
        requests = data.foi_requests
        authorities = [self.organisations[request.authority.slug] for request in requests]
        rows = await self.rows.upsert(
            FoiRequest,
            ("authority_id", "reference"),
            FoiRequest.authority_id.in_(authorities),
            [
                {
                    "reference": request.reference,
                    "authority_id": authority_id,
                    "received_on": request.received_on,
                    "responded_on": request.responded_on,
                    "subject_id": self.document_id(request.subject),
                    "response_id": self.document_id(request.response),
                    "summary": request.summary,
                    **standing_columns(request.standing),
                }
                for request, authority_id in zip(requests, authorities, strict=True)
            ],
        )
        await self.rows.upsert(
            FoiQuestion,
            ("request_id", "number"),
            FoiQuestion.request_id.in_([row.id for row in rows]),
            [
                {
                    "request_id": row.id,
                    "number": question.number,
                    "text": question.text,
                    "answer": question.answer,
                    "outcome": question.outcome,
                    **standing_columns(question.standing),
                }
                for request, row in zip(requests, rows, strict=True)
                for question in request.questions
            ],
        )

    def document_id(self, ref: Ref | None) -> int | None:
        return None if ref is None else self.documents[ref.slug]
