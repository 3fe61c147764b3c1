"""The answer to "who was consulted on X?", structured and as Markdown an FOI officer can send.

Everything is gathered from the register in a fixed number of batched reads; the text is
`schema.types.answer_text.render`'s, a pure function of what was gathered. Who counts as
consulted and which groups were left out are db.enums' and db.coverage's rules, the same the
coverage report and the matrix use.
"""

from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry

from db import models
from db.enums import COUNTS_AS_CONSULTED, DocumentRelationKind
from schema.context import Info, loaders
from schema.reads.bounds import paged
from schema.types.answer_text import AnswerFacts, GapFacts, RequestFacts, render
from schema.types.coverage import GroupCoverage, assess, facts_for
from schema.types.coverage import left_out as left_out_of

if TYPE_CHECKING:
    from schema.types.consultations import Consultation
    from schema.types.documents import Document

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
ConsultationType = Annotated["Consultation", strawberry.lazy("schema.types.consultations")]

Evidence = dict[tuple[str, int], list[models.Evidence]]
M = TypeVar("M", bound=models.Base)
# Every claim the answer cites, read in one statement whatever the mix.
CLAIMS = (
    models.Evidence.consultation_id,
    models.Evidence.expectation_id,
    models.Evidence.absence_id,
    models.Evidence.impact_assessment_id,
    models.Evidence.relation_id,
)


async def _by_id(info: Info, model: type[M], ids: set[int]) -> dict[int, M]:
    rows = await loaders(info).by_id(model).load_many(sorted(ids))
    return {row.id: row for row in rows if row is not None}  # type: ignore[attr-defined]


async def gather(info: Info, document: models.Document) -> tuple[AnswerFacts, list[GroupCoverage]]:
    """Everything the answer needs, and the groups left out. The reads are keyed by the
    document until the evidence, so a document with claims costs the same fixed number of
    statements whatever it holds."""
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
    requests = await at_site.foi_requests_about().load(document.id)
    responses = {r.response_id for r, _ in requests if r.response_id is not None}
    # How each response stands to the document: its evidence says what the authority said.
    answering = [
        relation
        for relation in await at_site.children(
            models.DocumentRelation.target_id, models.DocumentRelation.id
        ).load(document.id)
        if relation.kind is DocumentRelationKind.RESPONDS_TO and relation.document_id in responses
    ]
    tree = await at_site.group_tree()
    (coverage_facts,) = await facts_for(info, [document.id])
    left_out = left_out_of(assess(tree, coverage_facts))

    wanted = [
        *(("consultation_id", c.id) for c in consultations),
        *(("expectation_id", e.id) for g in left_out for e in g.expectation_rows),
        *(("absence_id", a) for g in left_out for a in g.absence_ids),
        *(("impact_assessment_id", a.id) for a in assessments),
        *(("relation_id", r.id) for r in [*relations, *answering]),
    ]
    loader = at_site.children_of_any(CLAIMS, models.Evidence.position, models.Evidence.id)
    evidence: Evidence = dict(zip(wanted, await loader.load_many(wanted), strict=True))
    source_ids = (
        {row.source_id for rows in evidence.values() for row in rows}
        | {r.target_id for r in relations}
        | responses
    )
    sources = await _by_id(info, models.Document, source_ids)
    versions = await at_site.children(
        models.DocumentVersion.document_id, models.DocumentVersion.position
    ).load_many(sorted({document.id, *sources}))
    by_document = dict(zip(sorted({document.id, *sources}), versions, strict=True))
    organisations = await _by_id(
        info,
        models.Organisation,
        {c.organisation_id for c in consultations}
        | {r.authority_id for r, _ in requests}
        | {d.publisher_id for d in [document, *sources.values()] if d.publisher_id is not None},
    )
    by_consultation = {c.id: c for c in consultations}
    facts = AnswerFacts(
        document=document,
        publisher=organisations.get(document.publisher_id) if document.publisher_id else None,
        versions=by_document[document.id],
        requests=[
            RequestFacts(
                request=request,
                authority=organisations[request.authority_id],
                response=sources.get(request.response_id) if request.response_id else None,
                questions=asked,
                evidence=[
                    row
                    for relation in answering
                    if relation.document_id == request.response_id
                    for row in evidence[("relation_id", relation.id)]
                ],
            )
            for request, asked in requests
            if request.authority_id in organisations
        ],
        consultations=consultations,
        organisations=organisations,
        evidence=evidence,
        gaps=[
            GapFacts(
                group=gap.group_row,
                status=gap.status,
                expectations=gap.expectation_rows,
                absences=gap.absence_rows,
                consultations=[by_consultation[i] for i in gap.consultation_ids],
            )
            for gap in left_out
        ],
        assessments=assessments,
        relations=relations,
        sources=sources,
        source_versions=by_document,
    )
    return facts, left_out


@strawberry.type(description="The answer to an FOI request asking who was consulted on a document.")
class ConsultationAnswer:
    document: DocumentType
    markdown: str = strawberry.field(
        description="The answer as CommonMark, ready to send: where the account comes from, who "
        "was consulted and in what role, other parts recorded under headings of their own, the "
        "groups not shown to have been consulted, what it draws on, impact assessments, and the "
        "numbered sources. Also at /answers/{slug}.md, .html and .docx."
    )
    consulted: list[ConsultationType] = strawberry.field(
        extensions=[paged(100)], description="The consultations in a role that counts as consulted."
    )
    other_parts: list[ConsultationType] = strawberry.field(
        extensions=[paged(100)],
        description="The other parts recorded, which do not count as consulted: authors, "
        "overseers, delivery partners, reporting channels, invited parties, requested changes.",
    )
    left_out: list[GroupCoverage] = strawberry.field(
        extensions=[paged(50)],
        description="The groups left out, as Document.coverage.leftOut gives them.",
    )


async def consultation_answer(info: Info, document_slug: str) -> ConsultationAnswer | None:
    from schema.types.consultations import Consultation
    from schema.types.documents import Document

    row = await loaders(info).by_slug(models.Document).load(document_slug)
    if row is None:
        return None
    facts, left_out = await gather(info, row)
    return ConsultationAnswer(
        document=Document.from_row(row),
        markdown=render(facts),
        consulted=[
            Consultation.from_row(c) for c in facts.consultations if c.role in COUNTS_AS_CONSULTED
        ],
        other_parts=[
            Consultation.from_row(c)
            for c in facts.consultations
            if c.role not in COUNTS_AS_CONSULTED
        ],
        left_out=left_out,
    )


@strawberry.type
class AnswerQuery:
    @strawberry.field(
        description="The consultation answer for a document; null if none has the slug."
    )
    async def consultation_answer(
        self, info: Info, document_slug: str
    ) -> ConsultationAnswer | None:
        return await consultation_answer(info, document_slug)
