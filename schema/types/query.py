"""The root Query: lookups by slug or id, and the paginated, filterable lists."""

from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import ColumnElement

from db import models, queries
from db.enums import CoverageStatus
from schema.context import Info, loaders
from schema.errors import UserInputError
from schema.ids import parse_global_id
from schema.reads.bounds import paged
from schema.reads.compiler.fields import reads_page, reads_slug
from schema.reads.pagination import DEFAULT_PAGE, Connection, connection, page_arguments
from schema.types.consultations import (
    Consultation,
    Evidence,
    Expectation,
    ImpactAssessment,
    Influence,
)
from schema.types.documents import Document, DocumentRelation, DocumentVersion, Principle
from schema.types.enums import DocumentKind
from schema.types.foi import FoiQuestion, FoiRequest
from schema.types.node import Node
from schema.types.organisations import Organisation, StakeholderGroup
from schema.types.topics import Absence, Topic, TopicOmission

NODE_TYPES: dict[str, tuple[Any, Callable[[Any], Node]]] = {
    "Document": (models.Document, Document.from_row),
    "Principle": (models.Principle, Principle.from_row),
    "Organisation": (models.Organisation, Organisation.from_row),
    "StakeholderGroup": (models.StakeholderGroup, StakeholderGroup.from_row),
    "Consultation": (models.Consultation, Consultation.from_row),
    "FoiRequest": (models.FoiRequest, FoiRequest.from_row),
    "Topic": (models.Topic, Topic.from_row),
    "Influence": (models.Influence, Influence.from_row),
    "Expectation": (models.Expectation, Expectation.from_row),
    "ImpactAssessment": (models.ImpactAssessment, ImpactAssessment.from_row),
    "DocumentVersion": (models.DocumentVersion, DocumentVersion.from_row),
    # Seen from the document that holds it: `document` is the other end.
    "DocumentRelation": (
        models.DocumentRelation,
        lambda row: DocumentRelation.from_row(row, other_id=row.target_id),
    ),
    "FoiQuestion": (models.FoiQuestion, FoiQuestion.from_row),
    "Evidence": (models.Evidence, Evidence.from_row),
    "Absence": (models.Absence, Absence.from_row),
    "TopicOmission": (models.TopicOmission, TopicOmission.from_row),
}


# What evidence can back, by the evidence column that names it.
EVIDENCE_CLAIMS: dict[str, type[models.Base]] = {
    "consultation_id": models.Consultation,
    "influence_id": models.Influence,
    "expectation_id": models.Expectation,
    "impact_assessment_id": models.ImpactAssessment,
    "relation_id": models.DocumentRelation,
    "absence_id": models.Absence,
    "omission_id": models.TopicOmission,
}


async def _claim_visible(info: Info, evidence: models.Evidence) -> bool:
    """Whether this reader may see the claim a piece of evidence backs. The visibility rules
    check evidence's source only (see db/visibility.py); lists reach evidence through its
    claim, but node(id:) reaches it directly."""
    for column, model in EVIDENCE_CLAIMS.items():
        claim_id = getattr(evidence, column)
        if claim_id is not None:
            return await loaders(info).by_id(model).load(claim_id) is not None
    return False


# The longest title or name the register holds: a longer filter text could match nothing.
MAX_FILTER_TEXT = 500


def filter_text(text: str | None) -> str | None:
    """A filter's `text`, or BAD_USER_INPUT if it is longer than anything it could match."""
    if text is not None and len(text) > MAX_FILTER_TEXT:
        raise UserInputError(
            f"A filter's text must be at most {MAX_FILTER_TEXT} characters; it was {len(text)}."
        )
    return text


