"""Who sees which records: readers never see drafts; nobody's reads return retracted records.

A record is visible only if it is, and so are the records it belongs to: a consultation needs
its document and its organisation, an influence its principle (and so that principle's
document) and its organisation, evidence its source, an expectation the group or
organisation it names. So nothing a reader can reach points at something hidden. (Groups form
a tree, which one expression cannot follow: the group mutations keep a visible group's parent
visible instead.) A merged organisation's slug leads readers to the survivor only if the
merged organisation was published.

A session opened with `info={"audience": ...}` has these conditions added to every ORM SELECT
it runs, for every editable table the statement touches, so no query can forget them.
Sessions opened without an audience (the write path) see everything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, event, exists, or_, select, true
from sqlalchemy.orm import ORMExecuteState, Session, aliased, with_loader_criteria

from db.models import (
    Absence,
    Consultation,
    Document,
    DocumentRelation,
    DocumentVersion,
    Evidence,
    Expectation,
    FoiQuestion,
    FoiRequest,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationRedirect,
    Principle,
    Record,
    StakeholderGroup,
    Topic,
    TopicOmission,
)

AUDIENCE = "audience"


class Audience(StrEnum):
    READERS = "readers"  # published records only
    EDITORS = "editors"  # drafts too


# What each kind of record belongs to: (foreign key attribute, the record it points at).
# Only required links: an optional one (an FOI request's subject) is simply null when hidden.
BELONGS_TO: dict[type[Record], tuple[tuple[str, type[Record]], ...]] = {
    StakeholderGroup: (),
    Organisation: (),
    Document: (),
    Topic: (),
    Principle: (("document_id", Document),),
    DocumentVersion: (("document_id", Document),),
    DocumentRelation: (("document_id", Document), ("target_id", Document)),
    Consultation: (("document_id", Document), ("organisation_id", Organisation)),
    Influence: (("principle_id", Principle), ("organisation_id", Organisation)),
    Expectation: (("document_id", Document),),
    Absence: (("document_id", Document),),
    ImpactAssessment: (("document_id", Document),),
    TopicOmission: (("document_id", Document), ("topic_id", Topic)),
    Evidence: (("source_id", Document),),
    FoiRequest: (("authority_id", Organisation),),
    FoiQuestion: (("request_id", FoiRequest),),
}


# Links that may be null (an expectation or absence names a group or an organisation): where
# one is set, the record it points at must be visible too. Evidence is left out on purpose: it
# is read through its claim, already visible, or found by search, which joins the claim; a
# check on each of its seven claim columns made evidence reads time out at scale.
MAY_BELONG_TO: dict[type[Record], tuple[tuple[str, type[Record]], ...]] = {
    Expectation: (("group_id", StakeholderGroup), ("organisation_id", Organisation)),
    Absence: (("group_id", StakeholderGroup), ("organisation_id", Organisation)),
}

_BY_TABLE = {model.__tablename__: parents for model, parents in BELONGS_TO.items()}  # type: ignore[attr-defined]
_MAYBE_BY_TABLE = {model.__tablename__: links for model, links in MAY_BELONG_TO.items()}  # type: ignore[attr-defined]


def visible(
    entity: Any, audience: Audience, *, through: str | tuple[str, ...] | None = None
) -> ColumnElement[bool]:
    """The condition under which rows of `entity` (a model or an alias) are visible.

    `through` names the links already known to reach a visible record (the rows are read from
    that very parent, or joined to it on its own visibility), whose checks are then left out.
    """
    known = (through,) if isinstance(through, str) else through or ()
    condition: ColumnElement[bool] = entity.retracted_at.is_(None)
    if audience is Audience.READERS:
        condition = and_(condition, entity.published.is_(True))
    # SQLAlchemy hands in the class, an alias of it, or a wrapper: all answer __tablename__.
    for attribute, parent_model in _BY_TABLE[entity.__tablename__]:
        if attribute in known:
            continue
        condition = and_(condition, _parent_visible(entity, attribute, parent_model, audience))
    for attribute, parent_model in _MAYBE_BY_TABLE.get(entity.__tablename__, ()):
        link = getattr(entity, attribute)
        condition = and_(
            condition,
            or_(link.is_(None), _parent_visible(entity, attribute, parent_model, audience)),
        )
    return condition


def _parent_visible(
    entity: Any, attribute: str, parent_model: type[Record], audience: Audience
) -> ColumnElement[bool]:
    parent: Any = aliased(parent_model)
    return exists(
        select(parent.id).where(parent.id == getattr(entity, attribute), visible(parent, audience))
    )


def redirect_visible(redirect: Any, audience: Audience) -> ColumnElement[bool]:
    """Whether a merged organisation's slug leads this audience to the survivor: for readers,
    only if the merged organisation was published (merging a draft publishes nothing of it)."""
    if audience is Audience.EDITORS:
        return true()
    # A plain table, which the criteria below leave alone: the merged organisation is retracted.
    merged = Organisation.__table__.alias("merged")
    return exists(
        select(merged.c.id).where(merged.c.id == redirect.merged_id, merged.c.published.is_(True))
    )


# Built once, as plain expressions: SQLAlchemy's lambda criteria are analysed with stand-in
# values, which would defeat the branch on the audience above.
CRITERIA: dict[Audience, list[Any]] = {
    audience: [
        with_loader_criteria(model, visible(model, audience), include_aliases=True)
        for model in BELONGS_TO
    ]
    + [
        with_loader_criteria(
            OrganisationRedirect,
            redirect_visible(OrganisationRedirect, audience),
            include_aliases=True,
        )
    ]
    for audience in Audience
}


@event.listens_for(Session, "do_orm_execute")
def _hide_what_this_audience_may_not_see(state: ORMExecuteState) -> None:
    audience = state.session.info.get(AUDIENCE)
    if audience is None or not state.is_select:
        return
    state.statement = state.statement.options(*CRITERIA[Audience(audience)])
