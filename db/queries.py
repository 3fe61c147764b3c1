"""Every read of the register: batched by key, paginated by keyset, one statement each.

The GraphQL loaders call these with many keys at once, so a request's statement count depends
on the shape of the query, never on how many rows it returns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.coverage import CONSULTING_ROLES, SOURCE_ONLY_KINDS, status_among
from db.enums import AuditAction, CoverageStatus, DocumentKind, DocumentRelationKind
from db.models import (
    Absence,
    AuditEntry,
    Base,
    Consultation,
    Document,
    DocumentRelation,
    DocumentText,
    Evidence,
    Expectation,
    FoiQuestion,
    FoiRequest,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
    OrganisationRedirect,
    SourceText,
    StakeholderGroup,
)
from db.quotes import StoredText, text_sha256

M = TypeVar("M", bound=Base)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    has_next: bool


def _page(rows: Sequence[T], first: int) -> Page[T]:
    return Page(list(rows[:first]), len(rows) > first)


# ---------------------------------------------------------------- lookups by key


async def by_ids(session: AsyncSession, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    primary_key: Any = model.id  # type: ignore[attr-defined]
    rows = await session.scalars(select(model).where(primary_key.in_(list(ids))))
    return {row.id: row for row in rows}  # type: ignore[attr-defined]


async def by_slugs(session: AsyncSession, model: type[M], slugs: Iterable[str]) -> dict[str, M]:
    slug: Any = model.slug  # type: ignore[attr-defined]
    rows = await session.scalars(select(model).where(slug.in_(list(slugs))))
    return {row.slug: row for row in rows}  # type: ignore[attr-defined]


async def children(
    session: AsyncSession,
    parent: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
    parent_ids: Iterable[int],
    *order_by: InstrumentedAttribute[Any],
) -> dict[int, list[Any]]:
    """Rows of `parent`'s model grouped by the parent they belong to, in `order_by` order."""
    model = parent.class_
    statement = select(model).where(parent.in_(list(parent_ids))).order_by(*order_by)
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in await session.scalars(statement):
        grouped[getattr(row, parent.key)].append(row)
    return grouped


async def stored_texts(session: AsyncSession, document_ids: Iterable[int]) -> dict[int, StoredText]:
    """The current stored text of each document that has one, for checking quotes; with its
    pages where it is the newest text attached from a file."""
    ids = list(document_ids)
    texts = await session.execute(
        select(DocumentText.document_id, DocumentText.text).where(DocumentText.document_id.in_(ids))
    )
    newest = (
        select(func.max(SourceText.id))
        .where(SourceText.document_id.in_(ids))
        .group_by(SourceText.document_id)
    )
    attached = {
        document_id: (sha, pages)
        for document_id, sha, pages in await session.execute(
            select(SourceText.document_id, SourceText.sha256, SourceText.pages).where(
                SourceText.id.in_(newest)
            )
        )
    }
    found = {}
    for document_id, text in texts:
        sha, pages = attached.get(document_id, (None, None))
        # A text loaded since (from the seed files, say) has no pages of its own.
        found[document_id] = StoredText(text, pages if sha == text_sha256(text) else None)
    return found


async def texts_with_pages(session: AsyncSession) -> list[tuple[DocumentText, list[int] | None]]:
    """Every document's current text, in document id order, with its pages where it is the
    newest text attached from a file (as `stored_texts` finds them); one statement."""
    newest = select(func.max(SourceText.id)).group_by(SourceText.document_id)
    rows = await session.execute(
        select(DocumentText, SourceText.sha256, SourceText.pages)
        .outerjoin(
            SourceText,
            (SourceText.document_id == DocumentText.document_id) & SourceText.id.in_(newest),
        )
        .order_by(DocumentText.document_id)
    )
    return [
        (text, pages if pages and sha == text_sha256(text.text) else None)
        for text, sha, pages in rows.all()
    ]


async def foi_requests_by_reference(
    session: AsyncSession, reference: str, authority_slug: str | None, *, limit: int
) -> list[FoiRequest]:
    statement = select(FoiRequest).where(FoiRequest.reference == reference)
    if authority_slug is not None:
        statement = statement.join(Organisation, Organisation.id == FoiRequest.authority_id).where(
            Organisation.slug == authority_slug
        )
    return list(await session.scalars(statement.order_by(FoiRequest.id).limit(limit)))


