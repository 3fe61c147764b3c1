"""Analysis across documents: the coverage matrix and the comparison of two documents."""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import strawberry

from db import models, queries
from schema.context import Info, loaders
from schema.errors import UserInputError
from schema.reads.bounds import at_most, paged, within_page
from schema.reads.compiler.fields import reads_matrix
from schema.reads.pagination import DEFAULT_PAGE, MAX_PAGE, PageInfo, page_arguments, page_info
from schema.types.coverage import assess, facts_for
from schema.types.enums import CoverageStatus
from schema.types.query import DocumentFilter, document_conditions

# The stakeholder taxonomy is small (the seeds have a few dozen groups); a matrix wider than
# this is refused rather than answered without some of its columns.
MAX_COLUMNS = 200

if TYPE_CHECKING:
    from schema.types.documents import Document
    from schema.types.organisations import Organisation, StakeholderGroup

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]
StakeholderGroupType = Annotated["StakeholderGroup", strawberry.lazy("schema.types.organisations")]


def _group(row: models.StakeholderGroup) -> "StakeholderGroup":
    from schema.types.organisations import StakeholderGroup

    return StakeholderGroup.from_row(row)


@strawberry.type(description="One cell of the coverage matrix: one document, one group.")
class CoverageCell:
    status: CoverageStatus
    expected: bool = strawberry.field(description="The group was expected to be consulted.")
    gap: bool = strawberry.field(
        description="Left out: not CONSULTED, and expected or shown not to have been consulted."
    )
    organisation_count: int = strawberry.field(
        description="Organisations of the group (or below it) consulted on the document."
    )
    group_row: strawberry.Private[models.StakeholderGroup]

    @strawberry.field
    def group(self) -> StakeholderGroupType:
        return _group(self.group_row)


@strawberry.type
class CoverageRow:
    document: DocumentType
    cells: list[CoverageCell] = strawberry.field(
        extensions=[at_most(MAX_COLUMNS)], description="One per column, in column order."
    )


@strawberry.type(description="Documents by stakeholder groups, a coverage status in each cell.")
class CoverageMatrix:
    rows: list[CoverageRow] = strawberry.field(
        extensions=[within_page()], description="A page of documents."
    )
    page_info: PageInfo
    column_rows: strawberry.Private[list[models.StakeholderGroup]]
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        extensions=[at_most(MAX_COLUMNS)], description="The groups, in taxonomy order."
    )
    def columns(self) -> list[StakeholderGroupType]:
        return [_group(row) for row in self.column_rows]

    @strawberry.field(description="How many documents match in all, not just on this page.")
    async def total_count(self) -> int:
        return await self.counter()


@strawberry.type
class OrganisationOverlap:
    both: list[OrganisationType] = strawberry.field(extensions=[paged(100)])
    only_a: list[OrganisationType] = strawberry.field(extensions=[paged(100)])
    only_b: list[OrganisationType] = strawberry.field(extensions=[paged(100)])


@strawberry.type
class GroupOverlap:
    both: list[StakeholderGroupType] = strawberry.field(extensions=[paged(100)])
    only_a: list[StakeholderGroupType] = strawberry.field(extensions=[paged(100)])
    only_b: list[StakeholderGroupType] = strawberry.field(extensions=[paged(100)])


@strawberry.type(description="Who took part in one document, the other, or both.")
class DocumentComparison:
    a: DocumentType
    b: DocumentType
    organisations: OrganisationOverlap = strawberry.field(
        description="Organisations recorded on both documents (in any role, delivery partners "
        "and reporting channels included), or on only one."
    )
    groups: GroupOverlap = strawberry.field(
        description="Stakeholder groups whose coverage status is CONSULTED (an organisation in "
        "them or below them was consulted, and no source shows they were not) on both, or on "
        "only one."
    )


def _split(a: list[int], b: list[int]) -> tuple[list[int], list[int], list[int]]:
    """(in both, only in a, only in b), each in its list's order."""
    in_a, in_b = set(a), set(b)
    return (
        [x for x in a if x in in_b],
        [x for x in a if x not in in_b],
        [x for x in b if x not in in_a],
    )


