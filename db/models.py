"""Typed SQLAlchemy models of the register.

The models declare no ORM relationships: every read goes through an explicit query in
`db.queries`, batched by the GraphQL loaders, so no attribute access can issue hidden I/O.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.enums import (
    AuditAction,
    Confidence,
    ConsultationRole,
    DatePrecision,
    DocumentKind,
    DocumentRelationKind,
    ExpectationBasis,
    FoiOutcome,
    Formality,
    InfluenceEffect,
    MembershipBasis,
    TokenRole,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG = String(120)
NAME = String(300)


def enum_column(kind: type[enum.Enum], column: str | None = None) -> Enum:
    """A portable enum: VARCHAR with a CHECK constraint on both backends.

    `column` names the constraint where one table holds two columns of the same enum.
    """
    return Enum(
        kind,
        name=column or kind.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record:
    """What every editable record has.

    `version` is raised by each update: an editor's update names the version it read, and a
    stale one is refused instead of silently overwriting another's work. An unpublished record
    is a draft, seen by editors only; a retracted one is withdrawn for everyone, with a reason,
    and never deleted.
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")
    published: Mapped[bool] = mapped_column(default=True, server_default=true())
    retracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    retraction_reason: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- who takes part


class StakeholderGroup(Record, Base):
    """A node of the stakeholder taxonomy (a tree)."""

    __tablename__ = "stakeholder_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)


class Organisation(Record, Base):
    """Anything that publishes, is consulted, or is expected to be.

    `named` is false for a party a source describes without naming it.
    """

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(NAME, index=True)
    named: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))


