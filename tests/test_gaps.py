"""Absences and topic omissions edited like every other claim (create, update, retract, with
evidence, audited, idempotent, refused with codes and nothing written), and CONTESTED: evidence
both ways, both sides shown, everywhere coverage is read."""

from __future__ import annotations

from typing import Any

from tests.editing_fixtures import Register

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
POLICY = "gloucestershire-prostitution-policy"
COLUMN = "a-newspaper-column"

CREATE_ABSENCE = """mutation($input: AbsenceInput!, $key: String) {
    createAbsence(input: $input, idempotencyKey: $key) {
        __typename
        ... on AbsenceSaved { absence { id version summary published
            group { slug } organisation { slug } document { slug } evidence { quote } } }
        ... on EditRefused { errors { field message code } } } }"""
UPDATE_ABSENCE = """mutation($id: ID!, $version: Int!, $changes: AbsenceChanges!) {
    updateAbsence(id: $id, expectedVersion: $version, changes: $changes) {
        __typename
        ... on AbsenceSaved { absence { version summary } }
        ... on EditRefused { errors { field code } } } }"""
RETRACT_ABSENCE = """mutation($id: ID!, $version: Int!) {
    retractAbsence(id: $id, expectedVersion: $version, reason: "Misread the column.") {
        __typename
        ... on AbsenceSaved { absence { version } }
        ... on EditRefused { errors { field code } } } }"""
CREATE_OMISSION = """mutation($input: TopicOmissionInput!) { createTopicOmission(input: $input) {
    __typename
    ... on TopicOmissionSaved { topicOmission { id version summary topic { slug }
        document { slug } evidence { locator } } }
    ... on EditRefused { errors { field message code } } } }"""
COVERAGE = """query($slug: String!) { document(slug: $slug) { coverage {
    groups { group { slug } status gap }
    leftOut { group { slug } status gap
        consultations { organisation { slug } }
        absences { summary }
        evidence { quote source { slug } } } } } }"""


async def _data(
    register: Register, query: str, variables: dict[str, Any], who: str = "editor"
) -> Any:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    return body["data"]


async def _column(register: Register) -> None:
    """A source without a stored text: a newspaper column, quoted as it was read."""
    created = await _data(
        register,
        """mutation { createDocument(input: {slug: "a-newspaper-column", kind: NEWS_ARTICLE,
            title: "Sex workers shut out of police guidance"}) { __typename } }""",
        {},
    )
    assert created["createDocument"]["__typename"] == "DocumentSaved"


def _absence(**changes: Any) -> dict[str, Any]:
    return {
        "document": GUIDANCE,
        "group": "sex-worker-support",
        "summary": "A newspaper column says sex worker-led groups were excluded.",
        "evidence": [
            {
                "source": COLUMN,
                "locator": "paragraph 3",
                "quote": "Sex worker-led groups were excluded from the drafting.",
                "confidence": "STATED",
                "url": "https://example.org/column",
                "readOn": "2026-11-03",
            }
        ],
        **changes,
    }


async def test_evidence_both_ways_is_contested_and_shows_both_sides(register: Register) -> None:
    await _column(register)
    created = await _data(register, CREATE_ABSENCE, {"input": _absence()})
    absence = created["createAbsence"]["absence"]
    assert (absence["version"], absence["group"], absence["organisation"]) == (
        1,
        {"slug": "sex-worker-support"},
        None,
    )

    coverage = (await _data(register, COVERAGE, {"slug": GUIDANCE}, "anonymous"))["document"][
        "coverage"
    ]
    statuses = {g["group"]["slug"]: (g["status"], g["gap"]) for g in coverage["groups"]}
    assert statuses["sex-worker-support"] == ("CONTESTED", True)
    # An absence covers the groups below the one it names, never those above.
    assert statuses["voluntary-sector"] == ("CONSULTED", False)
    contested = next(g for g in coverage["leftOut"] if g["group"]["slug"] == "sex-worker-support")
    assert contested["consultations"] == [{"organisation": {"slug": "national-ugly-mugs"}}]
    assert [a["summary"] for a in contested["absences"]] == [_absence()["summary"]]
    quotes = [e["quote"] for e in contested["evidence"]]
    assert quotes == [
        "In addition, National Ugly Mugs due to their work with Police were involved.",
        "Sex worker-led groups were excluded from the drafting.",
    ]

    matrix = await _data(
        register,
        """{ coverageMatrix(first: 100, groups: ["sex-worker-support"]) {
            rows { document { slug } cells { status gap } } } }""",
        {},
        "anonymous",
    )
    cells = {r["document"]["slug"]: r["cells"][0] for r in matrix["coverageMatrix"]["rows"]}
    assert cells[GUIDANCE] == {"status": "CONTESTED", "gap": True}
    filtered = await _data(
        register,
        """{ c: documents(first: 100, filter: {consulting: "sex-worker-support"}) { nodes { slug } }
            n: documents(first: 100, filter: {notConsulting: "sex-worker-support"}) {
                nodes { slug } } }""",
        {},
        "anonymous",
    )
    assert GUIDANCE not in {n["slug"] for n in filtered["c"]["nodes"]}
    assert GUIDANCE in {n["slug"] for n in filtered["n"]["nodes"]}

    answer = await _data(
        register,
        "query($s: String!) { consultationAnswer(documentSlug: $s) { markdown } }",
        {"s": GUIDANCE},
        "anonymous",
    )
    markdown = answer["consultationAnswer"]["markdown"]
    gaps = markdown.split("## Groups not shown to have been consulted")[1].split("\n## ")[0]
    item = gaps.split("- **Sex worker support and advocacy**")[1].split("\n- **")[0]
    assert "The sources disagree. One records **National Ugly Mugs**, of this group, as" in item
    assert f"What the sources show: {_absence()['summary']}" in item
    assert "*Sex workers shut out of police guidance*, paragraph 3" in markdown