async def foi_requests_about(
    session: AsyncSession, document_ids: Iterable[int]
) -> dict[int, list[tuple[FoiRequest, list[FoiQuestion]]]]:
    """For each document, the FOI requests asking about it, each with its questions in order:
    one statement."""
    statement = (
        select(FoiRequest, FoiQuestion)
        .outerjoin(FoiQuestion, FoiQuestion.request_id == FoiRequest.id)
        .where(FoiRequest.subject_id.in_(list(document_ids)))
        .order_by(FoiRequest.id, FoiQuestion.number)
    )
    found: dict[int, dict[int, tuple[FoiRequest, list[FoiQuestion]]]] = defaultdict(dict)
    for request, question in await session.execute(statement):
        assert request.subject_id is not None  # chosen by it
        held = found[request.subject_id].setdefault(request.id, (request, []))
        if question is not None:
            held[1].append(question)
    return {document: list(requests.values()) for document, requests in found.items()}


async def all_groups(session: AsyncSession) -> list[StakeholderGroup]:
    statement = select(StakeholderGroup).order_by(StakeholderGroup.position, StakeholderGroup.id)
    return list(await session.scalars(statement))


async def groups_of_organisations(
    session: AsyncSession, organisation_ids: Iterable[int]
) -> dict[int, list[StakeholderGroup]]:
    statement = (
        select(OrganisationGroup.organisation_id, StakeholderGroup)
        .join(StakeholderGroup, StakeholderGroup.id == OrganisationGroup.group_id)
        .where(OrganisationGroup.organisation_id.in_(list(organisation_ids)))
        .order_by(StakeholderGroup.position, StakeholderGroup.id)
    )
    grouped: dict[int, list[StakeholderGroup]] = defaultdict(list)
    for organisation_id, group in await session.execute(statement):
        grouped[organisation_id].append(group)
    return grouped


async def memberships_of_organisations(
    session: AsyncSession, organisation_ids: Iterable[int]
) -> dict[int, list[tuple[OrganisationGroup, StakeholderGroup]]]:
    """Each organisation's memberships (with where each comes from) and their groups."""
    statement = (
        select(OrganisationGroup, StakeholderGroup)
        .join(StakeholderGroup, StakeholderGroup.id == OrganisationGroup.group_id)
        .where(OrganisationGroup.organisation_id.in_(list(organisation_ids)))
        .order_by(StakeholderGroup.position, StakeholderGroup.id)
    )
    grouped: dict[int, list[tuple[OrganisationGroup, StakeholderGroup]]] = defaultdict(list)
    for membership, group in await session.execute(statement):
        grouped[membership.organisation_id].append((membership, group))
    return grouped


async def redirected(session: AsyncSession, slugs: Iterable[str]) -> dict[str, int]:
    """The organisation each slug of a merged-away organisation now leads to."""
    statement = select(OrganisationRedirect.slug, OrganisationRedirect.organisation_id).where(
        OrganisationRedirect.slug.in_(list(slugs))
    )
    return {slug: organisation_id for slug, organisation_id in await session.execute(statement)}


async def rows_where(
    session: AsyncSession, model: type[M], condition: ColumnElement[bool]
) -> list[M]:
    return list(await session.scalars(select(model).where(condition)))


# ---------------------------------------------------------------- for bulk writers


async def slug_prefix_taken(connection: AsyncConnection, prefix: str) -> bool:
    """Whether any document's slug starts with `prefix`."""
    statement = select(Document.id).where(Document.slug.startswith(prefix, autoescape=True))
    return await connection.scalar(statement.limit(1)) is not None


async def next_free_ids(connection: AsyncConnection, tables: Iterable[str]) -> dict[str, int]:
    """For each table, the id after the largest one in use."""
    ids = {}
    for table in tables:
        column = Base.metadata.tables[table].c.id
        ids[table] = (await connection.scalar(select(func.max(column))) or 0) + 1
    return ids


async def group_names(connection: AsyncConnection) -> list[tuple[int, str]]:
    rows = await connection.execute(
        select(StakeholderGroup.id, StakeholderGroup.name).order_by(StakeholderGroup.id)
    )
    return [(group_id, name) for group_id, name in rows]


