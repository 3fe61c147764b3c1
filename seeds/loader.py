"""Loading the seed data into the register in one transaction.

Rows are matched by natural keys (slugs, document and label, ...), never by id: what is
missing is inserted, what differs is updated, and nothing is ever deleted, because editors
add records of their own beside the seeds. Loading the same data twice changes nothing.
The files may name records that are only in the database, and a field a file leaves out
keeps its stored value (only an explicit null clears it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries
from db.edits import now
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
    SourceText,
    StakeholderGroup,
    Topic,
    TopicOmission,
)
from db.quotes import MISMATCHED, text_sha256, verification
from seeds.checks import Known, find_problems
from seeds.errors import SeedError
from seeds.format import DATA_DIR, read_seed_files
from seeds.records import DocumentRecord, EvidenceRecord, PartialDate, Ref, SeedData, Standing
from seeds.report import SeedReport
from seeds.upsert import KEEP_PUBLISHED, KEEP_UNRETRACTED, Keep, Upserter, Values

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

    The files may name records already in the database; an import folder (`data_dir` given)
    may leave out the groups, organisations and topics files. Raises `SeedError` before
    writing anything if the data has problems, each with its rule's code; any later
    failure rolls the whole load back. The report lists each row added and field changed.
    With an `actor`, every row inserted or updated gets an audit entry in the same
    transaction. A `dry_run` does all the work, reports it, and rolls it back.
    """
    data, problems = await asyncio.to_thread(
        partial(read_seed_files, data_dir or DATA_DIR, partial=data_dir is not None)
    )
    report = SeedReport()
    async with sessionmaker() as session:  # closing it rolls back whatever is not committed
        stored = await StoredRecords.read(session, data)
        problems.extend(find_problems(data, stored.known()))
        if problems:
            raise SeedError(problems)
        writer = SeedWriter(Upserter(session, report, actor), stored)
        await writer.write(data)
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


@dataclass
class StoredRecords:
    """The ids of the records already in the database, by slug, which the files may name
    without holding them, and the stored texts of the sources the files quote."""

    groups: dict[str, int] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def read(cls, session: AsyncSession, data: SeedData) -> StoredRecords:
        async def slugs(model: type[Document | Organisation | StakeholderGroup | Topic]) -> Any:
            rows = await session.execute(select(model.slug, model.id))
            return {slug: id for slug, id in rows.all()}

        stored = cls(
            await slugs(StakeholderGroup),
            await slugs(Organisation),
            await slugs(Document),
            await slugs(Topic),
        )
        held = {document.slug for document in data.documents if document.text}
        quoted = {
            stored.documents[slug]: slug
            for slug in quoted_sources(data) - held
            if slug in stored.documents
        }
        if quoted:
            rows = await session.execute(
                select(DocumentText.document_id, DocumentText.text).where(
                    DocumentText.document_id.in_(quoted)
                )
            )
            stored.texts = {quoted[document_id]: text for document_id, text in rows.all()}
        return stored

    def known(self) -> Known:
        return Known(
            groups=frozenset(self.groups),
            organisations=frozenset(self.organisations),
            documents=frozenset(self.documents),
            topics=frozenset(self.topics),
            texts=self.texts,
        )


def quoted_sources(data: SeedData) -> set[str]:
    """The slugs of the documents the files quote from (evidence sources, FOI responses)."""
    sources = {request.response.slug for request in data.foi_requests if request.response}
    for document in data.documents:
        claims: list[Any] = [
            *document.relations,
            *document.consultations,
            *document.impact_assessments,
            *document.expectations,
            *document.topics_not_covered,
            *document.absences,
            *(i for principle in document.principles for i in principle.influences),
        ]
        sources.update(entry.source.slug for claim in claims for entry in claim.evidence)
    return sources


def kept(values: Values, absent: frozenset[str], columns: Mapping[str, tuple[str, ...]]) -> Values:
    """The values, those of fields the file leaves out marked to keep what is stored.

    `columns` names the columns of a field whose columns are not named like it."""
    for name in absent:
        for column in columns.get(name, (name,)):
            values[column] = Keep(values[column])
    return values


DOCUMENT_COLUMNS = {
    "publisher": ("publisher_id",),
    "published": ("published_on", "published_precision"),
    "review_due": ("review_due_on", "review_due_precision"),
}
ASSESSMENT_COLUMNS = {"date": ("date", "date_precision")}
REQUEST_COLUMNS = {"subject": ("subject_id",), "response": ("response_id",)}
# The table whose slug names a row an id column points at, for the dry run's report.
NAMED_BY = {
    "organisation_id": "organisations",
    "publisher_id": "organisations",
    "authority_id": "organisations",
    "document_id": "documents",
    "target_id": "documents",
    "source_id": "documents",
    "group_id": "groups",
    "topic_id": "topics",
}