@strawberry.input
class DocumentFilter:
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive match on the title."
    )
    kind: DocumentKind | None = None
    publisher: str | None = strawberry.field(
        default=None, description="The publishing organisation's slug."
    )
    consulting: str | None = strawberry.field(
        default=None,
        description="A stakeholder group's slug: documents on which the group's coverage status "
        "is CONSULTED (an organisation of it, or of a group below it, was consulted in a role "
        "that counts, and no source shows the group was not).",
    )
    not_consulting: str | None = strawberry.field(
        default=None,
        description="A stakeholder group's slug: documents on which the group's coverage status "
        "is not CONSULTED (NOT_CONSULTED, CONTESTED or NO_RECORD); with `consulting`, every "
        "document falls in exactly one.",
    )
    consultation_recorded: bool | None = strawberry.field(
        default=None,
        description="True: documents on which the register records who took part, who was "
        "expected to, or who a source shows was not consulted. False: the others, such as "
        "sources cited only as evidence.",
    )
    include_sources: bool = strawberry.field(
        default=False,
        description="Whether `consulting`, `notConsulting`, `consultationRecorded` and the "
        "coverage matrix take in documents kept only as sources of evidence (press releases, "
        "web pages, news articles), which they leave out by default.",
    )


async def group_and_below(info: Info, slug: str) -> list[int]:
    """The ids of a group and every group below it, or BAD_USER_INPUT for an unknown slug."""
    tree = await loaders(info).group_tree()
    return tree.with_descendants(await _group_id(info, slug))


async def _group_id(info: Info, slug: str) -> int:
    group = (await loaders(info).group_tree()).by_slug(slug)
    if group is None:
        raise UserInputError(f"No stakeholder group has the slug '{slug[:100]}'.")
    return group.id


async def _status_condition(
    info: Info, slug: str, statuses: frozenset[CoverageStatus]
) -> ColumnElement[bool]:
    tree = await loaders(info).group_tree()
    group_id = await _group_id(info, slug)
    return queries.group_status_condition(
        tree.with_descendants(group_id), tree.with_ancestors(group_id), statuses
    )


async def document_conditions(
    info: Info, filter: DocumentFilter | None, *, coverage: bool = False
) -> list[ColumnElement[bool]]:
    """The SQL conditions for a DocumentFilter, its slugs checked. Filters on coverage (and
    the coverage matrix, `coverage`) leave out documents that are only sources, unless the
    filter asks for them."""
    if filter is None:
        return [queries.more_than_a_source_condition()] if coverage else []
    publisher_id = None
    if filter.publisher is not None:
        publisher = await loaders(info).by_slug(models.Organisation).load(filter.publisher)
        if publisher is None:
            raise UserInputError(f"No organisation has the slug '{filter.publisher[:100]}'.")
        publisher_id = publisher.id
    conditions = queries.document_conditions(filter_text(filter.text), filter.kind, publisher_id)
    consulted = frozenset({CoverageStatus.CONSULTED})
    if filter.consulting is not None:
        conditions.append(await _status_condition(info, filter.consulting, consulted))
    if filter.not_consulting is not None:
        others = frozenset(CoverageStatus) - consulted
        conditions.append(await _status_condition(info, filter.not_consulting, others))
    if filter.consultation_recorded is not None:
        recorded = queries.consultation_recorded_condition()
        conditions.append(recorded if filter.consultation_recorded else ~recorded)
    about_coverage = coverage or any(
        value is not None
        for value in (filter.consulting, filter.not_consulting, filter.consultation_recorded)
    )
    if about_coverage and not filter.include_sources:
        conditions.append(queries.more_than_a_source_condition())
    return conditions


@strawberry.input
class OrganisationFilter:
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive match on the name or an alias."
    )
    group: str | None = strawberry.field(
        default=None, description="A stakeholder group's slug; groups below it are included."
    )


async def list_of(
    info: Info,
    model: Any,
    conditions: list[ColumnElement[bool]],
    node: Callable[[Any], Any],
    first: int,
    after: int | None,
) -> Connection[Any]:
    """A page of `model`'s rows that meet `conditions`, as a connection with its total."""
    at_site = loaders(info)
    page = await at_site.read(
        lambda s: queries.page_of(s, model, conditions, first=first, after=after)
    )
    return connection(
        page,
        node,
        lambda row: row.id,
        lambda: at_site.read(lambda s: queries.count_of(s, model, conditions)),
        after,
    )


