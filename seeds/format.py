"""Reading the seed data files (the format `seeds/data/README.md` describes) into records.

`read_seed_data` reads every file, checks it (see `seeds.checks`) and raises one
`SeedError` listing every problem found, each with its file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from yaml.nodes import Node, ScalarNode

from db import rules
from db.enums import (
    Confidence,
    ConsultationRole,
    DocumentKind,
    DocumentRelationKind,
    ExpectationBasis,
    FoiOutcome,
    Formality,
    InfluenceEffect,
    MembershipBasis,
    VerificationStatus,
)
from seeds.checks import NOTHING_KNOWN, Known, find_problems
from seeds.errors import SeedError
from seeds.records import (
    AbsenceRecord,
    ConsultationRecord,
    DocumentRecord,
    EvidenceRecord,
    ExpectationRecord,
    FoiQuestionRecord,
    FoiRequestRecord,
    GroupRecord,
    ImpactAssessmentRecord,
    InfluenceRecord,
    MembershipRecord,
    MergedInto,
    OmissionRecord,
    OrganisationRecord,
    PrincipleRecord,
    Ref,
    RelationRecord,
    SeedData,
    TextRecord,
    TopicRecord,
    VersionRecord,
)
from seeds.yaml_reader import NULL_TAG, SLUG, Fields, Reader

T = TypeVar("T")

DATA_DIR = Path(__file__).parent / "data"
GROUPS_FILE = "groups.yaml"
ORGANISATIONS_FILE = "organisations.yaml"
TOPICS_FILE = "topics.yaml"
# Optional: a register that tracks no FOI requests needs no such file.
FOI_REQUESTS_FILE = "foi_requests.yaml"
DOCUMENTS_DIR = "documents"
# Fields every record may carry: `draft: true`, `retracted: {at, reason}`.
STANDING = ("draft", "retracted")


def read_seed_data(data_dir: Path = DATA_DIR, known: Known = NOTHING_KNOWN) -> SeedData:
    """Read and check every data file; raise `SeedError` with every problem found.

    The files may name records they do not hold that are in `known` (already in the database).
    """
    data, problems = read_seed_files(data_dir)
    problems.extend(find_problems(data, known))
    if problems:
        raise SeedError(problems)
    return data


def read_seed_files(
    data_dir: Path = DATA_DIR, *, partial: bool = False
) -> tuple[SeedData, list[str]]:
    """Every record the files hold, and the problems each file shows on its own.

    A `partial` folder (an import of new records beside those in the database) may leave out
    the groups, organisations and topics files."""

    def compose(reader: Reader, name: str) -> Node | None:
        if partial and not (data_dir / name).exists():
            return None
        return reader.compose(data_dir / name)

    groups_reader = Reader(GROUPS_FILE)
    groups: list[GroupRecord] = []
    root = compose(groups_reader, GROUPS_FILE)
    if root is not None:
        read_groups(groups_reader, groups_reader.items(root, "the groups"), None, groups)

    organisations_reader = Reader(ORGANISATIONS_FILE)
    root = compose(organisations_reader, ORGANISATIONS_FILE)
    organisations = [] if root is None else read_organisations(organisations_reader, root)

    topics_reader = Reader(TOPICS_FILE)
    root = compose(topics_reader, TOPICS_FILE)
    topics = [] if root is None else read_topics(topics_reader, root)

    requests_reader = Reader(FOI_REQUESTS_FILE)
    requests: list[FoiRequestRecord] = []
    if (data_dir / FOI_REQUESTS_FILE).exists():
        root = requests_reader.compose(data_dir / FOI_REQUESTS_FILE)
        requests = [] if root is None else read_foi_requests(requests_reader, root)

    problems = [
        *groups_reader.problems,
        *organisations_reader.problems,
        *topics_reader.problems,
        *requests_reader.problems,
    ]
    documents: list[DocumentRecord] = []
    for path in sorted((data_dir / DOCUMENTS_DIR).glob("*.yaml")):
        reader = Reader(path.relative_to(data_dir).as_posix())
        root = reader.compose(path)
        document = None if root is None else read_document(reader, root, data_dir)
        if document is not None:
            documents.append(document)
        problems.extend(reader.problems)

    data = SeedData(
        tuple(groups), tuple(organisations), tuple(documents), tuple(topics), tuple(requests)
    )
    return data, problems


def read_groups(
    reader: Reader, items: list[Node], parent: str | None, into: list[GroupRecord]
) -> None:
    """Append the groups of one level of the tree, each followed by its descendants."""
    for position, item in enumerate(items, start=1):
        fields = reader.fields(
            item, "a group", ("slug", "name"), ("description", "children", *STANDING)
        )
        if fields is None:
            continue
        slug, name, description = (
            fields.slug("slug"),
            fields.text("name"),
            fields.text("description"),
        )
        if slug is not None and name is not None:
            into.append(
                GroupRecord(
                    slug,
                    name,
                    description,
                    parent,
                    position,
                    fields.origin,
                    fields.standing(),
                    fields.absent("description"),
                )
            )
        # Children of a broken group are still read, so that their problems show too.
        read_groups(reader, fields.items("children"), slug, into)


def read_organisations(reader: Reader, node: Node) -> list[OrganisationRecord]:
    organisations = []
    for item in reader.items(node, "the organisations"):
        fields = reader.fields(
            item,
            "an organisation",
            ("slug", "name"),
            ("named", "aliases", "groups", "description", "url", "merged_into", *STANDING),
        )
        if fields is None:
            continue
        slug, name = fields.slug("slug"), fields.text("name")
        named = fields.boolean("named", default=True)
        aliases, groups = fields.texts("aliases"), read_memberships(reader, fields)
        description, url = fields.text("description"), fields.text("url")
        merged_into = read_merged_into(fields)
        if slug is None or name is None or named is None or aliases is None or groups is None:
            continue
        organisations.append(
            OrganisationRecord(
                slug,
                name,
                named,
                aliases,
                groups,
                description,
                url,
                fields.origin,
                fields.standing(),
                merged_into,
                fields.absent("named", "description", "url"),
            )
        )
    return organisations


def read_memberships(reader: Reader, fields: Fields) -> tuple[MembershipRecord, ...] | None:
    """`groups`: each a slug (a source says it), or `{group, basis, note}` for a membership no
    source states, whose note says where it comes from."""
    memberships: list[MembershipRecord | None] = []
    for item in fields.items("groups"):
        if isinstance(item, ScalarNode):
            if item.tag == NULL_TAG or not SLUG.fullmatch(item.value):
                reader.problem(item, "each entry of 'groups' must be a slug or a mapping")
                memberships.append(None)
            else:
                memberships.append(MembershipRecord(Ref(item.value, reader.origin(item))))
            continue
        entry = reader.fields(item, "a group membership", ("group", "basis", "note"))
        if entry is None:
            memberships.append(None)
            continue
        group, basis = entry.ref("group"), entry.choice("basis", MembershipBasis)
        note = entry.text("note")
        if group is None or basis is None or note is None:
            memberships.append(None)
            continue
        memberships.append(MembershipRecord(group, basis, note))
    return _all(memberships)


def read_merged_into(fields: Fields) -> MergedInto | None:
    merge = fields.nested("merged_into", "the merge of an organisation", ("organisation", "at"), ())
    if merge is None:
        return None
    organisation, at = merge.ref("organisation"), merge.timestamp("at")
    return None if organisation is None or at is None else MergedInto(organisation, at)


def read_topics(reader: Reader, node: Node) -> list[TopicRecord]:
    topics = []
    for item in reader.items(node, "the topics"):
        fields = reader.fields(item, "a topic", ("slug", "name"), ("description", *STANDING))
        if fields is None:
            continue
        slug, name, description = (
            fields.slug("slug"),
            fields.text("name"),
            fields.text("description"),
        )
        if slug is not None and name is not None:
            topics.append(
                TopicRecord(
                    slug,
                    name,
                    description,
                    fields.origin,
                    fields.standing(),
                    fields.absent("description"),
                )
            )
    return topics


def read_document(reader: Reader, node: Node, data_dir: Path) -> DocumentRecord | None:
    fields = reader.fields(
        node,
        "the document",
        ("slug", "title", "kind"),
        (
            "formality",
            "publisher",
            "published",
            "review_due",
            "url",
            "summary",
            "text",
            "versions",
            "principles",
            "relations",
            "consultations",
            "impact_assessments",
            "expectations",
            "topics",
            "topics_not_covered",
            "absences",
            *STANDING,
        ),
    )
    if fields is None:
        return None
    slug, title = fields.slug("slug"), fields.text("title")
    if slug is not None and Path(reader.file).name != f"{slug}.yaml":
        # One file per document, named by its slug, so that an export rewrites the same files.
        reader.problem(fields.values["slug"], f"the file of document '{slug}' must be {slug}.yaml")
    kind = fields.choice("kind", DocumentKind)
    formality = fields.choice("formality", Formality, default=Formality.UNKNOWN)
    publisher = fields.ref("publisher")
    published, review_due = fields.partial_date("published"), fields.partial_date("review_due")
    url, summary = fields.text("url"), fields.text("summary")
    text = read_text(fields, data_dir)
    versions = _all([read_version(reader, item) for item in fields.items("versions")])
    principles = _all([read_principle(reader, item) for item in fields.items("principles")])
    relations = _all([read_relation(reader, item) for item in fields.items("relations")])
    consultations = _all(
        [read_consultation(reader, item) for item in fields.items("consultations")]
    )
    assessments = _all(
        [read_impact_assessment(reader, item) for item in fields.items("impact_assessments")]
    )
    expectations = _all([read_expectation(reader, item) for item in fields.items("expectations")])
    topics = fields.refs("topics")
    omissions = _all([read_omission(reader, item) for item in fields.items("topics_not_covered")])
    absences = _all([read_absence(reader, item) for item in fields.items("absences")])
    if (
        slug is None
        or title is None
        or kind is None
        or formality is None
        or versions is None
        or principles is None
        or relations is None
        or consultations is None
        or assessments is None
        or expectations is None
        or topics is None
        or omissions is None
        or absences is None
    ):
        return None
    return DocumentRecord(
        slug=slug,
        title=title,
        kind=kind,
        formality=formality,
        publisher=publisher,
        published=published,
        review_due=review_due,
        url=url,
        summary=summary,
        text=text,
        versions=versions,
        principles=principles,
        relations=relations,
        consultations=consultations,
        impact_assessments=assessments,
        expectations=expectations,
        topics=topics,
        topics_not_covered=omissions,
        absences=absences,
        origin=fields.origin,
        standing=fields.standing(),
        absent=fields.absent("formality", "publisher", "published", "review_due", "url", "summary"),
    )


def _all(records: list[T | None]) -> tuple[T, ...] | None:
    """The records, or None if any could not be read (its problem is already reported)."""
    present = [record for record in records if record is not None]
    return tuple(present) if len(present) == len(records) else None


def read_text(fields: Fields, data_dir: Path) -> TextRecord | None:
    text = fields.nested("text", "the document's text", ("file",), ("note", "pages"))
    if text is None:
        return None
    name = text.text("file")
    if name is None:
        return None
    path = (data_dir / name).resolve()
    if not path.is_relative_to(data_dir.resolve()):
        text.reader.problem(text.values["file"], f"text file '{name}' is outside the data folder")
        return None
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        text.reader.problem(text.values["file"], f"text file '{name}' not found")
        return None
    except UnicodeDecodeError as error:
        text.reader.problem(text.values["file"], f"text file '{name}' is not UTF-8: {error}")
        return None
    reported = len(text.reader.problems)
    pages = read_pages(text, len(content))
    if len(text.reader.problems) > reported:
        return None
    return TextRecord(name, content, text.text("note"), text.origin, pages)


def read_pages(text: Fields, length: int) -> tuple[int, ...] | None:
    """The offsets the text's pages start at: 0 first, then rising, each within the text;
    None where the file gives none or they are wrong (reported)."""
    node = text.values.get("pages")
    if node is None:
        return None
    pages: list[int] = []
    for item in text.reader.items(node, "'pages' in the document's text"):
        value = item.value if isinstance(item, ScalarNode) else ""
        if not isinstance(value, str) or not value.isdigit():
            text.reader.problem(item, "each entry of 'pages' must be a whole number")
            return None
        pages.append(int(value))
    if not pages or pages[0] != 0 or pages != sorted(set(pages)) or pages[-1] > length:
        text.reader.problem(
            node, "'pages' must start at 0 and rise, each within the text (in characters)"
        )
        return None
    return tuple(pages)


def read_evidence(reader: Reader, fields: Fields) -> tuple[EvidenceRecord, ...] | None:
    """The claim's evidence; a claim that lists evidence must list at least one."""
    reported = len(reader.problems)
    items = fields.items("evidence")
    if "evidence" in fields.values and not items and len(reader.problems) == reported:
        reader.problem(
            fields.values["evidence"],
            f"{fields.what} needs at least one evidence",
            rules.EVIDENCE_REQUIRED,
        )
        return None
    evidence: list[EvidenceRecord | None] = []
    for item in items:
        entry = reader.fields(
            item,
            "an evidence",
            ("source", "locator", "quote", "confidence"),
            ("url", "read_on", "verification", *STANDING),
        )
        if entry is None:
            evidence.append(None)
            continue
        source, locator, quote = entry.ref("source"), entry.text("locator"), entry.text("quote")
        confidence = entry.choice("confidence", Confidence)
        if source is None or locator is None or quote is None or confidence is None:
            evidence.append(None)
            continue
        # Problems with a quote point at the quote, the line an editor has to mend.
        origin = reader.origin(entry.values["quote"])
        evidence.append(
            EvidenceRecord(
                source,
                locator,
                quote,
                confidence,
                origin,
                entry.standing(),
                entry.text("url"),
                entry.date("read_on"),
                entry.choice("verification", VerificationStatus) is VerificationStatus.MISMATCH,
            )
        )
    return _all(evidence)


