"""The FOI answer as Markdown (CommonMark): a pure function of the register's facts.

Rules it keeps (tests/test_answers.py holds each): every statement about the document carries
numbered citations, or is plainly the register's own; a citation marked (inferred) is the
register's reading and the term is explained once; "no record" reads "The register holds no
record either way", never "not consulted" nor an FOI "not held"; parties that were not
consulted (delivery partners, reporting channels...) have headings of their own; the sources are
one numbered list, one item per number, with each source's date and address.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from db import models
from db.enums import (
    COUNTS_AS_CONSULTED,
    DEFINITIONS,
    Confidence,
    ConsultationRole,
    CoverageStatus,
    DatePrecision,
    DocumentRelationKind,
    FoiOutcome,
    VerificationStatus,
)

NO_RECORD = "The register holds no record either way."
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
RELATION_WORDS = {
    DocumentRelationKind.SUPERSEDES: "Supersedes",
    DocumentRelationKind.REFRESHES: "Refreshes",
    DocumentRelationKind.CITES: "Cites",
    DocumentRelationKind.TAKES_INTO_ACCOUNT: "Took into account",
    DocumentRelationKind.IMPLEMENTS: "Implements",
    DocumentRelationKind.ACCORDS_WITH: "Says it is in accordance with",
    DocumentRelationKind.RESPONDS_TO: "Responds to",
}
# How a consulted party's role reads in the list of who was consulted.
CONSULTED_WORDS = {
    ConsultationRole.CONSULTED: "consulted",
    ConsultationRole.ADVISOR: "adviser",
    ConsultationRole.PARTNER: "partner in writing the document",
    ConsultationRole.CO_DEVELOPER: "the document was developed alongside them",
    ConsultationRole.REVIEWER: "reviewer",
    ConsultationRole.SUBMITTED_WRITTEN_EVIDENCE: "submitted written evidence",
    ConsultationRole.GAVE_ORAL_EVIDENCE: "gave oral evidence",
}
# The other parts a source records, each under a heading of its own, in this order.
OTHER_PARTS: dict[ConsultationRole, tuple[str, str]] = {
    ConsultationRole.AUTHOR: (
        "Author",
        "Named as the document's author (or its author or reviewer); an author is not counted "
        "as consulted on it.",
    ),
    ConsultationRole.REQUESTED_CHANGE: (
        "Changes made at a party's request",
        "A version of the document was changed at their request; this is not counted as "
        "consultation on it.",
    ),
    ConsultationRole.OVERSIGHT: (
        "Oversight",
        "Named as overseeing the document or the work it governs; this is not counted as "
        "consultation on it.",
    ),
    ConsultationRole.DELIVERY_PARTNER: (
        "Partners in delivery",
        "They work with the authority on delivering what the document covers, not on the "
        "document itself; the sources do not say they were consulted on it.",
    ),
    ConsultationRole.REPORTING_CHANNEL: (
        "Reporting channels",
        "Activity under the document is reported through or to them; the sources do not say "
        "they were consulted on it.",
    ),
    ConsultationRole.INVITED: (
        "Invited",
        "Invited to contribute; whether they took part is not recorded.",
    ),
}
OUTCOME_WORDS = {
    FoiOutcome.INFORMATION_PROVIDED: "information provided",
    FoiOutcome.PROVIDED_OUTSIDE_ACT: "provided outside the Act",
    FoiOutcome.NOT_HELD: "not held",
    FoiOutcome.PARTIAL: "partly provided",
    FoiOutcome.REFUSED: "refused",
}
# Assessment kinds spelled out the first (and only) time each is named.
ASSESSMENT_NAMES = {
    "PSED": "Public Sector Equality Duty (PSED) assessment",
    "EIA": "Equality Impact Assessment (EIA)",
    "DPIA": "Data Protection Impact Assessment (DPIA)",
}
INFERRED_NOTE = (
    "“(inferred)” after a citation means the source does not say this in so many words: it is "
    "the register's reading of the passage cited."
)
DISPUTED_NOTE = "“(disputed)” after a citation means the sources disagree about it."
NO_RECORD_NOTE = (
    f"Where it says “{NO_RECORD.rstrip('.')}”, the register's sources say nothing on the "
    "point; that is not a finding that something did or did not happen."
)


@dataclass(frozen=True)
class RequestFacts:
    """An FOI request about the document, as the answer's account of where it comes from."""

    request: models.FoiRequest
    authority: models.Organisation
    response: models.Document | None
    questions: Sequence[models.FoiQuestion]
    evidence: Sequence[models.Evidence]  # of the response's RESPONDS_TO relation