class SeedWriter:
    """Writes the records table by table, parents first, turning slugs into ids."""

    def __init__(self, rows: Upserter, stored: StoredRecords | None = None) -> None:
        self.rows = rows
        stored = stored or StoredRecords()
        # Records in the database come first, so that the files may name them.
        self.groups: dict[str, int] = dict(stored.groups)
        self.organisations: dict[str, int] = dict(stored.organisations)
        self.documents: dict[str, int] = dict(stored.documents)
        self.topics: dict[str, int] = dict(stored.topics)
        # The documents the files hold, whose rows are the ones to compare.
        self.file_documents: dict[str, int] = {}
        # Slugs by id, for the report, with the size of the map each was built from.
        self.names: dict[str, tuple[int, dict[int, str]]] = {}
        rows.describe = self.describe
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
                    kept(
                        {
                            "slug": group.slug,
                            "name": group.name,
                            "description": group.description,
                            "parent_id": self.groups[group.parent] if group.parent else None,
                            "position": group.position,
                            **standing_columns(group.standing),
                        },
                        group.absent,
                        {},
                    )
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
                kept(
                    {
                        "slug": organisation.slug,
                        "name": organisation.name,
                        "named": organisation.named,
                        "description": organisation.description,
                        "url": organisation.url,
                        **standing_columns(organisation.standing),
                    },
                    organisation.absent,
                    {},
                )
                for organisation in data.organisations
            ],
        )
        self.organisations.update((row.slug, row.id) for row in rows)
        ids = {row.slug: row.id for row in rows}
        all_ids = self.organisations
        merged = [row for row in data.organisations if row.merged_into]
        await self.rows.upsert(
            OrganisationRedirect,
            ("slug",),
            OrganisationRedirect.slug.in_([organisation.slug for organisation in merged]),
            [
                {
                    "slug": organisation.slug,
                    "organisation_id": all_ids[organisation.merged_into.organisation.slug],
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
                kept(
                    {
                        "slug": topic.slug,
                        "name": topic.name,
                        "description": topic.description,
                        **standing_columns(topic.standing),
                    },
                    topic.absent,
                    {},
                )
                for topic in data.topics
            ],
        )
        self.topics.update((row.slug, row.id) for row in rows)

    async def write_documents(self, data: SeedData) -> None:
        rows = await self.rows.upsert(
            Document,
            ("slug",),
            Document.slug.in_([document.slug for document in data.documents]),
            [self.document_values(document) for document in data.documents],
        )
        self.file_documents = {row.slug: row.id for row in rows}
        self.documents.update(self.file_documents)

    def document_values(self, document: DocumentRecord) -> Values:
        publisher = document.publisher
        values = {
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
        return kept(values, document.absent, DOCUMENT_COLUMNS)

    async def write_texts_and_versions(self, data: SeedData) -> None:
        ids = self.file_documents
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
        # Pages live with the text attached from a file: one per text (by hash), as attached.
        await self.rows.upsert(
            SourceText,
            ("document_id", "sha256"),
            SourceText.document_id.in_(ids.values()),
            [
                {
                    "document_id": ids[document.slug],
                    "sha256": text_sha256(document.text.content),
                    "pages": list(document.text.pages),
                    "text": Keep(document.text.content),
                    "content_type": Keep("text/plain"),
                    "url": Keep(None),
                    "retrieved_on": Keep(None),
                    "attached_at": Keep(now()),
                    "attached_by": Keep(self.rows.actor or "import"),
                }
                for document in data.documents
                if document.text and document.text.pages
            ],
        )
        await self.rows.upsert(
            DocumentVersion,
            ("document_id", "label"),
            DocumentVersion.document_id.in_(ids.values()),
            [
                kept(
                    {
                        "document_id": ids[document.slug],
                        "position": position,
                        "label": version.label,
                        "date": version.date,
                        "changes": version.changes,
                        "author": version.author,
                        **standing_columns(version.standing),
                    },
                    version.absent,
                    {},
                )
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
            Principle.document_id.in_(self.file_documents.values()),
            [
                kept(
                    {
                        "document_id": self.documents[slug],
                        "position": principle.position,
                        "title": principle.title,
                        "text": principle.text,
                        **standing_columns(principle.standing),
                    },
                    principle.absent,
                    {},
                )
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
                    kept(
                        {
                            "principle_id": row.id,
                            "organisation_id": self.organisations[influence.organisation.slug],
                            "effect": influence.effect,
                            "summary": influence.summary,
                            **standing_columns(influence.standing),
                        },
                        influence.absent,
                        {},
                    ),
                    influence.evidence,
                )
                for (_, principle), row in zip(principles, rows, strict=True)
                for influence in principle.influences
            ],
        )

    async def write_document_claims(self, data: SeedData) -> None:
        """Relations, consultations, impact assessments and expectations."""
        ids, scope = self.documents, self.file_documents.values()
        await self.write_claims(
            DocumentRelation,
            ("document_id", "kind", "target_id"),
            DocumentRelation.document_id.in_(scope),
            [
                (
                    kept(
                        {
                            "document_id": ids[document.slug],
                            "kind": relation.kind,
                            "target_id": ids[relation.target.slug],
                            "note": relation.note,
                            **standing_columns(relation.standing),
                        },
                        relation.absent,
                        {},
                    ),
                    relation.evidence,
                )
                for document in data.documents
                for relation in document.relations
            ],
        )
        await self.write_claims(
            Consultation,
            ("document_id", "organisation_id", "role"),
            Consultation.document_id.in_(scope),
            [
                (
                    kept(
                        {
                            "document_id": ids[document.slug],
                            "organisation_id": self.organisations[consultation.organisation.slug],
                            "role": consultation.role,
                            "summary": consultation.summary,
                            **standing_columns(consultation.standing),
                        },
                        consultation.absent,
                        {},
                    ),
                    consultation.evidence,
                )
                for document in data.documents
                for consultation in document.consultations
            ],
        )
        await self.write_claims(
            ImpactAssessment,
            ("document_id", "kind"),
            ImpactAssessment.document_id.in_(scope),
            [
                (
                    kept(
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
                        assessment.absent,
                        ASSESSMENT_COLUMNS,
                    ),
                    assessment.evidence,
                )
                for document in data.documents
                for assessment in document.impact_assessments
            ],
        )
        await self.write_claims(
            Expectation,
            ("document_id", "group_id", "organisation_id", "basis"),
            Expectation.document_id.in_(scope),
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
        ids, scope = self.documents, self.file_documents.values()
        await self.rows.upsert(
            DocumentTopic,
            ("document_id", "topic_id"),
            DocumentTopic.document_id.in_(scope),
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
            TopicOmission.document_id.in_(scope),
            [
                (
                    kept(
                        {
                            "document_id": ids[document.slug],
                            "topic_id": self.topics[omission.topic.slug],
                            "summary": omission.summary,
                            **standing_columns(omission.standing),
                        },
                        omission.absent,
                        {},
                    ),
                    omission.evidence,
                )
                for document in data.documents
                for omission in document.topics_not_covered
            ],
        )
        await self.write_claims(
            Absence,
            ("document_id", "group_id", "organisation_id"),
            Absence.document_id.in_(scope),
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
            Evidence.source_id.in_(
                {
                    self.documents[entry.source.slug]
                    for _, _, evidence in self.claims
                    for entry in evidence
                }
            ),
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
                kept(
                    {
                        "reference": request.reference,
                        "authority_id": authority_id,
                        "received_on": request.received_on,
                        "responded_on": request.responded_on,
                        "subject_id": self.document_id(request.subject),
                        "response_id": self.document_id(request.response),
                        "summary": request.summary,
                        **standing_columns(request.standing),
                    },
                    request.absent,
                    REQUEST_COLUMNS,
                )
                for request, authority_id in zip(requests, authorities, strict=True)
            ],
        )
        await self.rows.upsert(
            FoiQuestion,
            ("request_id", "number"),
            FoiQuestion.request_id.in_([row.id for row in rows]),
            [
                kept(
                    {
                        "request_id": row.id,
                        "number": question.number,
                        "text": question.text,
                        "answer": question.answer,
                        "outcome": question.outcome,
                        **standing_columns(question.standing),
                    },
                    question.absent,
                    {},
                )
                for request, row in zip(requests, rows, strict=True)
                for question in request.questions
            ],
        )

    def describe(self, column: str, value: Any) -> str:
        """A key column's value as an editor knows it: the slug an id stands for."""
        table = NAMED_BY.get(column)
        if table is None or value is None:
            return str(getattr(value, "value", value))
        slugs: dict[str, int] = getattr(self, table)
        size, names = self.names.get(table, (-1, {}))
        if size != len(slugs):  # the maps only grow: rebuilt when they have
            names = {id: slug for slug, id in slugs.items()}
            self.names[table] = (len(slugs), names)
        return str(names.get(value, f"#{value}"))

    def document_id(self, ref: Ref | None) -> int | None:
        return None if ref is None else self.documents[ref.slug]
