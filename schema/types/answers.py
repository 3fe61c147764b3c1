"""The answer to "who was consulted on X?", structured and as Markdown an FOI officer can paste.

The Markdown is built from the register alone, in a fixed order, so the same data always gives
the same text; every claim carries a numbered citation to a verbatim quote.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.orm import InstrumentedAttribute

from db import models
from db.enums import ConsultationRole, DatePrecision, DocumentRelationKind
from schema.context import Info, loaders
from schema.types.coverage import (
    CoverageStatus,
    GroupCoverage,
    assess,
    distinct_evidence,
    facts_for,
)
from schema.types.coverage import left_out as left_out_of

if TYPE_CHECKING:
    from schema.types.consultations import Consultation
    from schema.types.documents import Document

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
ConsultationType = Annotated["Consultation", strawberry.lazy("schema.types.consultations")]

RELATION_WORDS = {
    DocumentRelationKind.SUPERSEDES: "Supersedes",
    DocumentRelationKind.REFRESHES: "Refreshes",
    DocumentRelationKind.CITES: "Cites or draws on",
    DocumentRelationKind.IMPLEMENTS: "Implements",
    DocumentRelationKind.RESPONDS_TO: "Responds to",
}
ROLE_WORDS = {
    ConsultationRole.CONSULTED: "consulted",
    ConsultationRole.ADVISOR: "adviser",
    ConsultationRole.PARTNER: "partner",
    ConsultationRole.CO_DEVELOPER: "developed the document alongside the publisher",
    ConsultationRole.REVIEWER: "reviewer",
    ConsultationRole.OVERSIGHT: "oversight body (the document's work is reported to it)",
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass
class Citations:
    """Numbers each distinct quote once, in the order first cited."""

    sources: dict[int, models.Document]
    numbers: dict[tuple[int, str, str], int] = field(default_factory=dict)
    entries: list[str] = field(default_factory=list)

    def cite(self, evidence: Sequence[models.Evidence]) -> str:
        marks = []
        for row in distinct_evidence(evidence):
            key = (row.source_id, row.locator, row.quote)
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                source = self.sources[row.source_id].title
                quote = " ".join(row.quote.split())
                self.entries.append(
                    f"[{self.numbers[key]}] {source}, {row.locator}: \u201c{quote}\u201d"
                    + ("" if row.confidence == "STATED" else f" ({row.confidence.lower()})")
                )
            marks.append(f"[{self.numbers[key]}]")
        return "".join(marks)


def _when(document: models.Document) -> str:
    day = document.published_on
    if day is None:
        return "date not recorded"
    if document.published_precision is DatePrecision.YEAR:
        return str(day.year)
    if document.published_precision is DatePrecision.MONTH:
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class AnswerFacts:
    document: models.Document
    publisher: models.Organisation | None
    consultations: Sequence[models.Consultation]
    organisations: dict[int, models.Organisation]
    evidence: dict[tuple[str, int], list[models.Evidence]]  # (claim kind, claim id) -> rows
    left_out: Sequence[GroupCoverage]
    assessments: Sequence[models.ImpactAssessment]
    relations: Sequence[models.DocumentRelation]  # what the document cites, refreshes...
    sources: dict[int, models.Document]


def render(facts: AnswerFacts) -> str:
    """The Markdown answer; a pure function of the facts."""
    document = facts.document
    citations = Citations(facts.sources)
    lines = [f"# Who was consulted on \u201c{document.title}\u201d", ""]
    publisher = facts.publisher.name if facts.publisher else "Publisher not recorded"
    lines += [
        f"{publisher}, {_when(document)}.",
        "",
        "Drawn from the Footprint register; each statement cites its source, listed at the end.",
        "",
        "## Who took part, and in what role",
        "",
    ]
    if not facts.consultations:
        lines.append("No record is held of anyone being consulted on this document.")
    for number, consultation in enumerate(facts.consultations, 1):
        organisation = facts.organisations[consultation.organisation_id]
        unnamed = "" if organisation.named else " (described, not named, in the source)"
        cited = citations.cite(facts.evidence.get(("consultation", consultation.id), []))
        lines.append(
            f"{number}. **{organisation.name}**{unnamed}: {ROLE_WORDS[consultation.role]}. {cited}"
        )
    lines += ["", "## Expected but not consulted", ""]
    if not facts.left_out:
        lines.append("The register records no group that was expected and not consulted.")
    for group in facts.left_out:
        name = group.group_row.name
        if group.status is CoverageStatus.NOT_CONSULTED:
            absence = [e for a in group.absence_ids for e in facts.evidence.get(("absence", a), [])]
            status = f"the sources show no consultation of them {citations.cite(absence)}"
        else:
            status = "no record is held of whether they were consulted"
        lines.append(f"- **{name}**: {status}. Expected because:")
        lines += [
            f"  - {row.reason} {citations.cite(facts.evidence.get(('expectation', row.id), []))}"
            for row in group.expectation_rows
        ]
    lines += ["", "## What it draws on", ""]
    if not facts.relations:
        lines.append("No record is held of documents or research it draws on.")
    for relation in facts.relations:
        target = facts.sources[relation.target_id].title
        cited = citations.cite(facts.evidence.get(("relation", relation.id), []))
        lines.append(f"- {RELATION_WORDS[relation.kind]} \u201c{target}\u201d. {cited}")
    lines += ["", "## Impact assessments", ""]
    if not facts.assessments:
        lines.append("No record is held of any impact assessment of this document.")
    for assessment in facts.assessments:
        done = "undertaken" if assessment.undertaken else "not undertaken"
        outcome = f", outcome {assessment.outcome}" if assessment.outcome else ""
        cited = citations.cite(facts.evidence.get(("assessment", assessment.id), []))
        lines.append(f"- {assessment.kind}: {done}{outcome}. {cited}")
    lines += ["", "## Sources", "", *citations.entries]
    return "\n".join(line.rstrip() for line in lines) + "\n"


async def _evidence(
    info: Info, claim: InstrumentedAttribute[int | None], kind: str, ids: Sequence[int]
) -> dict[tuple[str, int], list[models.Evidence]]:
    loader = loaders(info).children(claim, models.Evidence.position, models.Evidence.id)
    return {(kind, i): rows for i, rows in zip(ids, await loader.load_many(ids), strict=True)}


async def gather(info: Info, document: models.Document) -> AnswerFacts:
    """Everything the answer needs, in a fixed number of batched reads."""
    at_site = loaders(info)
    consultations = await at_site.children(
        models.Consultation.document_id, models.Consultation.id
    ).load(document.id)
    assessments = await at_site.children(
        models.ImpactAssessment.document_id, models.ImpactAssessment.id
    ).load(document.id)
    relations = await at_site.children(
        models.DocumentRelation.document_id, models.DocumentRelation.id
    ).load(document.id)
    tree = await at_site.group_tree()
    (facts,) = await facts_for(info, [document.id])
    left_out = left_out_of(assess(tree, facts))
    organisation_ids = sorted(
        {c.organisation_id for c in consultations}
        | ({document.publisher_id} if document.publisher_id else set())
    )
    organisations = {
        row.id: row
        for row in await at_site.by_id(models.Organisation).load_many(organisation_ids)
        if row is not None
    }
    evidence = {
        **await _evidence(
            info, models.Evidence.consultation_id, "consultation", [c.id for c in consultations]
        ),
        **await _evidence(
            info,
            models.Evidence.expectation_id,
            "expectation",
            [e.id for g in left_out for e in g.expectation_rows],
        ),
        **await _evidence(
            info,
            models.Evidence.absence_id,
            "absence",
            [a for g in left_out for a in g.absence_ids],
        ),
        **await _evidence(
            info, models.Evidence.impact_assessment_id, "assessment", [a.id for a in assessments]
        ),
        **await _evidence(info, models.Evidence.relation_id, "relation", [r.id for r in relations]),
    }
    source_ids = sorted(
        {row.source_id for rows in evidence.values() for row in rows}
        | {r.target_id for r in relations}
    )
    sources = {
        row.id: row
        for row in await at_site.by_id(models.Document).load_many(source_ids)
        if row is not None
    }
    return AnswerFacts(
        document=document,
        publisher=organisations.get(document.publisher_id) if document.publisher_id else None,
        consultations=consultations,
        organisations=organisations,
        evidence=evidence,
        left_out=left_out,
        assessments=assessments,
        relations=relations,
        sources=sources,
    )


@strawberry.type(description="The answer to an FOI request asking who was consulted on a document.")
class ConsultationAnswer:
    document: DocumentType
    markdown: str = strawberry.field(
        description="Who was consulted and in what role, groups left out, impact assessments, "
        "each with a numbered citation; ready to paste into a reply."
    )
    consulted: list[ConsultationType]
    left_out: list[GroupCoverage]


@strawberry.type
class AnswerQuery:
    @strawberry.field(
        description="The consultation answer for a document; null if none has the slug."
    )
    async def consultation_answer(
        self, info: Info, document_slug: str
    ) -> ConsultationAnswer | None:
        from schema.types.consultations import Consultation
        from schema.types.documents import Document

        row = await loaders(info).by_slug(models.Document).load(document_slug)
        if row is None:
            return None
        facts = await gather(info, row)
        return ConsultationAnswer(
            document=Document.from_row(row),
            markdown=render(facts),
            consulted=[Consultation.from_row(c) for c in facts.consultations],
            left_out=list(facts.left_out),
        )
