"""Writing the whole register out: in the seed data format, or as spreadsheet-friendly CSV.

The seed-format export is what `footprint import` (and the seed loader) read back: the same
files, fields and slugs as `seeds/data/`, without comments or YAML anchors. Output is
deterministic: records in the order they were added (groups in tree order), fields in the
order of `seeds/data/README.md`, long text in block scalars, so exporting an unchanged
register twice gives identical files.

Everything is read in one statement per table, then assembled in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries
from db.engine import create_engine, create_sessionmaker
from db.enums import DatePrecision, MembershipBasis, VerificationStatus
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
    Record,
    StakeholderGroup,
    Topic,
    TopicOmission,
)
from db.visibility import AUDIENCE, Audience
from seeds.format import (
    DOCUMENTS_DIR,
    FOI_REQUESTS_FILE,
    GROUPS_FILE,
    ORGANISATIONS_FILE,
    TOPICS_FILE,
)
from seeds.loader import CLAIM_COLUMNS

SOURCES_DIR = "sources"
CSV_KINDS = ("consultations", "influences")
# Text longer than this (or with line breaks) is written as a block scalar.
BLOCK_AFTER = 80
LINE_WIDTH = 88
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Mapping = dict[str, Any]


class ExportError(ValueError):
    """The register holds something the seed format cannot express; nothing was written."""


@dataclass(frozen=True)
class Register:
    """Every row of the register's tables, each list in the order the rows were added."""

    groups: list[StakeholderGroup]
    organisations: list[Organisation]
    aliases: list[OrganisationAlias]
    redirects: list[OrganisationRedirect]
    memberships: list[OrganisationGroup]
    topics: list[Topic]
    documents: list[Document]
    texts: list[tuple[DocumentText, list[int] | None]]  # each with its pages, where known
    versions: list[DocumentVersion]
    principles: list[Principle]
    relations: list[DocumentRelation]
    consultations: list[Consultation]
    influences: list[Influence]
    assessments: list[ImpactAssessment]
    expectations: list[Expectation]
    document_topics: list[DocumentTopic]
    principle_topics: list[PrincipleTopic]
    omissions: list[TopicOmission]
    absences: list[Absence]
    evidence: list[Evidence]
    foi_requests: list[FoiRequest]
    foi_questions: list[FoiQuestion]


async def read_register(session: AsyncSession) -> Register:
    """One statement per table."""
    return Register(
        groups=await queries.all_rows(
            session, StakeholderGroup, StakeholderGroup.position, StakeholderGroup.id
        ),
        organisations=await queries.all_rows(session, Organisation, Organisation.id),
        aliases=await queries.all_rows(
            session, OrganisationAlias, OrganisationAlias.position, OrganisationAlias.id
        ),
        redirects=await queries.all_rows(
            session, OrganisationRedirect, OrganisationRedirect.merged_at
        ),
        memberships=await queries.all_rows(
            session,
            OrganisationGroup,
            OrganisationGroup.organisation_id,
            OrganisationGroup.group_id,
        ),
        topics=await queries.all_rows(session, Topic, Topic.id),
        documents=await queries.all_rows(session, Document, Document.slug),
        texts=await queries.texts_with_pages(session),
        versions=await queries.all_rows(
            session, DocumentVersion, DocumentVersion.position, DocumentVersion.id
        ),
        principles=await queries.all_rows(session, Principle, Principle.position, Principle.id),
        relations=await queries.all_rows(session, DocumentRelation, DocumentRelation.id),
        consultations=await queries.all_rows(session, Consultation, Consultation.id),
        influences=await queries.all_rows(session, Influence, Influence.id),
        assessments=await queries.all_rows(session, ImpactAssessment, ImpactAssessment.id),
        expectations=await queries.all_rows(session, Expectation, Expectation.id),
        document_topics=await queries.all_rows(
            session, DocumentTopic, DocumentTopic.topic_id, DocumentTopic.document_id
        ),
        principle_topics=await queries.all_rows(
            session, PrincipleTopic, PrincipleTopic.topic_id, PrincipleTopic.principle_id
        ),
        omissions=await queries.all_rows(session, TopicOmission, TopicOmission.id),
        absences=await queries.all_rows(session, Absence, Absence.id),
        evidence=await queries.all_rows(session, Evidence, Evidence.position, Evidence.id),
        foi_requests=await queries.all_rows(session, FoiRequest, FoiRequest.id),
        foi_questions=await queries.all_rows(session, FoiQuestion, FoiQuestion.number),
    )


