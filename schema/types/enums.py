"""The domain's enums, registered with GraphQL under the same names, each value described.

The classes are db.enums' own, so resolvers return model values unchanged. Every value carries
a one-line definition (its GraphQL description); `define` refuses an enum with a value left
undefined, so a new value cannot reach the schema without one.
"""

import enum
from collections.abc import Mapping
from typing import TypeVar

import strawberry

from db.enums import (
    DEFINITIONS,
    AuditAction,
    Confidence,
    ConsultationRole,
    CoverageStatus,
    DatePrecision,
    DocumentKind,
    DocumentRelationKind,
    ExpectationBasis,
    FoiOutcome,
    Formality,
    InfluenceEffect,
    MembershipBasis,
    VerificationStatus,
)

Vocabulary = TypeVar("Vocabulary", bound=type[enum.Enum])


def define(
    kind: Vocabulary,
    description: str,
    definitions: Mapping[enum.Enum, str] = DEFINITIONS,  # type: ignore[assignment]
) -> Vocabulary:
    """Register `kind` with GraphQL, describing it and each of its values."""
    missing = [member.name for member in kind if member not in definitions]
    if missing:
        raise ValueError(f"{kind.__name__} has values without a definition: {missing}")
    # An annotation resolved before this module ran may have registered the enum already, bare.
    if not hasattr(kind, "__strawberry_definition__"):
        strawberry.enum(kind)
    definition = kind.__strawberry_definition__  # type: ignore[attr-defined]
    definition.description = description
    for value in definition.values:
        value.description = definitions[kind[value.name]]
    return kind


define(
    DocumentKind,
    "What kind of document it is. Press releases, web pages and news articles are kept as "
    "sources of evidence.",
)
define(Formality, "How binding the document says it is.")
define(
    DatePrecision,
    "How much of a date the source gives: 'January 2019' is MONTH, stored as the month's "
    "first day.",
)
define(DocumentRelationKind, "How one document stands to another, as a source says.")
define(ConsultationRole, "What part an organisation had in a document, as the source puts it.")
define(
    InfluenceEffect,
    "What a source says an organisation's input did to a principle; each is only as strong "
    "as the quote behind it.",
)
define(Confidence, "How directly the quote says what the claim says.")
define(ExpectationBasis, "Why a group or organisation was expected to be consulted.")
define(FoiOutcome, "What the authority did with a Freedom of Information request.")
define(AuditAction, "What a change did to a record.")
define(
    CoverageStatus,
    "A group's standing on a document, as the register's sources show it: one rule decides it "
    "for the coverage report, the matrix, the document filters and the FOI answer.",
)
define(
    MembershipBasis,
    "Where an organisation's membership of a stakeholder group comes from.",
)
define(
    VerificationStatus,
    "Whether a quote was checked against a stored text of its source, and found there.",
)

__all__ = [
    "AuditAction",
    "Confidence",
    "ConsultationRole",
    "CoverageStatus",
    "DatePrecision",
    "DocumentKind",
    "DocumentRelationKind",
    "ExpectationBasis",
    "FoiOutcome",
    "Formality",
    "InfluenceEffect",
    "MembershipBasis",
    "VerificationStatus",
    "define",
]