async def test_an_absence_without_an_expectation_is_left_out(register: Register) -> None:
    quote = (
        "Reporting activity through the Domestic abuse and sexual Violence (DASV) commissioning"
        " group and reporting to the County Health and Wellbeing Board."
    )
    await _data(
        register,
        CREATE_ABSENCE,
        {
            "input": {
                "document": POLICY,
                "group": "womens-groups",
                "summary": "Read from what section 1 leaves out.",
                "evidence": [
                    {
                        "source": POLICY,
                        "locator": "Section 1 \u2013 Policy wording",
                        "quote": quote,
                        "confidence": "INFERRED",
                    }
                ],
            }
        },
    )
    coverage = (await _data(register, COVERAGE, {"slug": POLICY}, "anonymous"))["document"][
        "coverage"
    ]
    assert [(g["group"]["slug"], g["status"]) for g in coverage["leftOut"]] == [
        ("womens-groups", "NOT_CONSULTED")
    ]


async def test_absences_are_updated_retracted_and_audited_at_their_version(
    register: Register,
) -> None:
    await _column(register)
    absence = (await _data(register, CREATE_ABSENCE, {"input": _absence()}))["createAbsence"][
        "absence"
    ]
    changed = await _data(
        register,
        UPDATE_ABSENCE,
        {"id": absence["id"], "version": 1, "changes": {"summary": "Says they were excluded."}},
    )
    assert changed["updateAbsence"]["absence"] == {
        "version": 2,
        "summary": "Says they were excluded.",
    }
    stale = await _data(
        register, UPDATE_ABSENCE, {"id": absence["id"], "version": 1, "changes": {"summary": "x"}}
    )
    assert stale["updateAbsence"]["errors"] == [{"field": "expectedVersion", "code": "CONFLICT"}]
    emptied = await _data(
        register, UPDATE_ABSENCE, {"id": absence["id"], "version": 2, "changes": {"summary": " "}}
    )
    assert emptied["updateAbsence"]["errors"] == [
        {"field": "changes.summary", "code": "BAD_USER_INPUT"}
    ]

    added = await _data(
        register,
        """mutation($claim: ID!) { addEvidence(claim: $claim, input: {source: "a-newspaper-column",
            locator: "paragraph 4", quote: "No sex worker-led group was asked.",
            url: "https://example.org/column", readOn: "2026-11-03"}) {
            __typename } }""",
        {"claim": absence["id"]},
    )
    assert added["addEvidence"]["__typename"] == "EvidenceSaved"

    retracted = await _data(register, RETRACT_ABSENCE, {"id": absence["id"], "version": 2})
    assert retracted["retractAbsence"]["absence"]["version"] == 3
    again = await _data(register, RETRACT_ABSENCE, {"id": absence["id"], "version": 3})
    assert again["retractAbsence"]["errors"] == [{"field": None, "code": "CONFLICT"}]
    coverage = (await _data(register, COVERAGE, {"slug": GUIDANCE}, "anonymous"))["document"][
        "coverage"
    ]
    statuses = {g["group"]["slug"]: g["status"] for g in coverage["groups"]}
    assert statuses["sex-worker-support"] == "CONSULTED"

    # A retracted record is read no more, but its history stays in the audit trail.
    audited = await _data(
        register,
        """{ auditLog(first: 100, filter: {entity: "absence"}) {
            nodes { action actor entityId } } }""",
        {},
    )
    ids = {n["entityId"] for n in audited["auditLog"]["nodes"]}
    assert len(ids) == 1
    assert [(n["action"], n["actor"]) for n in audited["auditLog"]["nodes"]] == [
        ("CREATE", "editor"),
        ("UPDATE", "editor"),
        ("RETRACT", "editor"),
    ]