async def read_database(url: str, audience: Audience | None = None) -> Register:
    """The register; with an `audience`, only the records it may see."""
    engine = create_engine(url)
    info = {} if audience is None else {AUDIENCE: audience}
    try:
        async with create_sessionmaker(engine)(info=info) as session:
            return await read_register(session)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- the seed format


def _grouped(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    """Rows by the value of one column, each list keeping the rows' order."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _partial_date(value: dt.date | None, precision: DatePrecision) -> dt.date | str | None:
    if value is None or precision is DatePrecision.DAY:
        return value
    return f"{value:%Y-%m}" if precision is DatePrecision.MONTH else f"{value:%Y}"


def _fields(**values: Any) -> Mapping:
    """A record's fields in the given order, leaving out the absent ones (None, empty lists)."""
    return {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in values.items()
        if value is not None and value != []
    }


def _timestamp(moment: dt.datetime) -> str:
    # SQLite hands timestamps back without their offset; they are stored in UTC.
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)).isoformat()


def _standing(row: Record) -> Mapping:
    """`draft: true` and `retracted: {at, reason}` where they apply; nothing when published."""
    retracted = None
    if row.retracted_at is not None:
        retracted = {"at": _timestamp(row.retracted_at), "reason": row.retraction_reason or ""}
    return _fields(draft=None if row.published else True, retracted=retracted)


