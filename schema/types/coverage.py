"""Coverage: for each stakeholder group, was it consulted on a document, shown not to have
been, both (CONTESTED), or is there no record either way? The rules are db.coverage's."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import strawberry

from db import models
from db.coverage import is_gap, status_of
from db.queries import GroupParticipation
from schema.context import Info, loaders
from schema.reads.bounds import paged
from schema.reads.loaders import GroupTree
from schema.types.enums import CoverageStatus

if TYPE_CHECKING:
    from schema.types.consultations import Consultation, Evidence, Expectation
    from schema.types.documents import Document
    from schema.types.organisations import Organisation, StakeholderGroup
    from schema.types.topics import Absence

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
ConsultationType = Annotated["Consultation", strawberry.lazy("schema.types.consultations")]
EvidenceType = Annotated["Evidence", strawberry.lazy("schema.types.consultations")]
ExpectationType = Annotated["Expectation", strawberry.lazy("schema.types.consultations")]
OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]
StakeholderGroupType = Annotated["StakeholderGroup", strawberry.lazy("schema.types.organisations")]
AbsenceType = Annotated["Absence", strawberry.lazy("schema.types.topics")]


@dataclass(frozen=True)
class DocumentFacts:
    """What coverage is computed from, for one document."""

    participation: Sequence[GroupParticipation]
    expectations: Sequence[models.Expectation]
    absences: Sequence[models.Absence]


async def facts_for(info: Info, document_ids: Sequence[int]) -> list[DocumentFacts]:
    """The facts for several documents, one batched read per kind of fact."""
    at_site = loaders(info)
    participation = await at_site.participation().load_many(document_ids)
    expectations = await at_site.children(
        models.Expectation.document_id, models.Expectation.id
    ).load_many(document_ids)
    absences = await at_site.children(models.Absence.document_id, models.Absence.id).load_many(
        document_ids
    )
    return [
        DocumentFacts(p, e, a)
        for p, e, a in zip(participation, expectations, absences, strict=True)
    ]


@strawberry.type(description="One stakeholder group's part in one document.")
class GroupCoverage:
    status: CoverageStatus
    gap: bool = strawberry.field(
        description="Left out: not CONSULTED, and expected or shown not to have been "
        "consulted. The same flag as the coverage matrix's."
    )
    expected_because: list[str] = strawberry.field(
        extensions=[paged(20)],
        description="Why this group was expected to be consulted; empty if it was not.",
    )
    group_row: strawberry.Private[models.StakeholderGroup]
    consultation_ids: strawberry.Private[list[int]]
    organisation_ids: strawberry.Private[list[int]]
    absence_rows: strawberry.Private[list[models.Absence]]
    expectation_rows: strawberry.Private[list[models.Expectation]]

    @property
    def expected(self) -> bool:
        return bool(self.expectation_rows)

    @property
    def absence_ids(self) -> list[int]:
        return [row.id for row in self.absence_rows]

    @strawberry.field
    def group(self) -> StakeholderGroupType:
        from schema.types.organisations import StakeholderGroup

        return StakeholderGroup.from_row(self.group_row)

    @strawberry.field(
        extensions=[paged(50)],
        description="Organisations of this group, or of one below it, consulted on the document "
        "in a role that counts as consulted.",
    )
    async def organisations(self, info: Info) -> list[OrganisationType]:
        from schema.types.organisations import Organisation

        rows = await loaders(info).by_id(models.Organisation).load_many(self.organisation_ids)
        return [Organisation.from_row(row) for row in rows if row is not None]

    @strawberry.field(
        extensions=[paged(50)],
        description="The consultations that count for this group: the evidence it was consulted.",
    )
    async def consultations(self, info: Info) -> list[ConsultationType]:
        from schema.types.consultations import Consultation

        rows = await loaders(info).by_id(models.Consultation).load_many(self.consultation_ids)
        return [Consultation.from_row(row) for row in rows if row is not None]

    @strawberry.field(
        extensions=[paged(20)],
        description="The absences that apply to this group (naming it or a group above it): the "
        "evidence it was not consulted.",
    )
    def absences(self) -> list[AbsenceType]:
        from schema.types.topics import Absence

        return [Absence.from_row(row) for row in self.absence_rows]

    @strawberry.field(
        extensions=[paged(50)],
        description="All the evidence behind the status and the expectation: the consultations' "
        "(it was consulted), the absences' (it was not; a CONTESTED group shows both), then the "
        "expectations'. Repeated quotes once.",
    )
    async def evidence(self, info: Info) -> list[EvidenceType]:
        from schema.types.consultations import Evidence

        keys = [
            *(("consultation_id", i) for i in self.consultation_ids),
            *(("absence_id", i) for i in self.absence_ids),
            *(("expectation_id", row.id) for row in self.expectation_rows),
        ]
        # One loader for every kind of claim: every group's evidence then arrives in one batch,
        # and its sources are read in one statement, whatever the mix of statuses.
        loader = loaders(info).children_of_any(
            (
                models.Evidence.consultation_id,
                models.Evidence.absence_id,
                models.Evidence.expectation_id,
            ),
            models.Evidence.position,
            models.Evidence.id,
        )
        rows = [row for found in await loader.load_many(keys) for row in found]
        return [Evidence.from_row(row) for row in distinct_evidence(rows)]

    @strawberry.field(
        extensions=[paged(20)], description="The records that say why this group was expected."
    )
    def expectations(self) -> list[ExpectationType]:
        from schema.types.consultations import Expectation

        return [Expectation.from_row(row) for row in self.expectation_rows]


def distinct_evidence(rows: Iterable[models.Evidence]) -> list[models.Evidence]:
    """One row per distinct (source, locator, quote), in the order first met."""
    seen: set[tuple[int, str, str]] = set()
    kept = []
    for row in rows:
        key = (row.source_id, row.locator, row.quote)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def assess(
    tree: GroupTree, facts: DocumentFacts, columns: Sequence[int] | None = None
) -> list[GroupCoverage]:
    """Coverage of the groups in `columns`, or else of every group that is expected, took part
    (its own organisation was consulted) or is a gap, in the taxonomy's order. Every status and
    gap is db.coverage's."""
    by_group: dict[int, list[GroupParticipation]] = {}
    took_part: set[int] = set()
    for item in facts.participation:
        by_group.setdefault(item.group_id, []).append(item)
        if item.direct:
            took_part.add(item.group_id)
    expected: dict[int, list[models.Expectation]] = {}
    for expectation in facts.expectations:
        if expectation.group_id is not None:
            expected.setdefault(expectation.group_id, []).append(expectation)
    # Evidence of absence for a group covers the groups below it too.
    absent: dict[int, list[models.Absence]] = {}
    for absence in facts.absences:
        if absence.group_id is not None:
            for member in tree.with_descendants(absence.group_id):
                absent.setdefault(member, []).append(absence)

    report = []
    for group in tree.in_tree_order():
        participation = by_group.get(group.id, [])
        status = status_of(bool(participation), group.id in absent)
        gap = is_gap(status, group.id in expected)
        listed = group.id in took_part or group.id in expected or gap
        if not (listed if columns is None else group.id in columns):
            continue
        report.append(
            GroupCoverage(
                status=status,
                gap=gap,
                expected_because=[e.reason for e in expected.get(group.id, [])],
                group_row=group,
                consultation_ids=_unique(p.consultation_id for p in participation),
                organisation_ids=_unique(p.organisation_id for p in participation),
                absence_rows=absent.get(group.id, []),
                expectation_rows=expected.get(group.id, []),
            )
        )
    return report


def _unique(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))


@strawberry.type(description="Who took part in a document, group by group, and who was left out.")
class CoverageReport:
    document: DocumentType
    groups: list[GroupCoverage] = strawberry.field(
        extensions=[paged(50)],
        description="Every expected group, every group whose own organisation was consulted, and "
        "every gap, in taxonomy order.",
    )

    @strawberry.field(
        extensions=[paged(50)],
        description="The gaps: groups not CONSULTED that were expected, or that a source shows "
        "were not consulted (NOT_CONSULTED or CONTESTED).",
    )
    def left_out(self) -> list[GroupCoverage]:
        return left_out(self.groups)


def left_out(groups: Iterable[GroupCoverage]) -> list[GroupCoverage]:
    return [g for g in groups if g.gap]


async def coverage_report(info: Info, document: "Document") -> CoverageReport:
    tree = await loaders(info).group_tree()
    (facts,) = await facts_for(info, [document.db_id])
    return CoverageReport(document=document, groups=assess(tree, facts))