@dataclass(frozen=True)
class GapFacts:
    """A group left out: its status, why it was expected, and the evidence both ways."""

    group: models.StakeholderGroup
    status: CoverageStatus
    expectations: Sequence[models.Expectation]
    absences: Sequence[models.Absence]
    consultations: Sequence[models.Consultation]


@dataclass(frozen=True)
class AnswerFacts:
    document: models.Document
    publisher: models.Organisation | None
    versions: Sequence[models.DocumentVersion]
    requests: Sequence[RequestFacts]
    consultations: Sequence[models.Consultation]
    organisations: dict[int, models.Organisation]
    evidence: dict[tuple[str, int], list[models.Evidence]]  # (claim column, claim id) -> rows
    gaps: Sequence[GapFacts]
    assessments: Sequence[models.ImpactAssessment]
    relations: Sequence[models.DocumentRelation]  # what the document cites, refreshes...
    sources: dict[int, models.Document]
    source_versions: dict[int, list[models.DocumentVersion]]


# ---------------------------------------------------------------- words


def escape(text: str) -> str:
    """Register text as literal CommonMark inline text, whitespace runs as one space."""
    text = " ".join(text.split())
    text = re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", text)  # a backslash before punctuation
    text = re.sub(r"([`*_\[\]<>])", r"\\\1", text)
    return re.sub(r"&(?=#?\w+;)", r"\\&", text)


def when(day: dt.date | None, precision: DatePrecision) -> str | None:
    if day is None:
        return None
    if precision is DatePrecision.YEAR:
        return str(day.year)
    if precision is DatePrecision.MONTH:
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def numbers(values: Sequence[int]) -> str:
    """[1, 2, 3, 5] as "1-3 and 5", with an en dash."""
    runs: list[list[int]] = []
    for value in sorted(values):
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return listing([str(r[0]) if len(r) == 1 else f"{r[0]}\u2013{r[-1]}" for r in runs])