def claim_evidence(reader: Reader, fields: Fields) -> tuple[EvidenceRecord, ...] | None:
    """A claim's evidence, required unless the claim is retracted: merging two organisations
    moves a duplicate claim's evidence onto the claim it folds into."""
    if "evidence" not in fields.values and "retracted" not in fields.values:
        reader.problem(
            fields.node,
            f"{fields.what} is missing the required field 'evidence'",
            rules.EVIDENCE_REQUIRED,
        )
        return None
    return read_evidence(reader, fields)


def read_version(reader: Reader, node: Node) -> VersionRecord | None:
    fields = reader.fields(node, "a version", ("label",), ("date", "changes", "author", *STANDING))
    if fields is None:
        return None
    label, date = fields.text("label"), fields.date("date")
    changes, author = fields.text("changes"), fields.text("author")
    if label is None:
        return None
    return VersionRecord(
        label,
        date,
        changes,
        author,
        fields.origin,
        fields.standing(),
        fields.absent("date", "changes", "author"),
    )


def read_principle(reader: Reader, node: Node) -> PrincipleRecord | None:
    fields = reader.fields(
        node, "a principle", ("position", "text"), ("title", "influences", "topics", *STANDING)
    )
    if fields is None:
        return None
    position, text, title = fields.integer("position"), fields.text("text"), fields.text("title")
    influences = _all([read_influence(reader, item) for item in fields.items("influences")])
    topics = fields.refs("topics")
    if position is None or text is None or influences is None or topics is None:
        return None
    return PrincipleRecord(
        position,
        title,
        text,
        influences,
        topics,
        fields.origin,
        fields.standing(),
        fields.absent("title"),
    )