class SeedFormat:
    """Turns the rows of a register into the files of the seed format."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.group_slugs = {group.id: group.slug for group in register.groups}
        self.organisation_slugs = {row.id: row.slug for row in register.organisations}
        self.document_slugs = {document.id: document.slug for document in register.documents}
        topic_slugs = {topic.id: topic.slug for topic in register.topics}
        self.evidence: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
        for entry in register.evidence:
            column = next(c for c in CLAIM_COLUMNS.values() if getattr(entry, c) is not None)
            self.evidence[column, getattr(entry, column)].append(entry)
        # Topics in the order of topics.yaml.
        self.document_topics: dict[int, list[str]] = defaultdict(list)
        for link in register.document_topics:
            self.document_topics[link.document_id].append(topic_slugs[link.topic_id])
        self.principle_topics: dict[int, list[str]] = defaultdict(list)
        for principle_link in register.principle_topics:
            self.principle_topics[principle_link.principle_id].append(
                topic_slugs[principle_link.topic_id]
            )
        self.topic_slugs = topic_slugs
        self.influences = _grouped(register.influences, "principle_id")
        self.questions = _grouped(register.foi_questions, "request_id")
        # Each document's own rows of every table that has a `document_id`.
        self.by_document = {
            name: _grouped(getattr(register, name), "document_id")
            for name in (
                "versions",
                "principles",
                "relations",
                "consultations",
                "assessments",
                "expectations",
                "omissions",
                "absences",
            )
        }

    def files(self) -> dict[str, str]:
        """Every file of the export, by its path relative to the export folder."""
        register = self.register
        children = _grouped(register.groups, "parent_id")
        files = {
            GROUPS_FILE: dump_yaml(self.group_tree(children, None)),
            ORGANISATIONS_FILE: dump_yaml(self.organisations()),
            FOI_REQUESTS_FILE: dump_yaml(
                [self.foi_request(request) for request in register.foi_requests]
            ),
            TOPICS_FILE: dump_yaml(
                [
                    _fields(
                        slug=topic.slug,
                        name=topic.name,
                        description=topic.description,
                        **_standing(topic),
                    )
                    for topic in register.topics
                ]
            ),
        }
        texts = {text.document_id: (text, pages) for text, pages in register.texts}
        for document in register.documents:
            text, pages = texts.get(document.id, (None, None))
            text_file = f"{SOURCES_DIR}/{document.slug}.txt"
            if text is not None:
                files[text_file] = text.text
            fields = self.document(document, text_file if text else None, text, pages)
            files[f"{DOCUMENTS_DIR}/{document.slug}.yaml"] = dump_yaml(fields)
        return files

    def group_tree(
        self, children: dict[int | None, list[StakeholderGroup]], parent: int | None
    ) -> list[Mapping]:
        return [
            _fields(
                slug=group.slug,
                name=group.name,
                description=group.description,
                children=self.group_tree(children, group.id),
                **_standing(group),
            )
            for group in children.get(parent, [])
        ]

    def organisations(self) -> list[Mapping]:
        aliases = _grouped(self.register.aliases, "organisation_id")
        # Memberships in the order of the group tree, which is how the loader reads them.
        tree_order = {group.id: index for index, group in enumerate(self.tree_order())}
        merges = {
            redirect.merged_id: {
                "organisation": self.organisation_slugs[redirect.organisation_id],
                "at": _timestamp(redirect.merged_at),
            }
            for redirect in self.register.redirects
        }
        memberships: dict[int, list[OrganisationGroup]] = defaultdict(list)
        for membership in self.register.memberships:
            memberships[membership.organisation_id].append(membership)
        return [
            _fields(
                slug=organisation.slug,
                name=organisation.name,
                named=None if organisation.named else False,
                aliases=[alias.alias for alias in aliases[organisation.id]],
                groups=[
                    self.membership(membership)
                    for membership in sorted(
                        memberships[organisation.id], key=lambda m: tree_order[m.group_id]
                    )
                ],
                description=organisation.description,
                url=organisation.url,
                merged_into=merges.get(organisation.id),
                **_standing(organisation),
            )
            for organisation in self.register.organisations
        ]

    def membership(self, membership: OrganisationGroup) -> str | Mapping:
        """A slug where a source says it; else the group with its basis and note."""
        slug = self.group_slugs[membership.group_id]
        if membership.basis is MembershipBasis.SOURCE and membership.note is None:
            return slug
        return _fields(group=slug, basis=membership.basis, note=membership.note)

    def tree_order(self) -> list[StakeholderGroup]:
        children = _grouped(self.register.groups, "parent_id")
        ordered: list[StakeholderGroup] = []

        def visit(parent: int | None) -> None:
            for group in children.get(parent, []):
                ordered.append(group)
                visit(group.id)

        visit(None)
        return ordered

    def document(
        self,
        document: Document,
        text_file: str | None,
        text: DocumentText | None,
        pages: list[int] | None = None,
    ) -> Mapping:
        own = document.id

        def of(table: str) -> list[Any]:
            return self.by_document[table].get(own, [])

        return _fields(
            slug=document.slug,
            title=document.title,
            kind=document.kind,
            formality=document.formality,
            publisher=self.organisation_slugs.get(document.publisher_id or 0),
            published=_partial_date(document.published_on, document.published_precision),
            review_due=_partial_date(document.review_due_on, document.review_due_precision),
            url=document.url,
            summary=document.summary,
            **_standing(document),
            text=None if text is None else _fields(file=text_file, note=text.note, pages=pages),
            topics=self.document_topics[own],
            versions=[
                _fields(
                    label=version.label,
                    date=version.date,
                    changes=version.changes,
                    author=version.author,
                    **_standing(version),
                )
                for version in of("versions")
            ],
            principles=[
                _fields(
                    position=principle.position,
                    title=principle.title,
                    text=principle.text,
                    topics=self.principle_topics[principle.id],
                    influences=[
                        _fields(
                            organisation=self.organisation_slugs[influence.organisation_id],
                            effect=influence.effect,
                            summary=influence.summary,
                            evidence=self.evidence_of("influence_id", influence.id),
                            **_standing(influence),
                        )
                        for influence in self.influences[principle.id]
                    ],
                    **_standing(principle),
                )
                for principle in of("principles")
            ],
            relations=[
                _fields(
                    kind=relation.kind,
                    target=self.document_slugs[relation.target_id],
                    note=relation.note,
                    evidence=self.evidence_of("relation_id", relation.id),
                    **_standing(relation),
                )
                for relation in of("relations")
            ],
            consultations=[
                _fields(
                    organisation=self.organisation_slugs[consultation.organisation_id],
                    role=consultation.role,
                    summary=consultation.summary,
                    evidence=self.evidence_of("consultation_id", consultation.id),
                    **_standing(consultation),
                )
                for consultation in of("consultations")
            ],
            impact_assessments=[
                _fields(
                    kind=assessment.kind,
                    undertaken=assessment.undertaken,
                    outcome=assessment.outcome,
                    date=_partial_date(assessment.date, assessment.date_precision),
                    reference=assessment.reference,
                    summary=assessment.summary,
                    evidence=self.evidence_of("impact_assessment_id", assessment.id),
                    **_standing(assessment),
                )
                for assessment in of("assessments")
            ],
            expectations=[
                _fields(
                    group=self.group_slugs.get(expectation.group_id or 0),
                    organisation=self.organisation_slugs.get(expectation.organisation_id or 0),
                    basis=expectation.basis,
                    reason=expectation.reason,
                    evidence=self.evidence_of("expectation_id", expectation.id),
                    **_standing(expectation),
                )
                for expectation in of("expectations")
            ],
            topics_not_covered=[
                _fields(
                    topic=self.topic_slugs[omission.topic_id],
                    summary=omission.summary,
                    evidence=self.evidence_of("omission_id", omission.id),
                    **_standing(omission),
                )
                for omission in of("omissions")
            ],
            absences=[
                _fields(
                    group=self.group_slugs.get(absence.group_id or 0),
                    organisation=self.organisation_slugs.get(absence.organisation_id or 0),
                    summary=absence.summary,
                    evidence=self.evidence_of("absence_id", absence.id),
                    **_standing(absence),
                )
                for absence in of("absences")
            ],
        )

    def evidence_of(self, column: str, claim_id: int) -> list[Mapping]:
        return [
            _fields(
                source=self.document_slugs[entry.source_id],
                locator=entry.locator,
                confidence=entry.confidence,
                quote=entry.quote,
                url=entry.url,
                read_on=entry.read_on,
                verification=entry.verification
                if entry.verification is VerificationStatus.MISMATCH
                else None,
                **_standing(entry),
            )
            for entry in self.evidence[column, claim_id]
        ]

    def foi_request(self, request: FoiRequest) -> Mapping:
        questions = self.questions.get(request.id, [])
        return _fields(
            reference=request.reference,
            authority=self.organisation_slugs[request.authority_id],
            received_on=request.received_on,
            responded_on=request.responded_on,
            subject=self.document_slugs.get(request.subject_id or 0),
            response=self.document_slugs.get(request.response_id or 0),
            summary=request.summary,
            **_standing(request),
            questions=[
                _fields(
                    number=question.number,
                    text=question.text,
                    answer=question.answer,
                    outcome=question.outcome,
                    **_standing(question),
                )
                for question in questions
            ],
        )


class _Dumper(yaml.SafeDumper):
    """Block style for long text, no anchors (each record is written out in full)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key, as in the seeds


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if "\n" in value:
        style = "|"
    elif len(value) > BLOCK_AFTER and " " in value and value == value.strip():
        style = ">"
    # PyYAML falls back to quoting where a block scalar could not hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=LINE_WIDTH,
        default_flow_style=False,
    )