def listing(parts: Sequence[str]) -> str:
    """["a", "b", "c"] as "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", "”", '"')) else text + "."


# ---------------------------------------------------------------- citations


@dataclass
class Entry:
    """One numbered source: a passage at a place in a source document."""

    source_id: int
    locator: str
    quote: str  # whitespace collapsed
    verification: VerificationStatus = VerificationStatus.VERIFIED
    url: str | None = None  # where an unverified quote was read, and when
    read_on: dt.date | None = None


@dataclass
class Citations:
    """Numbers each cited passage once, in the order first cited. Two quotes of the same place
    where one holds the other (the same sentence, quoted alone and within its paragraph) share
    one number, and the list shows the longer."""

    entries: list[Entry] = field(default_factory=list)
    used: set[Confidence] = field(default_factory=set)

    def number(self, row: models.Evidence) -> int:
        quote = " ".join(row.quote.split())
        for n, entry in enumerate(self.entries, 1):
            if entry.source_id != row.source_id or entry.locator != row.locator:
                continue
            if quote in entry.quote:
                return n
            if entry.quote in quote:
                entry.quote = quote
                entry.verification, entry.url, entry.read_on = _checked(row)
                return n
        self.entries.append(Entry(row.source_id, row.locator, quote, *_checked(row)))
        return len(self.entries)

    def cite(self, evidence: Sequence[models.Evidence]) -> str:
        """ "[1][2]", "[3] (inferred)", or "[1][2]; [3] (inferred)" for a mix."""
        by_confidence: dict[Confidence, list[int]] = {}
        seen: set[int] = set()
        for row in evidence:
            n = self.number(row)
            if n not in seen:
                seen.add(n)
                by_confidence.setdefault(row.confidence, []).append(n)
        parts = []
        for confidence in Confidence:
            found = by_confidence.get(confidence)
            if not found:
                continue
            marks = "".join(f"[{n}]" for n in found)
            if confidence is not Confidence.STATED:
                self.used.add(confidence)
                marks += f" ({confidence.value.lower()})"
            parts.append(marks)
        return "; ".join(parts)


# ---------------------------------------------------------------- the answer


class Answer:
    """Builds the Markdown section by section; the notes on its terms go before the body."""

    def __init__(self, facts: AnswerFacts) -> None:
        self.facts = facts
        self.citations = Citations()
        self.no_record_used = False

    def cite(self, column: str, claim_id: int) -> str:
        return self.citations.cite(self.facts.evidence.get((column, claim_id), []))

    def name(self, organisation_id: int) -> str:
        organisation = self.facts.organisations[organisation_id]
        unnamed = "" if organisation.named else " (described, not named, in the source)"
        return f"**{escape(organisation.name)}**{unnamed}"

    def render(self) -> str:
        body = [
            *self.account(),
            *self.consulted(),
            *self.other_parts(),
            *self.left_out(),
            *self.drawn_on(),
            *self.assessments(),
        ]
        sources = self.sources()  # last: it lists every number the body used
        lines = [f"# Who was consulted on “{escape(self.facts.document.title)}”", ""]
        lines += [self.document_line(), "", self.reading_note(), "", *body, *sources]
        return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"

    def document_line(self) -> str:
        """The register's own record of the document: no citation, and plainly so."""
        document, facts = self.facts.document, self.facts
        publisher = escape(facts.publisher.name) if facts.publisher else "not recorded"
        line = f"As the register records it: publisher, {publisher};"
        date = when(document.published_on, document.published_precision)
        line += f" date, {date}." if date else " date of publication, not recorded."
        dated = [v for v in facts.versions if v.date is not None]
        if dated:
            listed = [f"{escape(v.label)} of {when(v.date, DatePrecision.DAY)}" for v in dated]
            line += f" Versions, as the document lists them: {listing(listed)}."
        return line

    def reading_note(self) -> str:
        # Written once the body is known, so it explains only the terms the answer uses.
        notes = [
            "This answer is drawn from the Footprint register. Each statement about the "
            "document is followed by the numbers of its sources, listed at the end with the "
            "passages quoted; a statement without a number is the register's own."
        ]
        if Confidence.INFERRED in self.citations.used:
            notes.append(INFERRED_NOTE)
        if Confidence.DISPUTED in self.citations.used:
            notes.append(DISPUTED_NOTE)
        if self.no_record_used:
            notes.append(NO_RECORD_NOTE)
        return " ".join(notes)

    def account(self) -> list[str]:
        if not self.facts.requests:
            return []
        lines = ["## Where this account comes from", ""]
        for found in self.facts.requests:
            lines += self.request(found)
        return [*lines, ""]

    def request(self, found: RequestFacts) -> list[str]:
        request = found.request
        text = (
            f"Freedom of Information request {escape(request.reference)}, about this document. "
            f"Authority: {escape(found.authority.name)}."
        )
        if found.response is not None:
            answered = when(request.responded_on, DatePrecision.DAY)
            text += f" Its response, “{escape(found.response.title)}”"
            text += f", is dated {answered}." if answered else "."
        cited = self.citations.cite(found.evidence)
        lines = [f"- {text} {cited}".rstrip()]
        outcomes: dict[FoiOutcome, list[int]] = {}
        for question in found.questions:
            outcomes.setdefault(question.outcome, []).append(question.number)
        if outcomes:
            # The register's own record of each outcome, in the words of its definition.
            said = "; ".join(
                f"{'question' if len(asked) == 1 else 'questions'} {numbers(asked)}, "
                f"{OUTCOME_WORDS[outcome]} ({DEFINITIONS[outcome][0].lower()}"
                f"{DEFINITIONS[outcome][1:].rstrip('.')})"
                for outcome, asked in outcomes.items()
            )
            lines.append(f"  - The register records the outcome of each question: {said}.")
        return lines

    def consulted(self) -> list[str]:
        lines = ["## Who was consulted, and in what role", ""]
        consulted = [c for c in self.facts.consultations if c.role in COUNTS_AS_CONSULTED]
        if not consulted:
            none = "The register records no consultation on this document."
            own = self.facts.document.id
            if any(row.source_id == own for rows in self.facts.evidence.values() for row in rows):
                none += " It quotes the document itself below, and records none from it."
            return [*lines, none, ""]
        for consultation in consulted:
            words = CONSULTED_WORDS[consultation.role]
            lines.append(
                f"- {self.name(consultation.organisation_id)}: {words}."
                f"{self.summary(consultation.summary)} "
                f"{self.cite('consultation_id', consultation.id)}"
            )
        return [*lines, ""]

    def summary(self, text: str | None) -> str:
        return f" {_sentence(escape(text))}" if text else ""

    def other_parts(self) -> list[str]:
        lines: list[str] = []
        for role, (heading, explained) in OTHER_PARTS.items():
            parts = [c for c in self.facts.consultations if c.role is role]
            if not parts:
                continue
            lines += [f"## {heading}", "", explained, ""]
            lines += [
                f"- {self.name(c.organisation_id)}.{self.summary(c.summary)} "
                f"{self.cite('consultation_id', c.id)}"
                for c in parts
            ]
            lines.append("")
        return lines

    def left_out(self) -> list[str]:
        lines = ["## Groups not shown to have been consulted", ""]
        if not self.facts.gaps:
            return [
                *lines,
                "No group is recorded as expected to be consulted on this document, or as "
                "shown not to have been.",
                "",
            ]
        for gap in self.facts.gaps:
            lines.append(f"- **{escape(gap.group.name)}**")
            for expectation in gap.expectations:
                lines.append(
                    f"  - Expected because: {_sentence(escape(expectation.reason))} "
                    f"{self.cite('expectation_id', expectation.id)}"
                )
            lines += [f"  - {line}" for line in self.shown(gap)]
        return [*lines, ""]

    def shown(self, gap: GapFacts) -> list[str]:
        """What the sources show of a group's consultation: both sides when they disagree."""
        if gap.status is CoverageStatus.NO_RECORD:
            self.no_record_used = True
            return [f"What the sources show: {NO_RECORD}"]
        lines = []
        if gap.status is CoverageStatus.CONTESTED:
            for c in gap.consultations:
                lines.append(
                    f"The sources disagree. One records {self.name(c.organisation_id)}, of this "
                    f"group, as {CONSULTED_WORDS[c.role]}.{self.summary(c.summary)} "
                    f"{self.cite('consultation_id', c.id)}"
                )
        for absence in gap.absences:
            lines.append(
                f"What the sources show: {_sentence(escape(absence.summary))} "
                f"{self.cite('absence_id', absence.id)}"
            )
        return lines

    def drawn_on(self) -> list[str]:
        lines = ["## What it draws on", ""]
        if not self.facts.relations:
            return [*lines, "The register records no document or research it draws on.", ""]
        for relation in self.facts.relations:
            target = escape(self.facts.sources[relation.target_id].title)
            cited = self.cite("relation_id", relation.id)
            lines.append(f"- {RELATION_WORDS[relation.kind]} “{target}”. {cited}")
        return [*lines, ""]

    def assessments(self) -> list[str]:
        lines = ["## Impact assessments", ""]
        if not self.facts.assessments:
            return [*lines, "The register records no impact assessment of this document.", ""]
        for assessment in self.facts.assessments:
            name = ASSESSMENT_NAMES.get(assessment.kind.upper(), escape(assessment.kind))
            text = f"- {name}: {'undertaken' if assessment.undertaken else 'not undertaken'}"
            if assessment.outcome:
                text += f", outcome {escape(assessment.outcome)}"
            dated = when(assessment.date, assessment.date_precision)
            if dated:
                text += f", {dated}"
            text += "."
            if assessment.reference:
                text += f" Kept at {escape(assessment.reference)}."
            text += self.summary(assessment.summary)
            lines.append(f"{text} {self.cite('impact_assessment_id', assessment.id)}")
        return [*lines, ""]

    def sources(self) -> list[str]:
        lines = ["## Sources", ""]
        for n, entry in enumerate(self.citations.entries, 1):
            lines.append(f"{n}. {self.entry(entry)}")
        return lines

    def entry(self, entry: Entry) -> str:
        """One source: the document, when and where it was published, the place and the
        passage. A caveat on the passage (such as one read from a web page and not checked
        against a stored copy) is one more clause in `caveats`."""
        clauses = [self.described(entry.source_id), escape(entry.locator)]
        caveats: list[str] = []
        if entry.verification is VerificationStatus.UNVERIFIED:
            if entry.url:
                read = when(entry.read_on, DatePrecision.DAY)
                caveats.append(
                    f"quoted from the web page at {_address(entry.url)}"
                    + (f", read on {read}" if read else "")
                )
            caveats.append("not checked against a stored copy")
        elif entry.verification is VerificationStatus.MISMATCH:
            caveats.append(
                "the text of this source stored since does not contain this quote: it has not "
                "been confirmed"
            )
        quoted = f"“{escape(entry.quote)}”"
        return ", ".join(clauses) + f": {quoted}" + "".join(f"; {c}" for c in caveats)

    def described(self, source_id: int) -> str:
        source = self.facts.sources[source_id]
        about = []
        if source.publisher_id is not None and source.publisher_id in self.facts.organisations:
            about.append(escape(self.facts.organisations[source.publisher_id].name))
        dated = when(source.published_on, source.published_precision)
        if dated is None:
            versions = [v for v in self.facts.source_versions.get(source_id, []) if v.date]
            if versions:
                latest = versions[-1]
                dated = f"version {escape(latest.label)} of {when(latest.date, DatePrecision.DAY)}"
        if dated:
            about.append(dated)
        if source.url:
            about.append(_address(source.url))
        described = f"*{escape(source.title)}*"
        return described + (f" ({', '.join(about)})" if about else "")


def _checked(row: models.Evidence) -> tuple[VerificationStatus, str | None, dt.date | None]:
    return row.verification, row.url, row.read_on


def _address(url: str) -> str:
    # An address with spaces (as some extracted texts print them) cannot be an autolink.
    return f"<{url}>" if re.fullmatch(r"https?://[^\s<>]+", url) else escape(url)


def render(facts: AnswerFacts) -> str:
    """The Markdown answer; the same facts always give the same text."""
    return Answer(facts).render()