async def test_bad_absences_are_refused_with_codes_and_nothing_is_written(
    register: Register,
) -> None:
    await _column(register)
    before = await register.table_counts()
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (_absence(organisation="home-office"), [("input.group", "BAD_USER_INPUT")]),
        (_absence(evidence=[]), [("input.evidence", "BAD_USER_INPUT")]),
        (_absence(group="nope"), [("input.group", "BAD_USER_INPUT")]),
        (
            _absence(
                evidence=[
                    {"source": "npcc-foi-059-19", "locator": "Answer 9", "quote": "Not in it."}
                ]
            ),
            [("input.evidence[0].quote", "BAD_USER_INPUT")],
        ),
    ]
    for wanted, errors in cases:
        refused = await _data(register, CREATE_ABSENCE, {"input": wanted})
        found = [(e["field"], e["code"]) for e in refused["createAbsence"]["errors"]]
        assert found == errors, wanted
    assert await register.table_counts() == before
    # The seeds already record women's groups as absent from the guidance.
    duplicate = await _data(register, CREATE_ABSENCE, {"input": _absence(group="womens-groups")})
    assert [e["code"] for e in duplicate["createAbsence"]["errors"]] == ["DUPLICATE"]
    anonymous = (await register.send(CREATE_ABSENCE, {"input": _absence()}, "anonymous")).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await register.table_counts() == before


async def test_an_idempotency_key_records_an_absence_once(register: Register) -> None:
    await _column(register)
    first = await _data(register, CREATE_ABSENCE, {"input": _absence(), "key": "col-1"})
    again = await _data(register, CREATE_ABSENCE, {"input": _absence(), "key": "col-1"})
    assert first == again
    other = await _data(
        register, CREATE_ABSENCE, {"input": _absence(group="academia"), "key": "col-1"}
    )
    assert [e["code"] for e in other["createAbsence"]["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_topic_omissions_are_created_checked_updated_and_retracted(
    register: Register,
) -> None:
    quote = (
        "The Constabulary will investigate and disrupt organised criminal activity where it"
        " exists within the sex industry"
    )
    evidence = [
        {"source": POLICY, "locator": "Section 1", "quote": quote, "confidence": "INFERRED"}
    ]
    created = await _data(
        register,
        CREATE_OMISSION,
        {"input": {"document": POLICY, "topic": "kerb-crawling", "evidence": evidence}},
    )
    omission = created["createTopicOmission"]["topicOmission"]
    assert (omission["topic"], omission["document"], omission["version"]) == (
        {"slug": "kerb-crawling"},
        {"slug": POLICY},
        1,
    )
    listed = await _data(
        register,
        '{ topicsNotCovered(topic: "kerb-crawling") { totalCount nodes { document { slug } } } }',
        {},
        "anonymous",
    )
    assert {n["document"]["slug"] for n in listed["topicsNotCovered"]["nodes"]} == {
        GUIDANCE,
        POLICY,
    }

    before = await register.table_counts()
    duplicate = await _data(
        register,
        CREATE_OMISSION,
        {"input": {"document": POLICY, "topic": "kerb-crawling", "evidence": evidence}},
    )
    assert [e["code"] for e in duplicate["createTopicOmission"]["errors"]] == ["DUPLICATE"]
    covered = await _data(
        register,
        CREATE_OMISSION,
        {"input": {"document": POLICY, "topic": "exploitation", "evidence": evidence}},
    )
    assert [(e["field"], e["code"]) for e in covered["createTopicOmission"]["errors"]] == [
        ("input.topic", "BAD_USER_INPUT")
    ]
    assert await register.table_counts() == before

    updated = await _data(
        register,
        """mutation($id: ID!) { updateTopicOmission(id: $id, expectedVersion: 1,
            changes: {summary: "Section 1 speaks of exploitation, not kerb crawling."}) {
            ... on TopicOmissionSaved { topicOmission { version summary } } } }""",
        {"id": omission["id"]},
    )
    assert updated["updateTopicOmission"]["topicOmission"]["version"] == 2
    retracted = await _data(
        register,
        """mutation($id: ID!) { retractTopicOmission(id: $id, expectedVersion: 2, reason: "No.") {
            ... on TopicOmissionSaved { topicOmission { version } } } }""",
        {"id": omission["id"]},
    )
    assert retracted["retractTopicOmission"]["topicOmission"]["version"] == 3
    listed = await _data(
        register,
        '{ topicsNotCovered(topic: "kerb-crawling") { totalCount } }',
        {},
        "anonymous",
    )
    assert listed["topicsNotCovered"]["totalCount"] == 1