# ---------------------------------------------------------------- top-level lists


async def page_of(
    session: AsyncSession,
    model: type[M],
    where: Sequence[ColumnElement[bool]],
    *,
    first: int,
    after: int | None,
) -> Page[M]:
    primary_key: Any = model.id  # type: ignore[attr-defined]
    statement = select(model).where(*where)
    if after is not None:
        statement = statement.where(primary_key > after)
    rows = await session.scalars(statement.order_by(primary_key).limit(first + 1))
    return _page(list(rows), first)


async def count_of(
    session: AsyncSession, model: type[M], where: Sequence[ColumnElement[bool]]
) -> int:
    primary_key: Any = model.id  # type: ignore[attr-defined]
    return int(await session.scalar(select(func.count(primary_key)).where(*where)) or 0)


def document_conditions(
    text: str | None, kind: DocumentKind | None, publisher_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if text:
        conditions.append(Document.title.icontains(text, autoescape=True))
    if kind is not None:
        conditions.append(Document.kind == kind)
    if publisher_id is not None:
        conditions.append(Document.publisher_id == publisher_id)
    return conditions


def more_than_a_source_condition() -> ColumnElement[bool]:
    """Documents that are more than sources of evidence (db.coverage.SOURCE_ONLY_KINDS)."""
    return Document.kind.not_in(SOURCE_ONLY_KINDS)


def consultation_recorded_condition() -> ColumnElement[bool]:
    """Documents on which the register records who took part, who was expected to, or who a
    source shows was not consulted: the documents a coverage matrix has something to say about."""
    return or_(
        exists().where(Consultation.document_id == Document.id),
        exists().where(Expectation.document_id == Document.id),
        exists().where(Absence.document_id == Document.id),
    )


def organisation_conditions(
    text: str | None, group_ids: Sequence[int] | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if text:
        alias_matches = exists().where(
            OrganisationAlias.organisation_id == Organisation.id,
            OrganisationAlias.alias.icontains(text, autoescape=True),
        )
        conditions.append(Organisation.name.icontains(text, autoescape=True) | alias_matches)
    if group_ids is not None:
        conditions.append(
            exists().where(
                OrganisationGroup.organisation_id == Organisation.id,
                OrganisationGroup.group_id.in_(list(group_ids)),
            )
        )
    return conditions


# ---------------------------------------------------------------- nested lists, per parent


async def _pages(
    session: AsyncSession,
    model: Any,
    inner: Select[Any],
    parent: ColumnElement[int] | InstrumentedAttribute[int],
    first: int,
) -> dict[int, Page[Any]]:
    """Number `inner`'s rows within each parent and keep the first `first + 1` of each."""
    numbered = inner.add_columns(
        parent.label("parent_key"),
        func.row_number().over(partition_by=parent, order_by=model.id).label("rank"),
    ).subquery()
    row = aliased(model, numbered)
    statement = (
        select(row, numbered.c.parent_key)
        .where(numbered.c.rank <= first + 1)
        .order_by(numbered.c.parent_key, numbered.c.id)
    )
    grouped: dict[int, list[Any]] = defaultdict(list)
    for item, parent_key in await session.execute(statement):
        grouped[parent_key].append(item)
    return {key: _page(rows, first) for key, rows in grouped.items()}


async def pages_by_parent(
    session: AsyncSession,
    parent: InstrumentedAttribute[int],
    parent_ids: Iterable[int],
    *,
    first: int,
    after: int | None,
) -> dict[int, Page[Any]]:
    """A page of `parent`'s model for each parent id, in one statement."""
    model: Any = parent.class_
    inner = select(model).where(parent.in_(list(parent_ids)))
    if after is not None:
        inner = inner.where(model.id > after)
    return await _pages(session, model, inner, parent, first)


async def counts_by_parent(
    session: AsyncSession, parent: InstrumentedAttribute[int], parent_ids: Iterable[int]
) -> dict[int, int]:
    statement = select(parent, func.count()).where(parent.in_(list(parent_ids))).group_by(parent)
    return {key: count for key, count in await session.execute(statement)}


def _visible_group(group_id: Any) -> ColumnElement[bool]:
    # The reader's visibility rules reach ORM entities only; a recursive CTE's step is a plain
    # table alias (SQLAlchemy cannot adapt them there), so it checks the group through one.
    return exists(select(StakeholderGroup.id).where(StakeholderGroup.id == group_id))


def _membership(group_ids: Iterable[int]) -> Any:
    """(root, member) for each requested group and every group below it: a recursive CTE."""
    below = StakeholderGroup.__table__.alias("below")
    tree = (
        select(StakeholderGroup.id.label("root"), StakeholderGroup.id.label("member"))
        .where(StakeholderGroup.id.in_(list(group_ids)))
        .cte("membership", recursive=True)
    )
    return tree.union_all(
        select(tree.c.root, below.c.id)
        .join(below, below.c.parent_id == tree.c.member)
        .where(_visible_group(below.c.id))
    )


async def organisation_pages_by_group(
    session: AsyncSession, group_ids: Iterable[int], *, first: int, after: int | None
) -> dict[int, Page[Organisation]]:
    """Organisations of each group (groups below it included), a page per group, one statement."""
    membership = _membership(group_ids)
    members = (
        select(membership.c.root, OrganisationGroup.organisation_id)
        .join(OrganisationGroup, OrganisationGroup.group_id == membership.c.member)
        .distinct()
        .subquery()
    )
    inner = select(Organisation).join(members, members.c.organisation_id == Organisation.id)
    if after is not None:
        inner = inner.where(Organisation.id > after)
    return await _pages(session, Organisation, inner, members.c.root, first)


async def organisation_counts_by_group(
    session: AsyncSession, group_ids: Iterable[int]
) -> dict[int, int]:
    membership = _membership(group_ids)
    # Joined to the organisation, so the reader's visibility rule counts what it pages.
    statement = (
        select(membership.c.root, func.count(func.distinct(Organisation.id)))
        .join(OrganisationGroup, OrganisationGroup.group_id == membership.c.member)
        .join(Organisation, Organisation.id == OrganisationGroup.organisation_id)
        .group_by(membership.c.root)
    )
    return {key: count for key, count in await session.execute(statement)}


# ---------------------------------------------------------------- analysis


def _group_closure() -> Any:
    """(ancestor, member): every group paired with itself and each group below it."""
    below = StakeholderGroup.__table__.alias("below")
    closure = select(
        StakeholderGroup.id.label("ancestor"), StakeholderGroup.id.label("member")
    ).cte("closure", recursive=True)
    return closure.union_all(
        select(closure.c.ancestor, below.c.id)
        .join(below, below.c.parent_id == closure.c.member)
        .where(_visible_group(below.c.id))
    )


@dataclass(frozen=True, slots=True)
class GroupParticipation:
    """A consultation on a document, in a role that counts as consulted, counted for a group
    its organisation is in or below."""

    group_id: int
    organisation_id: int
    consultation_id: int
    direct: bool  # the organisation is a member of this very group, not only of one below it


async def participation_by_document(
    session: AsyncSession, document_ids: Iterable[int]
) -> dict[int, list[GroupParticipation]]:
    """For each document, every (group, consultation) pair, groups rolled up to their ancestors."""
    closure = _group_closure()
    statement = (
        select(
            Consultation.document_id,
            closure.c.ancestor,
            Consultation.organisation_id,
            Consultation.id,
            OrganisationGroup.group_id == closure.c.ancestor,
        )
        .join(OrganisationGroup, OrganisationGroup.organisation_id == Consultation.organisation_id)
        .join(closure, closure.c.member == OrganisationGroup.group_id)
        .where(
            Consultation.document_id.in_(list(document_ids)),
            Consultation.role.in_(CONSULTING_ROLES),
        )
        .order_by(Consultation.document_id, closure.c.ancestor, Consultation.id)
    )
    found: dict[int, list[GroupParticipation]] = defaultdict(list)
    for document_id, group_id, organisation_id, consultation_id, direct in await session.execute(
        statement
    ):
        found[document_id].append(
            GroupParticipation(group_id, organisation_id, consultation_id, bool(direct))
        )
    return found


def group_status_condition(
    group_and_below: Sequence[int],
    group_and_above: Sequence[int],
    statuses: frozenset[CoverageStatus],
) -> ColumnElement[bool]:
    """Documents on which one group's status (db.coverage.status_of) is one of `statuses`: it
    was consulted if an organisation of the group or of one below it was, in a role that
    counts; shown absent if an absence names the group or one above it."""
    consulted = exists().where(
        Consultation.document_id == Document.id,
        Consultation.role.in_(CONSULTING_ROLES),
        OrganisationGroup.organisation_id == Consultation.organisation_id,
        OrganisationGroup.group_id.in_(list(group_and_below)),
    )
    shown_absent = exists().where(
        Absence.document_id == Document.id, Absence.group_id.in_(list(group_and_above))
    )
    return status_among(consulted, shown_absent, statuses)


@dataclass(frozen=True, slots=True)
class LineageStep:
    relation_id: int
    kind: DocumentRelationKind
    document_id: int  # the document this step reaches
    depth: int  # 1 for a direct relation, 2 for one through another document...


LINEAGE_KINDS = (DocumentRelationKind.SUPERSEDES, DocumentRelationKind.REFRESHES)
MAX_LINEAGE_DEPTH = 50


async def lineage_by_document(
    session: AsyncSession, document_ids: Iterable[int], *, earlier: bool
) -> dict[int, list[LineageStep]]:
    """Documents each one supersedes or refreshes (earlier) or is superseded by (later),
    followed transitively, nearest first."""
    relation = DocumentRelation.__table__.alias("step")
    start, reach = (
        (DocumentRelation.document_id, DocumentRelation.target_id)
        if earlier
        else (DocumentRelation.target_id, DocumentRelation.document_id)
    )
    next_start, next_reach = (
        (relation.c.document_id, relation.c.target_id)
        if earlier
        else (relation.c.target_id, relation.c.document_id)
    )
    chain = (
        select(
            start.label("origin"),
            DocumentRelation.id.label("relation_id"),
            DocumentRelation.kind.label("kind"),
            reach.label("reached"),
            literal(1).label("depth"),
        )
        .where(start.in_(list(document_ids)), DocumentRelation.kind.in_(LINEAGE_KINDS))
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        select(chain.c.origin, relation.c.id, relation.c.kind, next_reach, chain.c.depth + 1)
        .join(relation, next_start == chain.c.reached)
        .where(
            relation.c.kind.in_(LINEAGE_KINDS),
            chain.c.depth < MAX_LINEAGE_DEPTH,
            # A plain alias escapes the visibility rules: check the relation through the model.
            exists(select(DocumentRelation.id).where(DocumentRelation.id == relation.c.id)),
        )
    )
    statement = select(chain).order_by(chain.c.origin, chain.c.depth, chain.c.relation_id)
    found: dict[int, list[LineageStep]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for origin, relation_id, kind, reached, depth in await session.execute(statement):
        # A cycle in the data (A supersedes B supersedes A) stops at the depth limit; list once.
        if (origin, relation_id) not in seen:
            seen.add((origin, relation_id))
            found[origin].append(LineageStep(relation_id, kind, reached, depth))
    return found


# ---------------------------------------------------------------- through join tables


async def all_rows(session: AsyncSession, model: type[M], *order_by: Any) -> list[M]:
    """Every row of a small table (the topics...), in `order_by` order."""
    return list(await session.scalars(select(model).order_by(*order_by)))


async def linked(
    session: AsyncSession,
    key: InstrumentedAttribute[int],
    target: InstrumentedAttribute[int],
    model: type[M],
    keys: Iterable[int],
    *order_by: Any,
) -> dict[int, list[M]]:
    """For each key, the rows of `model` that `target` points at, where `key` and `target` are
    the two columns of one join table: a document's topics, a topic's principles..."""
    primary_key: Any = model.id  # type: ignore[attr-defined]
    statement = (
        select(key, model)
        .join(model, primary_key == target)
        .where(key.in_(list(keys)))
        .order_by(*order_by)
    )
    grouped: dict[int, list[M]] = defaultdict(list)
    for parent, row in await session.execute(statement):
        grouped[parent].append(row)
    return grouped


async def linked_pages(
    session: AsyncSession,
    key: InstrumentedAttribute[int],
    target: InstrumentedAttribute[int],
    model: type[M],
    keys: Iterable[int],
    *,
    first: int,
    after: int | None,
) -> dict[int, Page[Any]]:
    """Like `linked`, a page per key in one statement, in the order the rows were added."""
    primary_key: Any = model.id  # type: ignore[attr-defined]
    inner = select(model).join(target.class_, target == primary_key).where(key.in_(list(keys)))
    if after is not None:
        inner = inner.where(primary_key > after)
    return await _pages(session, model, inner, key, first)


async def children_of_any(
    session: AsyncSession,
    parents: Sequence[InstrumentedAttribute[int | None]],
    keys: Iterable[tuple[str, int]],
    *order_by: InstrumentedAttribute[Any],
) -> dict[tuple[str, int], list[Any]]:
    """Like `children`, for parents held in several columns of one model (the evidence of
    consultations and of absences), in one statement; keys are (column name, parent id)."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for name, parent_id in keys:
        wanted[name].append(parent_id)
    columns = [column for column in parents if column.key in wanted]
    condition: ColumnElement[bool] = columns[0].in_(wanted[columns[0].key])
    for column in columns[1:]:
        condition = condition | column.in_(wanted[column.key])
    statement = select(parents[0].class_).where(condition).order_by(*order_by)
    grouped: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for row in await session.scalars(statement):
        for column in columns:
            parent_id = getattr(row, column.key)
            if parent_id in wanted[column.key]:
                grouped[column.key, parent_id].append(row)
    return grouped


# ---------------------------------------------------------------- the audit trail


def audit_conditions(
    *,
    entity: str | None,
    entity_id: int | None,
    actor: str | None,
    action: AuditAction | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if entity is not None:
        conditions.append(AuditEntry.entity == entity)
    if entity_id is not None:
        conditions.append(AuditEntry.entity_id == entity_id)
    if actor is not None:
        conditions.append(AuditEntry.actor == actor)
    if action is not None:
        conditions.append(AuditEntry.action == action)
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if until is not None:
        conditions.append(AuditEntry.at < until)
    return conditions


async def history(
    session: AsyncSession, entity: str, entity_ids: Iterable[int]
) -> dict[int, list[AuditEntry]]:
    """Each record's audit entries, oldest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(list(entity_ids)))
        .order_by(AuditEntry.id)
    )
    found: dict[int, list[AuditEntry]] = defaultdict(list)
    for row in await session.scalars(statement):
        found[row.entity_id].append(row)
    return found


async def taken(
    session: AsyncSession, model: type[Base], key: dict[str, Any], except_id: int | None = None
) -> bool:
    """Whether a row of `model` (other than `except_id`) already holds these key values."""
    columns = model.__table__.c
    statement = select(columns.id).where(*(columns[name] == value for name, value in key.items()))
    if except_id is not None:
        statement = statement.where(columns.id != except_id)
    return await session.scalar(statement.limit(1)) is not None


# ---------------------------------------------------------------- what a change would strand


async def evidence_held(
    session: AsyncSession, column: str, claim_id: int
) -> tuple[int, int | None]:
    """How many pieces of evidence a claim has that are not retracted, and the last position."""
    claim = Evidence.__table__.c[column]
    statement = select(func.count(), func.max(Evidence.position)).where(
        claim == claim_id, Evidence.retracted_at.is_(None)
    )
    count, last = (await session.execute(statement)).one()
    return int(count), last


async def group_uses(session: AsyncSession, group_id: int) -> list[str]:
    """What still depends on a group, as "2 groups below it"...: the records that retracting
    it would leave pointing at nothing."""

    def live(model: Any) -> list[ColumnElement[bool]]:
        return [model.retracted_at.is_(None)]

    counted = {
        "groups below it": select(func.count(StakeholderGroup.id)).where(
            StakeholderGroup.parent_id == group_id, *live(StakeholderGroup)
        ),
        "member organisations": select(func.count(OrganisationGroup.organisation_id))
        .join(Organisation, Organisation.id == OrganisationGroup.organisation_id)
        .where(OrganisationGroup.group_id == group_id, *live(Organisation)),
        "expectations": select(func.count(Expectation.id)).where(
            Expectation.group_id == group_id, *live(Expectation)
        ),
        "absences": select(func.count(Absence.id)).where(
            Absence.group_id == group_id, *live(Absence)
        ),
    }
    uses = []
    for what, statement in counted.items():
        count = int(await session.scalar(statement) or 0)
        if count:
            uses.append(f"{count} {what}")
    return uses
