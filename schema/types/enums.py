"""The domain's enums, registered with GraphQL under the same names.

The classes are db.enums' own, so resolvers return model values unchanged.
"""

import strawberry

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
)

strawberry.enum(DocumentKind)
strawberry.enum(Formality, description="How binding the document says it is.")
strawberry.enum(
    DatePrecision,
    description="How much of a date the source gives: 'January 2019' is MONTH, "
    "stored as the month's first day.",
)
strawberry.enum(DocumentRelationKind)
strawberry.enum(ConsultationRole)
strawberry.enum(InfluenceEffect)
strawberry.enum(Confidence)
strawberry.enum(
    ExpectationBasis, description="Why a group or organisation was expected to be consulted."
)
strawberry.enum(FoiOutcome)

__all__ = [
    "Confidence",
    "ConsultationRole",
    "DatePrecision",
    "DocumentKind",
    "DocumentRelationKind",
    "ExpectationBasis",
    "FoiOutcome",
    "Formality",
    "InfluenceEffect",
]