# ---------------------------------------------------------------- writing the folder


EXPORT_PATTERNS = (GROUPS_FILE, ORGANISATIONS_FILE, TOPICS_FILE, FOI_REQUESTS_FILE)


def _is_export_file(relative: Path) -> bool:
    parts = relative.parts
    if len(parts) == 1:
        return parts[0] in EXPORT_PATTERNS
    return len(parts) == 2 and (
        (parts[0] == DOCUMENTS_DIR and relative.suffix == ".yaml")
        or (parts[0] == SOURCES_DIR and relative.suffix == ".txt")
    )


def write_files(files: dict[str, str], directory: Path) -> None:
    """Write an export into `directory`, replacing an earlier export there.

    A folder holding anything an export does not write is refused rather than mixed with.
    """
    if directory.exists():
        if not directory.is_dir():
            raise ExportError(f"{directory} exists and is not a folder")
        foreign = [
            path.relative_to(directory).as_posix()
            for path in sorted(directory.rglob("*"))
            if path.is_file() and not _is_export_file(path.relative_to(directory))
        ]
        if foreign:
            raise ExportError(
                f"{directory} holds files that are not part of an export"
                f" ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''});"
                " choose an empty or new folder"
            )
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.relative_to(directory).as_posix() not in files:
                path.unlink()  # a file of an earlier export that this one does not hold
    for name, content in sorted(files.items()):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Bytes, so that a stored text's line endings come back exactly as they were.
        path.write_bytes(content.encode("utf-8"))
    for folder in (DOCUMENTS_DIR, SOURCES_DIR):
        (directory / folder).mkdir(parents=True, exist_ok=True)