def read_influence(reader: Reader, node: Node) -> InfluenceRecord | None:
    fields = reader.fields(
        node, "an influence", ("organisation", "effect"), ("summary", "evidence", *STANDING)
    )
    if fields is None:
        return None
    organisation = fields.ref("organisation")
    effect, summary = fields.choice("effect", InfluenceEffect), fields.text("summary")
    evidence = claim_evidence(reader, fields)
    if organisation is None or effect is None or evidence is None:
        return None
    return InfluenceRecord(
        organisation,
        effect,
        summary,
        evidence,
        fields.origin,
        fields.standing(),
        fields.absent("summary"),
    )


def read_relation(reader: Reader, node: Node) -> RelationRecord | None:
    fields = reader.fields(node, "a relation", ("kind", "target"), ("note", "evidence", *STANDING))
    if fields is None:
        return None
    kind, target = fields.choice("kind", DocumentRelationKind), fields.ref("target")
    note, evidence = fields.text("note"), claim_evidence(reader, fields)
    if kind is None or target is None or evidence is None:
        return None
    return RelationRecord(
        kind, target, note, evidence, fields.origin, fields.standing(), fields.absent("note")
    )


def read_consultation(reader: Reader, node: Node) -> ConsultationRecord | None:
    fields = reader.fields(
        node, "a consultation", ("organisation", "role"), ("summary", "evidence", *STANDING)
    )
    if fields is None:
        return None
    organisation = fields.ref("organisation")
    role, summary = fields.choice("role", ConsultationRole), fields.text("summary")
    evidence = claim_evidence(reader, fields)
    if organisation is None or role is None or evidence is None:
        return None
    return ConsultationRecord(
        organisation,
        role,
        summary,
        evidence,
        fields.origin,
        fields.standing(),
        fields.absent("summary"),
    )


