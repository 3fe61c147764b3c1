"""The domain's closed vocabularies, shared by the models, the seeds and the GraphQL schema."""

import enum
from collections.abc import Iterator, Mapping


class DocumentKind(enum.StrEnum):
    GUIDANCE = "GUIDANCE"
    POLICY = "POLICY"
    STRATEGY = "STRATEGY"
    FOI_RESPONSE = "FOI_RESPONSE"
    RESEARCH = "RESEARCH"
    LEGISLATION = "LEGISLATION"
    LEGAL_GUIDANCE = "LEGAL_GUIDANCE"
    BILL = "BILL"
    COMMITTEE_REPORT = "COMMITTEE_REPORT"
    CONSULTATION_PAPER = "CONSULTATION_PAPER"
    CONSULTATION_ANALYSIS = "CONSULTATION_ANALYSIS"
    PRESS_RELEASE = "PRESS_RELEASE"
    WEB_PAGE = "WEB_PAGE"
    NEWS_ARTICLE = "NEWS_ARTICLE"
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
    TAKES_INTO_ACCOUNT = "TAKES_INTO_ACCOUNT"
    IMPLEMENTS = "IMPLEMENTS"
    ACCORDS_WITH = "ACCORDS_WITH"
    RESPONDS_TO = "RESPONDS_TO"


class ConsultationRole(enum.StrEnum):
    CONSULTED = "CONSULTED"
    ADVISOR = "ADVISOR"
    PARTNER = "PARTNER"
    CO_DEVELOPER = "CO_DEVELOPER"
    REVIEWER = "REVIEWER"
    AUTHOR = "AUTHOR"
    SUBMITTED_WRITTEN_EVIDENCE = "SUBMITTED_WRITTEN_EVIDENCE"
    GAVE_ORAL_EVIDENCE = "GAVE_ORAL_EVIDENCE"
    INVITED = "INVITED"
    OVERSIGHT = "OVERSIGHT"
    DELIVERY_PARTNER = "DELIVERY_PARTNER"
    REPORTING_CHANNEL = "REPORTING_CHANNEL"
    REQUESTED_CHANGE = "REQUESTED_CHANGE"


class InfluenceEffect(enum.StrEnum):
    SHAPED = "SHAPED"
    ADOPTED = "ADOPTED"
    AMENDED = "AMENDED"
    NOT_ADOPTED = "NOT_ADOPTED"
    CONSULTED_ON = "CONSULTED_ON"


# The one rule of which roles count as being consulted on a document: coverage, the FOI answer,
# the document filters and the coverage matrix all read it. A delivery partner, a reporting
# channel, an invited party, an overseer, the document's author and a party at whose request it
# was changed are recorded, but none was thereby consulted.
COUNTS_AS_CONSULTED: frozenset[ConsultationRole] = frozenset(
    {
        ConsultationRole.CONSULTED,
        ConsultationRole.ADVISOR,
        ConsultationRole.PARTNER,
        ConsultationRole.CO_DEVELOPER,
        ConsultationRole.REVIEWER,
        ConsultationRole.SUBMITTED_WRITTEN_EVIDENCE,
        ConsultationRole.GAVE_ORAL_EVIDENCE,
    }
)

# Effects that tie a party to one principle; CONSULTED_ON says only that the principles as a
# set were developed in consultation with it (Principle.shapedBy(principleSpecific: true)).
PRINCIPLE_SPECIFIC: frozenset[InfluenceEffect] = frozenset(
    {
        InfluenceEffect.SHAPED,
        InfluenceEffect.ADOPTED,
        InfluenceEffect.AMENDED,
        InfluenceEffect.NOT_ADOPTED,
    }
)


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


class MembershipBasis(enum.StrEnum):
    """Where an organisation's membership of a stakeholder group comes from."""

    SOURCE = "SOURCE"
    REGISTER_READING = "REGISTER_READING"
    OUTSIDE_KNOWLEDGE = "OUTSIDE_KNOWLEDGE"


class CoverageStatus(enum.StrEnum):
    """A group's standing on a document, decided by db.coverage.status_of alone."""

    CONSULTED = "CONSULTED"
    NOT_CONSULTED = "NOT_CONSULTED"
    CONTESTED = "CONTESTED"
    NO_RECORD = "NO_RECORD"


class VerificationStatus(enum.StrEnum):
    """Whether a quote was found in a stored text of its source, decided by db.quotes alone."""

    VERIFIED = "VERIFIED"
    UNVERIFIED = "UNVERIFIED"
    MISMATCH = "MISMATCH"


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