class OrganisationAlias(Base):
    __tablename__ = "organisation_alias"
    __table_args__ = (UniqueConstraint("organisation_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(NAME, index=True)
    position: Mapped[int] = mapped_column(default=0)


class OrganisationGroup(Base):
    """Membership of an organisation in a stakeholder group (many-to-many), and where it comes
    from: a membership no source of the register states says so, with a note."""

    __tablename__ = "organisation_group"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    basis: Mapped[MembershipBasis] = mapped_column(
        enum_column(MembershipBasis),
        default=MembershipBasis.SOURCE,
        server_default=MembershipBasis.SOURCE.value,
    )
    note: Mapped[str | None] = mapped_column(Text)


class OrganisationRedirect(Base):
    """A slug that now names another organisation: what merging one into another leaves.

    The merged organisation is kept, retracted; its slug resolves to the survivor.
    """

    __tablename__ = "organisation_redirect"

    slug: Mapped[str] = mapped_column(SLUG, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    merged_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class OrganisationDistinctPair(Base):
    """Two organisations an editor has reviewed as possible duplicates and found distinct:
    the pair is no longer listed as awaiting review. `first_id` is the smaller id."""

    __tablename__ = "organisation_distinct_pair"
    __table_args__ = (CheckConstraint("first_id < second_id", name="ordered"),)

    first_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    second_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    marked_by: Mapped[str] = mapped_column(String(100))
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# ---------------------------------------------------------------- documents


class Document(Record, Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    title: Mapped[str] = mapped_column(String(500), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind), index=True)
    formality: Mapped[Formality] = mapped_column(enum_column(Formality))
    publisher_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    published_precision: Mapped[DatePrecision] = mapped_column(
        enum_column(DatePrecision, "published_precision"), default=DatePrecision.DAY
    )
    review_due_on: Mapped[dt.date | None] = mapped_column(Date)
    review_due_precision: Mapped[DatePrecision] = mapped_column(
        enum_column(DatePrecision, "review_due_precision"), default=DatePrecision.DAY
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    summary: Mapped[str | None] = mapped_column(Text)


class DocumentText(Base):
    """The full text of a document, kept apart so that lists never load it."""

    __tablename__ = "document_text"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class DocumentVersion(Record, Base):
    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(50))
    date: Mapped[dt.date | None] = mapped_column(Date)
    changes: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(NAME)


class DocumentRelation(Record, Base):
    """`document` --kind--> `target`, e.g. a policy CITES a strategy."""

    __tablename__ = "document_relation"
    __table_args__ = (
        UniqueConstraint("document_id", "kind", "target_id"),
        CheckConstraint("document_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentRelationKind] = mapped_column(enum_column(DocumentRelationKind))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)


class Principle(Record, Base):
    """A numbered statement of a document."""

    __tablename__ = "principle"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- claims


class Consultation(Record, Base):
    """An organisation's part in making a document, and the role it played."""

    __tablename__ = "consultation"
    __table_args__ = (
        UniqueConstraint("document_id", "organisation_id", "role"),
        Index(None, "organisation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    role: Mapped[ConsultationRole] = mapped_column(enum_column(ConsultationRole))
    summary: Mapped[str | None] = mapped_column(Text)


class Influence(Record, Base):
    """What an organisation did to a principle: shaped, adopted, amended, not adopted."""

    __tablename__ = "influence"
    __table_args__ = (UniqueConstraint("principle_id", "organisation_id", "effect"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    principle_id: Mapped[int] = mapped_column(ForeignKey("principle.id", ondelete="CASCADE"))
    effect: Mapped[InfluenceEffect] = mapped_column(enum_column(InfluenceEffect))
    summary: Mapped[str | None] = mapped_column(Text)


class Expectation(Record, Base):
    """A group or organisation that should have been consulted on a document, and why."""

    __tablename__ = "expectation"
    __table_args__ = (
        CheckConstraint(
            "(group_id IS NULL) <> (organisation_id IS NULL)", name="group_or_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    basis: Mapped[ExpectationBasis] = mapped_column(enum_column(ExpectationBasis))
    reason: Mapped[str] = mapped_column(Text)


class Absence(Record, Base):
    """Evidence of absence: a source shows a group or organisation was not consulted.

    Without one, a group that took no part has no record either way.
    """

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint(
            "(group_id IS NULL) <> (organisation_id IS NULL)", name="group_or_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    summary: Mapped[str] = mapped_column(Text)


class ImpactAssessment(Record, Base):
    """An EIA, PSED, SIA, DPIA... "Not undertaken" is a record too."""

    __tablename__ = "impact_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    undertaken: Mapped[bool]
    outcome: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision] = mapped_column(
        enum_column(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    reference: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)


class Evidence(Record, Base):
    """Where a claim comes from: a verbatim quote at a locator in a source document.

    Exactly one of the claim columns is set.
    """

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN consultation_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN influence_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN expectation_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN impact_assessment_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN relation_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN absence_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN omission_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_claim",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="RESTRICT"), index=True
    )
    locator: Mapped[str] = mapped_column(String(300))
    quote: Mapped[str] = mapped_column(Text)
    confidence: Mapped[Confidence] = mapped_column(enum_column(Confidence))
    position: Mapped[int] = mapped_column(default=0)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    influence_id: Mapped[int | None] = mapped_column(
        ForeignKey("influence.id", ondelete="CASCADE"), index=True
    )
    expectation_id: Mapped[int | None] = mapped_column(
        ForeignKey("expectation.id", ondelete="CASCADE"), index=True
    )
    impact_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("impact_assessment.id", ondelete="CASCADE"), index=True
    )
    relation_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_relation.id", ondelete="CASCADE"), index=True
    )
    absence_id: Mapped[int | None] = mapped_column(
        ForeignKey("absence.id", ondelete="CASCADE"), index=True
    )
    omission_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic_omission.id", ondelete="CASCADE"), index=True
    )


# ---------------------------------------------------------------- topics


class Topic(Record, Base):
    """A subject a document or principle can cover, or be recorded as leaving out."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(Text)


class DocumentTopic(Base):
    __tablename__ = "document_topic"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PrincipleTopic(Base):
    __tablename__ = "principle_topic"

    principle_id: Mapped[int] = mapped_column(
        ForeignKey("principle.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TopicOmission(Record, Base):
    """A topic a document does not cover, with the evidence that it does not."""

    __tablename__ = "topic_omission"
    __table_args__ = (UniqueConstraint("document_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"), index=True)
    summary: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- FOI


class FoiRequest(Record, Base):
    __tablename__ = "foi_request"
    __table_args__ = (UniqueConstraint("authority_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    responded_on: Mapped[dt.date | None] = mapped_column(Date)
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str | None] = mapped_column(Text)


class FoiQuestion(Record, Base):
    __tablename__ = "foi_question"
    __table_args__ = (UniqueConstraint("request_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("foi_request.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[FoiOutcome] = mapped_column(enum_column(FoiOutcome))


# ---------------------------------------------------------------- editing


class ApiToken(Base):
    """A bearer token for editors and admins, stored only as its SHA-256 hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[TokenRole] = mapped_column(enum_column(TokenRole))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The token's mutation allowance, shared by every API process (PostgreSQL only): changes
    # left in its bucket as of `allowance_at`; empty until its first change.
    allowance: Mapped[float | None] = mapped_column(Float)
    allowance_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the primary's WAL stood after the token's last change, in bytes: its reads stay on
    # the primary until a replica has replayed that far (PostgreSQL with read replicas only).
    last_write_lsn: Mapped[int | None] = mapped_column(BigInteger)


class AuditEntry(Base):
    """One change to the register, written in the same transaction as the change itself.

    The application only ever inserts these.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index(None, "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first result of a create sent with an idempotency key, replayed for repeats."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("actor", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