@strawberry.type
class RegisterQuery:
    """Lookups and lists of the register's records."""

    @strawberry.field(
        description="Any object by its global id; null if there is none, or if it is retracted "
        "(editors see retracted records here, with their history)."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, pk = parse_global_id(id)
        if type_name not in NODE_TYPES:
            raise UserInputError(f"'{id[:100]}' is not a valid id.")
        model, from_row = NODE_TYPES[type_name]
        row = await loaders(info).by_id(model).load(pk)
        if row is not None and type_name == "Evidence" and not await _claim_visible(info, row):
            row = None
        if row is None:
            # Editors may open a retracted record, to read it and its history.
            row = await loaders(info).withdrawn(model, pk)
        return None if row is None else from_row(row)

    @strawberry.field(
        description="A document by its slug; null if there is none.", metadata=reads_slug()
    )
    async def document(self, info: Info, slug: str) -> Document | None:
        row = await loaders(info).by_slug(models.Document).load(slug)
        return Document.from_row(row) if row else None

    @strawberry.field(
        description="Documents in the order they were recorded.", metadata=reads_page()
    )
    async def documents(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
        filter: DocumentFilter | None = None,
    ) -> Connection[Document]:
        first, after_key = page_arguments(first, after)
        conditions = await document_conditions(info, filter)
        return await list_of(info, models.Document, conditions, Document.from_row, first, after_key)

    @strawberry.field(
        description="An organisation by its slug (or the slug of one merged into it); null if "
        "there is none.",
        metadata=reads_slug(redirects=True),
    )
    async def organisation(self, info: Info, slug: str) -> Organisation | None:
        row = await loaders(info).by_slug(models.Organisation).load(slug)
        if row is None:
            # The slug of an organisation merged into another leads to the survivor.
            target = (await loaders(info).read(lambda s: queries.redirected(s, [slug]))).get(slug)
            if target is not None:
                row = await loaders(info).by_id(models.Organisation).load(target)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="Organisations in the order they were recorded.")
    async def organisations(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
        filter: OrganisationFilter | None = None,
    ) -> Connection[Organisation]:
        first, after_key = page_arguments(first, after)
        group_ids = None
        if filter and filter.group is not None:
            group_ids = await group_and_below(info, filter.group)
        text = filter_text(filter.text) if filter else None
        conditions = queries.organisation_conditions(text, group_ids)
        return await list_of(
            info, models.Organisation, conditions, Organisation.from_row, first, after_key
        )

    @strawberry.field(
        extensions=[paged(100)],
        description="The whole stakeholder taxonomy, parents before children.",
    )
    async def stakeholder_groups(self, info: Info) -> list[StakeholderGroup]:
        tree = await loaders(info).group_tree()
        return [StakeholderGroup.from_row(group) for group in tree.in_tree_order()]

    @strawberry.field(description="A stakeholder group by its slug; null if there is none.")
    async def stakeholder_group(self, info: Info, slug: str) -> StakeholderGroup | None:
        group = (await loaders(info).group_tree()).by_slug(slug)
        return StakeholderGroup.from_row(group) if group else None

    @strawberry.field(
        description="An FOI request by its reference; `authority` (a slug) tells apart two "
        "authorities' requests with the same reference. Null if there is none."
    )
    async def foi_request(
        self, info: Info, reference: str, authority: str | None = None
    ) -> FoiRequest | None:
        rows = await loaders(info).read(
            lambda s: queries.foi_requests_by_reference(s, reference, authority, limit=2)
        )
        if len(rows) > 1:
            raise UserInputError(
                f"More than one authority has an FOI request '{reference[:100]}': "
                "pass authority to choose."
            )
        return FoiRequest.from_row(rows[0]) if rows else None