def read_impact_assessment(reader: Reader, node: Node) -> ImpactAssessmentRecord | None:
    fields = reader.fields(
        node,
        "an impact assessment",
        ("kind", "undertaken"),
        ("outcome", "date", "reference", "summary", "evidence", *STANDING),
    )
    if fields is None:
        return None
    kind, undertaken = fields.text("kind"), fields.boolean("undertaken")
    outcome, date = fields.text("outcome"), fields.partial_date("date")
    reference, evidence = fields.text("reference"), claim_evidence(reader, fields)
    if kind is None or undertaken is None or evidence is None:
        return None
    return ImpactAssessmentRecord(
        kind,
        undertaken,
        outcome,
        date,
        reference,
        evidence,
        fields.origin,
        fields.standing(),
        fields.text("summary"),
        fields.absent("outcome", "date", "reference", "summary"),
    )


def read_expectation(reader: Reader, node: Node) -> ExpectationRecord | None:
    fields = reader.fields(
        node,
        "an expectation",
        ("basis", "reason"),
        ("group", "organisation", "evidence", *STANDING),
    )
    if fields is None:
        return None
    group, organisation = fields.ref("group"), fields.ref("organisation")
    basis, reason = fields.choice("basis", ExpectationBasis), fields.text("reason")
    evidence = claim_evidence(reader, fields)
    if (group is None) == (organisation is None):
        reader.problem(
            node,
            "an expectation names exactly one of 'group' and 'organisation'",
            rules.PARTY_REQUIRED,
        )
        return None
    if basis is None or reason is None or evidence is None:
        return None
    return ExpectationRecord(
        group, organisation, basis, reason, evidence, fields.origin, fields.standing()
    )


