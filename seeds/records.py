"""The seed data as read from its files: plain records that refer to each other by slug.

Every record keeps the `Origin` (file and line) it was read from, so that a problem found
later, such as an unknown slug or a quote missing from its source, can still point at it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.enums import (
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
)
from db.rules import Rule


class Problem(str):
    """One problem as `file:line: message`; `code` names the register rule it breaks
    (db/rules.py), the same code a mutation refuses the same mistake with."""

    code: str | None

    def __new__(cls, text: str, code: str | None = None) -> Problem:
        problem = super().__new__(cls, text)
        problem.code = code
        return problem


@dataclass(frozen=True)
class Origin:
    file: str
    line: int

    def problem(self, message: str, rule: Rule | None = None) -> Problem:
        return Problem(f"{self.file}:{self.line}: {message}", rule.code if rule else None)


@dataclass(frozen=True)
class Ref:
    """A slug written in one place that must name a record defined in another."""

    slug: str
    origin: Origin


@dataclass(frozen=True)
class PartialDate:
    """A date and how much of it the source gives: 2019-01 is January 2019 (MONTH)."""

    date: dt.date
    precision: DatePrecision


@dataclass(frozen=True)
class Retraction:
    """A record withdrawn for everyone: when, and why."""

    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Standing:
    """Whether a record is a draft (seen by editors only) or retracted.

    `draft` is None where the file does not say: a new record is then published and an
    existing one keeps its state. A record without `retracted` is not retracted by a load, and
    a load never takes a retraction back: that is an editor's deliberate act.
    """

    draft: bool | None = None
    retracted: Retraction | None = None


UNSTATED = Standing()


@dataclass(frozen=True)
class MergedInto:
    """An organisation merged into another: its slug leads to `organisation` since `at`."""

    organisation: Ref
    at: dt.datetime


@dataclass(frozen=True)
class GroupRecord:
    slug: str
    name: str
    description: str | None
    parent: str | None
    position: int
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TopicRecord:
    slug: str
    name: str
    description: str | None
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MembershipRecord:
    """A group an organisation belongs to, and where that comes from: a plain slug in the file
    is SOURCE; anything else carries a note."""

    group: Ref
    basis: MembershipBasis = MembershipBasis.SOURCE
    note: str | None = None


@dataclass(frozen=True)
class OrganisationRecord:
    slug: str
    name: str
    named: bool
    aliases: tuple[str, ...]
    groups: tuple[MembershipRecord, ...]
    description: str | None
    url: str | None
    origin: Origin
    standing: Standing = UNSTATED
    merged_into: MergedInto | None = None
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EvidenceRecord:
    """`origin` is the line of the quote."""

    source: Ref
    locator: str
    quote: str
    confidence: Confidence
    origin: Origin
    standing: Standing = UNSTATED
    url: str | None = None  # where the quote was read, where no text of the source is stored
    read_on: dt.date | None = None
    # Recorded as not in its source's current text (`verification: MISMATCH`), as an export
    # writes such a quote: it loads as a MISMATCH instead of being refused.
    mismatch: bool = False


@dataclass(frozen=True)
class VersionRecord:
    label: str
    date: dt.date | None
    changes: str | None
    author: str | None
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InfluenceRecord:
    organisation: Ref
    effect: InfluenceEffect
    summary: str | None
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PrincipleRecord:
    position: int
    title: str | None
    text: str
    influences: tuple[InfluenceRecord, ...]
    topics: tuple[Ref, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RelationRecord:
    kind: DocumentRelationKind
    target: Ref
    note: str | None
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConsultationRecord:
    organisation: Ref
    role: ConsultationRole
    summary: str | None
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ImpactAssessmentRecord:
    kind: str
    undertaken: bool
    outcome: str | None
    date: PartialDate | None
    reference: str | None
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    summary: str | None = None
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExpectationRecord:
    """Exactly one of `group` and `organisation` is set."""

    group: Ref | None
    organisation: Ref | None
    basis: ExpectationBasis
    reason: str
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED


@dataclass(frozen=True)
class OmissionRecord:
    """A topic the document does not cover, and the evidence that it does not."""

    topic: Ref
    summary: str | None
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AbsenceRecord:
    """Evidence of absence: exactly one of `group` and `organisation` is set."""

    group: Ref | None
    organisation: Ref | None
    summary: str
    evidence: tuple[EvidenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED


@dataclass(frozen=True)
class FoiQuestionRecord:
    number: int
    text: str
    answer: str | None
    outcome: FoiOutcome
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FoiRequestRecord:
    """A request to an authority; `response` is the document that answers it, once there is one."""

    reference: str
    authority: Ref
    received_on: dt.date | None
    responded_on: dt.date | None
    subject: Ref | None
    response: Ref | None
    summary: str | None
    questions: tuple[FoiQuestionRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TextRecord:
    """A document's full text, read from a file beside the data."""

    file: str
    content: str
    note: str | None
    origin: Origin
    # Where each page starts (characters), for a text read from a file with pages.
    pages: tuple[int, ...] | None = None


@dataclass(frozen=True)
class DocumentRecord:
    slug: str
    title: str
    kind: DocumentKind
    formality: Formality
    publisher: Ref | None
    published: PartialDate | None
    review_due: PartialDate | None
    url: str | None
    summary: str | None
    text: TextRecord | None
    versions: tuple[VersionRecord, ...]
    principles: tuple[PrincipleRecord, ...]
    relations: tuple[RelationRecord, ...]
    consultations: tuple[ConsultationRecord, ...]
    impact_assessments: tuple[ImpactAssessmentRecord, ...]
    expectations: tuple[ExpectationRecord, ...]
    topics: tuple[Ref, ...]
    topics_not_covered: tuple[OmissionRecord, ...]
    absences: tuple[AbsenceRecord, ...]
    origin: Origin
    standing: Standing = UNSTATED
    # Optional fields the file leaves out: their stored values stay as they are.
    absent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SeedData:
    groups: tuple[GroupRecord, ...]  # parents before their children
    organisations: tuple[OrganisationRecord, ...]
    documents: tuple[DocumentRecord, ...]
    topics: tuple[TopicRecord, ...]
    foi_requests: tuple[FoiRequestRecord, ...] = ()
