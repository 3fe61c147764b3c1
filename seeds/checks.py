"""Checks across the seed data files: unique keys, known slugs, quotes found in their sources."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from db import rules
from db.rules import Rule
from seeds.quotes import SourceTexts
from seeds.records import (
    DocumentRecord,
    EvidenceRecord,
    FoiRequestRecord,
    Origin,
    Ref,
    SeedData,
)


@dataclass(frozen=True)
class Known:
    """The records already in the database that the files may name without holding them."""

    groups: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    texts: Mapping[str, str] = field(default_factory=dict)  # stored full texts, by document


NOTHING_KNOWN = Known()


def find_problems(data: SeedData, known: Known = NOTHING_KNOWN) -> list[str]:
    """Every problem in the data that no single record shows, as `file:line: message`, each
    with the code of the rule it breaks (db/rules.py)."""
    return Checker(data, known).run()


class Checker:
    def __init__(self, data: SeedData, known: Known = NOTHING_KNOWN) -> None:
        self.data = data
        self.problems: list[str] = []
        self.groups = {group.slug for group in data.groups} | known.groups
        self.organisations = {o.slug for o in data.organisations} | known.organisations
        self.documents = {document.slug for document in data.documents} | known.documents
        self.topics = {topic.slug for topic in data.topics} | known.topics
        self.texts = SourceTexts(
            {
                **known.texts,
                **{d.slug: d.text.content for d in data.documents if d.text},
            }
        )

    def run(self) -> list[str]:
        data = self.data
        slug = rules.SLUG_TAKEN
        self.unique("group slug", ((group.slug, group.origin) for group in data.groups), slug)
        self.unique(
            "organisation slug",
            ((organisation.slug, organisation.origin) for organisation in data.organisations),
            slug,
        )
        self.unique(
            "document slug",
            ((document.slug, document.origin) for document in data.documents),
            slug,
        )
        self.unique("topic slug", ((topic.slug, topic.origin) for topic in data.topics), slug)
        for organisation in data.organisations:
            self.unique(
                "alias",
                ((alias, organisation.origin) for alias in organisation.aliases),
                rules.DUPLICATE_ALIAS,
            )
            refs = [membership.group for membership in organisation.groups]
            self.unique(
                "group", ((ref.slug, ref.origin) for ref in refs), rules.DUPLICATE_MEMBERSHIP
            )
            for ref in refs:
                self.known(ref, self.groups, "stakeholder group")
            merge = organisation.merged_into
            if (
                merge
                and self.known(merge.organisation, self.organisations, "organisation")
                and merge.organisation.slug == organisation.slug
            ):
                self.problems.append(
                    merge.organisation.origin.problem(
                        "an organisation cannot be merged into itself", rules.MERGED_INTO_ITSELF
                    )
                )
        self.unique(
            "FOI request",
            (((r.authority.slug, r.reference), r.origin) for r in data.foi_requests),
            rules.DUPLICATE_FOI_REQUEST,
        )
        for document in data.documents:
            self.check_document(document)
        for request in data.foi_requests:
            self.check_foi_request(request)
        return self.problems

    def check_document(self, document: DocumentRecord) -> None:
        if document.publisher:
            self.known(document.publisher, self.organisations, "organisation")
        self.unique(
            "version label",
            ((v.label, v.origin) for v in document.versions),
            rules.DUPLICATE_VERSION,
        )
        self.unique(
            "principle position",
            ((p.position, p.origin) for p in document.principles),
            rules.DUPLICATE_PRINCIPLE,
        )
        for principle in document.principles:
            if principle.position < 1:
                self.problems.append(
                    principle.origin.problem("positions start at 1", rules.POSITION_RANGE)
                )
            self.unique(
                "influence",
                (((i.organisation.slug, i.effect), i.origin) for i in principle.influences),
                rules.DUPLICATE_INFLUENCE,
            )
            for influence in principle.influences:
                self.known(influence.organisation, self.organisations, "organisation")
                self.check_evidence(influence.evidence)
            self.check_topics(principle.topics)
        self.unique(
            "relation",
            (((r.kind, r.target.slug), r.origin) for r in document.relations),
            rules.DUPLICATE_RELATION,
        )
        for relation in document.relations:
            self.known(relation.target, self.documents, "document")
            if relation.target.slug == document.slug:
                self.problems.append(
                    relation.origin.problem(
                        "a document cannot relate to itself", rules.RELATION_TO_ITSELF
                    )
                )
            self.check_evidence(relation.evidence)
        self.unique(
            "consultation",
            (((c.organisation.slug, c.role), c.origin) for c in document.consultations),
            rules.DUPLICATE_CONSULTATION,
        )
        for consultation in document.consultations:
            self.known(consultation.organisation, self.organisations, "organisation")
            self.check_evidence(consultation.evidence)
        self.unique(
            "impact assessment kind",
            ((a.kind, a.origin) for a in document.impact_assessments),
            rules.DUPLICATE_IMPACT_ASSESSMENT,
        )
        for assessment in document.impact_assessments:
            self.check_evidence(assessment.evidence)
        self.unique(
            "expectation",
            (
                (
                    (e.group and e.group.slug, e.organisation and e.organisation.slug, e.basis),
                    e.origin,
                )
                for e in document.expectations
            ),
            rules.DUPLICATE_EXPECTATION,
        )
        for expectation in document.expectations:
            if expectation.group:
                self.known(expectation.group, self.groups, "stakeholder group")
            if expectation.organisation:
                self.known(expectation.organisation, self.organisations, "organisation")
            self.check_evidence(expectation.evidence)
        self.check_topics(document.topics)
        self.check_omissions(document)
        self.check_absences(document)

    def check_topics(self, topics: Iterable[Ref]) -> None:
        topics = list(topics)
        self.unique("topic", ((ref.slug, ref.origin) for ref in topics), rules.DUPLICATE_TOPIC)
        for ref in topics:
            self.known(ref, self.topics, "topic")

    def check_omissions(self, document: DocumentRecord) -> None:
        omissions = document.topics_not_covered
        self.unique(
            "topic not covered",
            ((o.topic.slug, o.origin) for o in omissions),
            rules.DUPLICATE_OMISSION,
        )
        # A topic the document or one of its principles covers cannot also be left out.
        covered = {ref.slug for ref in document.topics} | {
            ref.slug for principle in document.principles for ref in principle.topics
        }
        for omission in omissions:
            self.known(omission.topic, self.topics, "topic")
            if omission.topic.slug in covered:
                self.problems.append(
                    omission.topic.origin.problem(
                        f"topic '{omission.topic.slug}' is both covered and not covered"
                        f" by '{document.slug}'",
                        rules.COVERED_AND_OMITTED,
                    )
                )
            self.check_evidence(omission.evidence)

    def check_absences(self, document: DocumentRecord) -> None:
        self.unique(
            "absence",
            (
                ((a.group and a.group.slug, a.organisation and a.organisation.slug), a.origin)
                for a in document.absences
            ),
            rules.DUPLICATE_ABSENCE,
        )
        for absence in document.absences:
            if absence.group:
                self.known(absence.group, self.groups, "stakeholder group")
            if absence.organisation:
                self.known(absence.organisation, self.organisations, "organisation")
            self.check_evidence(absence.evidence)

    def check_foi_request(self, request: FoiRequestRecord) -> None:
        self.known(request.authority, self.organisations, "organisation")
        for ref in (request.subject, request.response):
            if ref:
                self.known(ref, self.documents, "document")
        self.unique(
            "question number",
            ((q.number, q.origin) for q in request.questions),
            rules.DUPLICATE_FOI_QUESTION,
        )
        response = request.response
        if response is None or not self.texts.has_text(response.slug):
            return
        # The questions and answers are copied from the response, so its text must hold them.
        for question in request.questions:
            for part, words in (("question", question.text), ("answer", question.answer)):
                if words and not self.texts.contains(response.slug, words):
                    self.problems.append(
                        question.origin.problem(
                            f"the text of {part} {question.number} is not found in the stored"
                            f" text of '{response.slug}'"
                        )
                    )

    def check_evidence(self, evidence: Iterable[EvidenceRecord]) -> None:
        evidence = list(evidence)
        self.unique(
            "evidence",
            (((e.source.slug, e.locator, e.quote), e.origin) for e in evidence),
            rules.DUPLICATE_EVIDENCE,
        )
        for entry in evidence:
            if not self.known(entry.source, self.documents, "document"):
                continue
            if self.texts.has_text(entry.source.slug) and not self.texts.contains(
                entry.source.slug, entry.quote
            ):
                self.problems.append(
                    entry.origin.problem(
                        f"quote not found in the stored text of '{entry.source.slug}':"
                        f" {entry.quote[:60]!r}",
                        rules.QUOTE_NOT_IN_SOURCE,
                    )
                )

    def known(self, ref: Ref, slugs: set[str], what: str) -> bool:
        if ref.slug in slugs:
            return True
        self.problems.append(
            ref.origin.problem(f"unknown {what} '{ref.slug}'", rules.UNKNOWN_REFERENCE)
        )
        return False

    def unique(self, what: str, keyed: Iterable[tuple[Hashable, Origin]], rule: Rule) -> None:
        first: dict[Hashable, Origin] = {}
        for key, origin in keyed:
            if key in first:
                earlier = first[key]
                self.problems.append(
                    origin.problem(
                        f"duplicate {what} {describe(key)}"
                        f" (first at {earlier.file}:{earlier.line})",
                        rule,
                    )
                )
            else:
                first[key] = origin


def describe(key: Hashable) -> str:
    """A key as a short readable label: 'home-office / CONSULTED'."""
    parts = key if isinstance(key, tuple) else (key,)
    label = " / ".join(str(part) for part in parts if part is not None)
    return repr(label if len(label) <= 80 else label[:77] + "...")