def read_omission(reader: Reader, node: Node) -> OmissionRecord | None:
    fields = reader.fields(
        node, "a topic not covered", ("topic",), ("summary", "evidence", *STANDING)
    )
    if fields is None:
        return None
    topic, summary = fields.ref("topic"), fields.text("summary")
    evidence = claim_evidence(reader, fields)
    if topic is None or evidence is None:
        return None
    return OmissionRecord(
        topic, summary, evidence, fields.origin, fields.standing(), fields.absent("summary")
    )


def read_absence(reader: Reader, node: Node) -> AbsenceRecord | None:
    fields = reader.fields(
        node, "an absence", ("summary",), ("group", "organisation", "evidence", *STANDING)
    )
    if fields is None:
        return None
    group, organisation = fields.ref("group"), fields.ref("organisation")
    summary, evidence = fields.text("summary"), claim_evidence(reader, fields)
    if (group is None) == (organisation is None):
        reader.problem(
            node,
            "an absence names exactly one of 'group' and 'organisation'",
            rules.PARTY_REQUIRED,
        )
        return None
    if summary is None or evidence is None:
        return None
    return AbsenceRecord(group, organisation, summary, evidence, fields.origin, fields.standing())


def read_foi_requests(reader: Reader, node: Node) -> list[FoiRequestRecord]:
    requests = []
    for item in reader.items(node, "the FOI requests"):
        request = read_foi_request(reader, item)
        if request is not None:
            requests.append(request)
    return requests


def read_foi_request(reader: Reader, node: Node) -> FoiRequestRecord | None:
    fields = reader.fields(
        node,
        "an FOI request",
        ("reference", "authority"),
        ("received_on", "responded_on", "subject", "response", "summary", "questions", *STANDING),
    )
    if fields is None:
        return None
    reference, authority = fields.text("reference"), fields.ref("authority")
    received_on, responded_on = fields.date("received_on"), fields.date("responded_on")
    subject, response = fields.ref("subject"), fields.ref("response")
    summary = fields.text("summary")
    questions = _all([read_foi_question(reader, item) for item in fields.items("questions")])
    if reference is None or authority is None or questions is None:
        return None
    return FoiRequestRecord(
        reference,
        authority,
        received_on,
        responded_on,
        subject,
        response,
        summary,
        questions,
        fields.origin,
        fields.standing(),
        fields.absent("received_on", "responded_on", "subject", "response", "summary"),
    )


def read_foi_question(reader: Reader, node: Node) -> FoiQuestionRecord | None:
    fields = reader.fields(
        node, "an FOI question", ("number", "text", "outcome"), ("answer", *STANDING)
    )
    if fields is None:
        return None
    number, text, answer = fields.integer("number"), fields.text("text"), fields.text("answer")
    outcome = fields.choice("outcome", FoiOutcome)
    if number is None or text is None or outcome is None:
        return None
    return FoiQuestionRecord(
        number, text, answer, outcome, fields.origin, fields.standing(), fields.absent("answer")
    )
