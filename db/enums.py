"""The domain's closed vocabularies, shared by the models, the seeds and the GraphQL schema."""

import enum


class DocumentKind(enum.StrEnum):
    GUIDANCE = "GUIDANCE"
    POLICY = "POLICY"
    STRATEGY = "STRATEGY"
    FOI_RESPONSE = "FOI_RESPONSE"
    RESEARCH = "RESEARCH"
    LEGISLATION = "LEGISLATION"
    LEGAL_GUIDANCE = "LEGAL_GUIDANCE"
    OTHER = "OTHER"


class Formality(enum.StrEnum):
    """How binding the document says it is."""

    ADVICE = "ADVICE"
    FORMAL_POLICY = "FORMAL_POLICY"
    STATUTORY = "STATUTORY"
    UNKNOWN = "UNKNOWN"


class DatePrecision(enum.StrEnum):
    """How much of a stored date the source actually gives ("January 2019" is MONTH)."""

    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


class DocumentRelationKind(enum.StrEnum):
    SUPERSEDES = "SUPERSEDES"
    REFRESHES = "REFRESHES"
    CITES = "CITES"
    IMPLEMENTS = "IMPLEMENTS"
    RESPONDS_TO = "RESPONDS_TO"


class ConsultationRole(enum.StrEnum):
    CONSULTED = "CONSULTED"
    ADVISOR = "ADVISOR"
    PARTNER = "PARTNER"
    CO_DEVELOPER = "CO_DEVELOPER"
    REVIEWER = "REVIEWER"
    OVERSIGHT = "OVERSIGHT"  # a body the document's work reports to


class InfluenceEffect(enum.StrEnum):
    SHAPED = "SHAPED"
    ADOPTED = "ADOPTED"
    AMENDED = "AMENDED"
    NOT_ADOPTED = "NOT_ADOPTED"


class Confidence(enum.StrEnum):
    STATED = "STATED"
    INFERRED = "INFERRED"
    DISPUTED = "DISPUTED"


class ExpectationBasis(enum.StrEnum):
    """Why a group or organisation was expected to be consulted."""

    FOI_REQUEST = "FOI_REQUEST"
    DUTY = "DUTY"
    COMPARABLE_DOCUMENT = "COMPARABLE_DOCUMENT"
    OTHER = "OTHER"


class FoiOutcome(enum.StrEnum):
    INFORMATION_PROVIDED = "INFORMATION_PROVIDED"
    PROVIDED_OUTSIDE_ACT = "PROVIDED_OUTSIDE_ACT"
    NOT_HELD = "NOT_HELD"
    PARTIAL = "PARTIAL"
    REFUSED = "REFUSED"


class TokenRole(enum.StrEnum):
    """What a bearer token may do. Anyone without a token is a reader."""

    EDITOR = "EDITOR"
    ADMIN = "ADMIN"


class AuditAction(enum.StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    RETRACT = "RETRACT"
    MERGE = "MERGE"