class Definitions(Mapping[enum.StrEnum, str]):
    """Definitions keyed by value *and* vocabulary: two vocabularies may share a value's name
    (DocumentKind.OTHER and ExpectationBasis.OTHER are equal strings), never its definition."""

    def __init__(self, *vocabularies: Mapping[enum.StrEnum, str]) -> None:
        self._by_key = {
            (type(value), value.name): text
            for vocabulary in vocabularies
            for value, text in vocabulary.items()
        }

    def __getitem__(self, value: enum.StrEnum) -> str:
        return self._by_key[type(value), value.name]

    def __contains__(self, value: object) -> bool:
        return isinstance(value, enum.StrEnum) and (type(value), value.name) in self._by_key

    def __iter__(self) -> Iterator[enum.StrEnum]:
        return (kind[name] for kind, name in self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)


# One line per value, written so an FOI officer can choose between them: the GraphQL schema
# describes each value with it, and docs/vocabulary.md repeats it (a test compares the two).
# One mapping per vocabulary.
DEFINITIONS = Definitions(
    {
        DocumentKind.GUIDANCE: "Advice to practitioners on how to act, such as national policing "
        "guidance.",
        DocumentKind.POLICY: "An organisation's own policy, binding on its staff.",
        DocumentKind.STRATEGY: "A plan setting out aims and priorities over a period.",
        DocumentKind.FOI_RESPONSE: "An authority's answer to a Freedom of Information request.",
        DocumentKind.RESEARCH: "A study or report of research, such as an academic paper.",
        DocumentKind.LEGISLATION: "An Act of Parliament or a statutory instrument.",
        DocumentKind.LEGAL_GUIDANCE: "Guidance on applying the law, such as the Crown Prosecution "
        "Service's legal guidance.",
        DocumentKind.BILL: "A bill before Parliament, or one of its papers such as its list of "
        "witnesses.",
        DocumentKind.COMMITTEE_REPORT: "The report of a committee's inquiry, such as a "
        "parliamentary select committee's.",
        DocumentKind.CONSULTATION_PAPER: "A paper asking for views on a proposal.",
        DocumentKind.CONSULTATION_ANALYSIS: "An analysis of the views a consultation received, or "
        "the government's response to them.",
        DocumentKind.PRESS_RELEASE: "A press release or announcement, kept as a source of "
        "evidence.",
        DocumentKind.WEB_PAGE: "A web page, kept as a source of evidence.",
        DocumentKind.NEWS_ARTICLE: "A news report or opinion column, kept as a source of evidence.",
        DocumentKind.OTHER: "A document of none of the kinds above.",
    },
    {
        Formality.ADVICE: "The document says it is advice, not binding.",
        Formality.FORMAL_POLICY: "The document is formal policy, binding on those it covers.",
        Formality.STATUTORY: "The document has the force of law, or is issued under a statutory "
        "duty.",
        Formality.UNKNOWN: "The source does not say how binding the document is.",
    },
    {
        DatePrecision.DAY: "The source gives the day.",
        DatePrecision.MONTH: "The source gives the month only; the date is stored as its first "
        "day.",
        DatePrecision.YEAR: "The source gives the year only; the date is stored as 1 January.",
    },
    {
        DocumentRelationKind.SUPERSEDES: "This document replaces the other.",
        DocumentRelationKind.REFRESHES: "This document is an updated edition of the other.",
        DocumentRelationKind.CITES: "This document names the other as a source or reference.",
        DocumentRelationKind.TAKES_INTO_ACCOUNT: "The source says the other was taken into account "
        "in writing this document; it does not say the document cites it.",
        DocumentRelationKind.IMPLEMENTS: "The source says this document puts the other into "
        "practice.",
        DocumentRelationKind.ACCORDS_WITH: "The source says this document, or the work it covers, "
        "is in accordance with the other; it does not say it puts the other into practice.",
        DocumentRelationKind.RESPONDS_TO: "This document answers the other, or answers questions "
        "about it, as an FOI response answers a request about a document.",
    },
    {
        ConsultationRole.CONSULTED: "The source says the party was consulted on the document, "
        "engaged or involved in making it, or that it was developed in consultation with the "
        "party.",
        ConsultationRole.ADVISOR: "The source says the party advised on the document.",
        ConsultationRole.PARTNER: "The source says the party worked on the document as a partner "
        "of its author.",
        ConsultationRole.CO_DEVELOPER: "The source says the document was developed alongside or "
        "jointly with the party.",
        ConsultationRole.REVIEWER: "The source names the party as a reviewer of the document or of "
        "one of its versions.",
        ConsultationRole.AUTHOR: "The source names the party as the author of the document or of "
        "one of its versions, or under a heading such as 'Author/Reviewer'.",
        ConsultationRole.SUBMITTED_WRITTEN_EVIDENCE: "The source records a written submission from "
        "the party.",
        ConsultationRole.GAVE_ORAL_EVIDENCE: "The source records the party giving oral evidence.",
        ConsultationRole.INVITED: "The source says the party was invited to contribute; whether it "
        "took part is not recorded.",
        ConsultationRole.OVERSIGHT: "The source names the party as overseeing the document or the "
        "work it governs, such as the document's strategic board.",
        ConsultationRole.DELIVERY_PARTNER: "The source says the party works with the authority on "
        "delivering the work the document covers, not on the document itself.",
        ConsultationRole.REPORTING_CHANNEL: "The source says activity under the document is "
        "reported through or to the party.",
        ConsultationRole.REQUESTED_CHANGE: "The source says the document, or one of its versions, "
        "was changed at the party's request.",
    },
    {
        InfluenceEffect.SHAPED: "The source ties the party to this principle: its input formed or "
        "changed it.",
        InfluenceEffect.ADOPTED: "The source says this principle takes up a proposal of the "
        "party's.",
        InfluenceEffect.AMENDED: "The source says the party's input changed this principle's "
        "wording.",
        InfluenceEffect.NOT_ADOPTED: "The source says the party proposed something for this "
        "principle that was not taken up.",
        InfluenceEffect.CONSULTED_ON: "The source says the principles as a set were developed in "
        "consultation with the party; it does not tie the party to this principle.",
    },
    {
        Confidence.STATED: "The quote says it in so many words.",
        Confidence.INFERRED: "The source does not say it in so many words; it is the register's "
        "reading of the quote.",
        Confidence.DISPUTED: "Sources disagree about it.",
    },
    {
        ExpectationBasis.FOI_REQUEST: "An FOI request asked about consulting the group.",
        ExpectationBasis.DUTY: "A legal duty or obligation, such as the Public Sector Equality "
        "Duty, concerns the group; the reason says whose reading links it to consulting them.",
        ExpectationBasis.COMPARABLE_DOCUMENT: "A comparable document consulted the group.",
        ExpectationBasis.OTHER: "Another reason, given in the record.",
    },
    {
        MembershipBasis.SOURCE: "A source in the register says it, or the party's own name there "
        "does.",
        MembershipBasis.REGISTER_READING: "The register's reading of a source's words about the "
        "party, such as its name; the note says which.",
        MembershipBasis.OUTSIDE_KNOWLEDGE: "No source in the register says it; it comes from "
        "outside knowledge, which the note names.",
    },
    {
        CoverageStatus.CONSULTED: "A source shows an organisation of the group, or of a group "
        "below it, was consulted on the document, and none shows the group was not.",
        CoverageStatus.NOT_CONSULTED: "A source is recorded as evidence that the group was not "
        "consulted, and none shows it was; the evidence's confidence says how directly.",
        CoverageStatus.CONTESTED: "Sources point both ways: one shows an organisation of the group "
        "was consulted, another that the group was not. Both are shown.",
        CoverageStatus.NO_RECORD: "The register holds no record either way.",
    },
    {
        VerificationStatus.VERIFIED: "The quote was found in the stored text of its source, "
        "typography aside; where it was found is stored.",
        VerificationStatus.UNVERIFIED: "No text of the source is stored: the quote was read at the "
        "URL on the date given, and not checked against a stored copy.",
        VerificationStatus.MISMATCH: "A text of the source stored after the quote was recorded "
        "does not contain it.",
    },
    {
        FoiOutcome.INFORMATION_PROVIDED: "The authority provided the information under the Freedom "
        "of Information Act.",
        FoiOutcome.PROVIDED_OUTSIDE_ACT: "The authority said it held no information the request "
        "captured, and answered outside the Act.",
        FoiOutcome.NOT_HELD: "The authority said it did not hold the information.",
        FoiOutcome.PARTIAL: "The authority provided some of the information and withheld the rest "
        "or did not hold it.",
        FoiOutcome.REFUSED: "The authority refused the request.",
    },
    {
        AuditAction.CREATE: "The record was added.",
        AuditAction.UPDATE: "The record was changed.",
        AuditAction.RETRACT: "The record was withdrawn, with a reason; nothing is deleted.",
        AuditAction.MERGE: "The record was moved to the organisation another was merged into.",
    },
)