async def export_register(
    sessionmaker: async_sessionmaker[AsyncSession], directory: Path
) -> dict[str, str]:
    """Write the register in the seed format into `directory`; return the files written."""
    async with sessionmaker() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One snapshot for every table, so an export taken under writes is consistent.
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        register = await read_register(session)
    files = SeedFormat(register).files()
    write_files(files, directory)
    return files


async def export_database(url: str, directory: Path) -> dict[str, str]:
    engine = create_engine(url)
    try:
        return await export_register(create_sessionmaker(engine), directory)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- CSV


CONSULTATION_HEADER = (
    "document_slug",
    "document_title",
    "organisation_slug",
    "organisation_name",
    "named",
    "role",
    "groups",
    "evidence_sources",
    "evidence_locators",
    "evidence_quotes",
    "confidence",
)
INFLUENCE_HEADER = (
    "document_slug",
    "document_title",
    "principle_position",
    "principle_text",
    "organisation_slug",
    "organisation_name",
    "named",
    "effect",
    "evidence_sources",
    "evidence_locators",
    "evidence_quotes",
    "confidence",
)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class CsvRows:
    """One row per consultation or influence, with its evidence one entry per line."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.documents = {document.id: document for document in register.documents}
        self.organisations = {row.id: row for row in register.organisations}
        self.principles = {principle.id: principle for principle in register.principles}
        self.format = SeedFormat(register)
        group_names = {group.id: group.name for group in self.format.tree_order()}
        order = {group_id: index for index, group_id in enumerate(group_names)}
        memberships: dict[int, list[int]] = defaultdict(list)
        for membership in register.memberships:
            memberships[membership.organisation_id].append(membership.group_id)
        self.groups = {
            organisation_id: "; ".join(group_names[g] for g in sorted(ids, key=order.__getitem__))
            for organisation_id, ids in memberships.items()
        }

    def organisation(self, organisation_id: int) -> list[str]:
        organisation = self.organisations[organisation_id]
        return [organisation.slug, organisation.name, "yes" if organisation.named else "no"]

    def evidence(self, column: str, claim_id: int) -> list[str]:
        entries = self.format.evidence[column, claim_id]
        return [
            "\n".join(self.format.document_slugs[entry.source_id] for entry in entries),
            "\n".join(entry.locator for entry in entries),
            "\n".join(" ".join(entry.quote.split()) for entry in entries),
            "\n".join(entry.confidence.value for entry in entries),
        ]

    def consultations(self) -> list[list[str]]:
        rows = []
        for consultation in self.register.consultations:
            document = self.documents[consultation.document_id]
            organisation = self.organisation(consultation.organisation_id)
            rows.append(
                [
                    document.slug,
                    document.title,
                    *organisation[:2],
                    organisation[2],
                    consultation.role.value,
                    self.groups.get(consultation.organisation_id, ""),
                    *self.evidence("consultation_id", consultation.id),
                ]
            )
        return sorted(rows, key=lambda row: row[0])  # stable: by document, then as added

    def influences(self) -> list[list[str]]:
        keyed = []
        for influence in self.register.influences:
            principle = self.principles[influence.principle_id]
            document = self.documents[principle.document_id]
            row = [
                document.slug,
                document.title,
                str(principle.position),
                principle.text,
                *self.organisation(influence.organisation_id),
                influence.effect.value,
                *self.evidence("influence_id", influence.id),
            ]
            keyed.append(((document.slug, principle.position), row))
        return [row for _, row in sorted(keyed, key=lambda pair: pair[0])]


def write_csv(register: Register, kind: str, stream: TextIO) -> None:
    """Write the consultations or influences as CSV (UTF-8, a header row, every cell quoted
    as it needs, formula-looking cells neutralised)."""
    if kind not in CSV_KINDS:
        raise ExportError(f"unknown CSV export '{kind}' (one of: {', '.join(CSV_KINDS)})")
    rows = CsvRows(register)
    header, body = (
        (CONSULTATION_HEADER, rows.consultations())
        if kind == "consultations"
        else (INFLUENCE_HEADER, rows.influences())
    )
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in body)


def csv_text(register: Register, kind: str) -> str:
    stream = io.StringIO(newline="")
    write_csv(register, kind, stream)
    return stream.getvalue()