@strawberry.type
class AnalysisQuery:
    """Coverage and comparisons across documents."""

    @strawberry.field(
        description="Coverage of documents by stakeholder groups, for dashboards. `groups` picks "
        "the columns (slugs); all groups when omitted.",
        metadata=reads_matrix(),
    )
    async def coverage_matrix(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
        filter: DocumentFilter | None = None,
        groups: list[str] | None = None,
    ) -> CoverageMatrix:
        from schema.types.documents import Document

        first, after_key = page_arguments(first, after)
        tree = await loaders(info).group_tree()
        if groups is None:
            columns = tree.in_tree_order()
        else:
            if len(groups) > MAX_PAGE:
                raise UserInputError(f"At most {MAX_PAGE} groups can be columns.")
            unknown = [slug for slug in groups if tree.by_slug(slug) is None]
            if unknown:
                raise UserInputError(f"No stakeholder group has the slug '{unknown[0][:100]}'.")
            chosen = set(groups)
            columns = [g for g in tree.in_tree_order() if g.slug in chosen]
        conditions = await document_conditions(info, filter, coverage=True)
        at_site = loaders(info)
        page = await at_site.read(
            lambda s: queries.page_of(s, models.Document, conditions, first=first, after=after_key)
        )
        facts = await facts_for(info, [row.id for row in page.rows])
        column_ids = [g.id for g in columns]
        rows = []
        for document, document_facts in zip(page.rows, facts, strict=True):
            rows.append(
                CoverageRow(
                    document=Document.from_row(document),
                    cells=[
                        CoverageCell(
                            status=c.status,
                            expected=c.expected,
                            gap=c.gap,
                            organisation_count=len(c.organisation_ids),
                            group_row=c.group_row,
                        )
                        for c in assess(tree, document_facts, column_ids)
                    ],
                )
            )
        return CoverageMatrix(
            rows=rows,
            page_info=page_info(page, lambda row: row.id, after_key),
            column_rows=columns,
            counter=lambda: at_site.read(
                lambda s: queries.count_of(s, models.Document, conditions)
            ),
        )

    @strawberry.field(
        description="Who took part in both documents, or in only one; null if either slug is "
        "unknown."
    )
    async def compare_documents(self, info: Info, a: str, b: str) -> DocumentComparison | None:
        from schema.types.documents import Document
        from schema.types.organisations import Organisation

        at_site = loaders(info)
        first_row, second_row = await at_site.by_slug(models.Document).load_many([a, b])
        if first_row is None or second_row is None:
            return None
        ids = [first_row.id, second_row.id]
        consultations = await at_site.children(
            models.Consultation.document_id, models.Consultation.id
        ).load_many(ids)
        organisation_ids = [
            list(dict.fromkeys(c.organisation_id for c in cs)) for cs in consultations
        ]
        organisations = {
            row.id: Organisation.from_row(row)
            for row in await at_site.by_id(models.Organisation).load_many(
                sorted({i for ids_ in organisation_ids for i in ids_})
            )
            if row is not None
        }
        tree = await at_site.group_tree()
        every_group = [group.id for group in tree.in_tree_order()]
        # Every group whose status is CONSULTED, in taxonomy order.
        consulted = [
            [
                c.group_row.id
                for c in assess(tree, facts, every_group)
                if c.status is CoverageStatus.CONSULTED
            ]
            for facts in await facts_for(info, ids)
        ]
        org_both, org_a, org_b = _split(*organisation_ids)
        group_both, group_a, group_b = _split(*consulted)
        return DocumentComparison(
            a=Document.from_row(first_row),
            b=Document.from_row(second_row),
            organisations=OrganisationOverlap(
                both=[organisations[i] for i in org_both],
                only_a=[organisations[i] for i in org_a],
                only_b=[organisations[i] for i in org_b],
            ),
            groups=GroupOverlap(
                both=[_group(tree.groups[i]) for i in group_both],
                only_a=[_group(tree.groups[i]) for i in group_a],
                only_b=[_group(tree.groups[i]) for i in group_b],
            ),
        )
