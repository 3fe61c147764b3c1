"""Coverage and gaps: who took part, group by group, and who was left out."""

from typing import Any

import httpx

from tests.editing_fixtures import Register
from tests.graphql import error_codes, graphql, graphql_response

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
POLICY = "gloucestershire-prostitution-policy"

COVERAGE = """query($slug: String!) { document(slug: $slug) { coverage {
    document { slug }
    groups { group { slug } status expectedBecause
             organisations { slug } evidence { locator quote source { slug text } }
             expectations { basis evidence { quote } } consultations { role } }
    leftOut { group { slug } status gap expectedBecause evidence { locator } }
} } }"""


async def _coverage(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    data = await graphql(client, COVERAGE, {"slug": slug})
    coverage: dict[str, Any] = data["document"]["coverage"]
    return coverage


async def test_who_took_part_in_the_npcc_guidance_by_group(client: httpx.AsyncClient) -> None:
    coverage = await _coverage(client, GUIDANCE)
    assert coverage["document"] == {"slug": GUIDANCE}
    groups = {g["group"]["slug"]: g for g in coverage["groups"]}
    for slug in (
        "police-forces",
        "academia",
        "government",
        "sex-worker-support",
        "lived-experience",
    ):
        assert groups[slug]["status"] == "CONSULTED", slug
        assert groups[slug]["organisations"], slug
        for evidence in groups[slug]["evidence"]:
            assert " ".join(evidence["quote"].split()) in " ".join(
                evidence["source"]["text"].split()
            )
    assert {o["slug"] for o in groups["government"]["organisations"]} == {"home-office"}
    assert "national-ugly-mugs" in {
        o["slug"] for o in groups["sex-worker-support"]["organisations"]
    }
    # A parent group counts the organisations of the groups below it.
    voluntary = {o["slug"] for o in groups["voluntary-sector"]["organisations"]}
    assert {o["slug"] for o in groups["sex-worker-support"]["organisations"]} <= voluntary


async def test_womens_groups_are_left_out_of_the_npcc_guidance(client: httpx.AsyncClient) -> None:
    coverage = await _coverage(client, GUIDANCE)
    left_out = {g["group"]["slug"]: g for g in coverage["leftOut"]}
    assert "womens-groups" in left_out
    women = left_out["womens-groups"]
    assert women["status"] in ("NOT_CONSULTED", "NO_RECORD")
    assert any("Question 10" in reason for reason in women["expectedBecause"])
    groups = {g["group"]["slug"]: g for g in coverage["groups"]}
    assert groups["womens-groups"]["organisations"] == []
    assert any(
        "women's groups" in e["quote"]
        for x in groups["womens-groups"]["expectations"]
        for e in x["evidence"]
    )
    # Left out = not CONSULTED, and expected or shown not to have been; nothing else.
    for group in coverage["groups"]:
        status = group["status"]
        gap = status != "CONSULTED" and (bool(group["expectedBecause"]) or status != "NO_RECORD")
        assert (group["group"]["slug"] in left_out) is gap
    # Its evidence carries the expectation's (question 10) and the absence's (answer 10).
    assert {e["locator"] for e in women["evidence"]} >= {"Question 10", "Answer to question 10"}
    # No record either way still shows why the group was expected.
    trafficking = left_out["anti-trafficking"]
    assert trafficking["status"] == "NO_RECORD"
    assert {e["locator"] for e in trafficking["evidence"]} == {"Question 8"}
    assert {g["group"]["slug"] for g in coverage["leftOut"]} <= {
        g["group"]["slug"] for g in coverage["groups"]
    }


async def test_groups_are_listed_in_taxonomy_order(client: httpx.AsyncClient) -> None:
    coverage = await _coverage(client, GUIDANCE)
    tree = await graphql(client, "{ stakeholderGroups { slug } }")
    order = [g["slug"] for g in tree["stakeholderGroups"]]
    listed = [g["group"]["slug"] for g in coverage["groups"]]
    assert listed == sorted(listed, key=order.index)


async def test_a_document_without_records_has_an_empty_report(client: httpx.AsyncClient) -> None:
    coverage = await _coverage(client, "beyond-the-gaze")
    assert coverage["groups"] == [] and coverage["leftOut"] == []


async def test_the_coverage_matrix_marks_gaps(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ coverageMatrix(first: 100, groups: ["womens-groups", "police-forces", "sex-worker-support"]) {
            totalCount pageInfo { hasNextPage }
            columns { slug }
            rows { document { slug } cells { group { slug } status expected gap organisationCount } }
        } }""",
    )
    matrix = data["coverageMatrix"]
    columns = [c["slug"] for c in matrix["columns"]]
    assert sorted(columns) == ["police-forces", "sex-worker-support", "womens-groups"]
    assert matrix["totalCount"] == len(matrix["rows"])
    rows = {r["document"]["slug"]: r for r in matrix["rows"]}
    for row in matrix["rows"]:
        assert [c["group"]["slug"] for c in row["cells"]] == columns
    cells = {c["group"]["slug"]: c for c in rows[GUIDANCE]["cells"]}
    assert cells["womens-groups"]["gap"] is True and cells["womens-groups"]["expected"] is True
    assert cells["police-forces"]["status"] == "CONSULTED"
    assert cells["police-forces"]["gap"] is False
    policy = {c["group"]["slug"]: c for c in rows[POLICY]["cells"]}
    # The policy's partners work with it on delivery: not consulted on it, so no record.
    assert policy["sex-worker-support"]["status"] == "NO_RECORD"
    assert policy["sex-worker-support"]["organisationCount"] == 0
    assert policy["womens-groups"] == {
        "group": {"slug": "womens-groups"},
        "status": "NO_RECORD",
        "expected": False,
        "gap": False,
        "organisationCount": 0,
    }


async def test_the_matrix_pages_and_filters_like_documents(client: httpx.AsyncClient) -> None:
    query = """query($after: String) { coverageMatrix(first: 2, after: $after, filter: {kind: GUIDANCE}) {
        totalCount pageInfo { hasNextPage endCursor } rows { document { slug kind } cells { status } } } }"""
    seen: list[str] = []
    after = None
    while True:
        matrix = (await graphql(client, query, {"after": after}))["coverageMatrix"]
        seen += [r["document"]["slug"] for r in matrix["rows"]]
        assert {r["document"]["kind"] for r in matrix["rows"]} <= {"GUIDANCE"}
        if not matrix["pageInfo"]["hasNextPage"]:
            break
        after = matrix["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == matrix["totalCount"]
    assert GUIDANCE in seen


RECORDED = """query($recorded: Boolean) {
    coverageMatrix(first: 100, filter: {consultationRecorded: $recorded}) {
        totalCount rows { document { slug } cells { status expected } } } }"""


async def test_the_matrix_keeps_the_documents_it_has_a_record_on(
    client: httpx.AsyncClient,
) -> None:
    recorded = (await graphql(client, RECORDED, {"recorded": True}))["coverageMatrix"]
    others = (await graphql(client, RECORDED, {"recorded": False}))["coverageMatrix"]
    every = (await graphql(client, RECORDED, {"recorded": None}))["coverageMatrix"]
    assert {r["document"]["slug"] for r in recorded["rows"]} == {GUIDANCE, POLICY}
    assert recorded["totalCount"] == 2
    assert recorded["totalCount"] + others["totalCount"] == every["totalCount"]
    # What is left out is the sources cited as evidence: every cell "no record", none expected.
    for row in others["rows"]:
        assert {(c["status"], c["expected"]) for c in row["cells"]} == {("NO_RECORD", False)}


async def test_a_draft_consultation_counts_as_a_record_for_editors_only(
    register: Register,
) -> None:
    created = await register.send(
        """mutation($input: ConsultationInput!) { createConsultation(input: $input) {
            __typename } }""",
        {
            "input": {
                "document": "beyond-the-gaze",
                "organisation": "national-ugly-mugs",
                "role": "REVIEWER",
                "published": False,
                "evidence": [
                    {
                        "source": "beyond-the-gaze",
                        "locator": "p. 1",
                        "quote": "A draft.",
                        "url": "https://example.org/read",
                        "readOn": "2026-11-01",
                    }
                ],
            }
        },
    )
    assert created.json()["data"]["createConsultation"]["__typename"] == "ConsultationSaved"
    query = "{ documents(first: 100, filter: {consultationRecorded: true}) { totalCount nodes { slug } } }"
    readers = (await register.send(query, {}, who="anonymous")).json()["data"]["documents"]
    editors = (await register.send(query, {}, who="editor")).json()["data"]["documents"]
    assert "beyond-the-gaze" not in {n["slug"] for n in readers["nodes"]}
    assert readers["totalCount"] == 2
    assert "beyond-the-gaze" in {n["slug"] for n in editors["nodes"]}
    assert editors["totalCount"] == 3


async def test_unknown_matrix_group_is_a_user_error(client: httpx.AsyncClient) -> None:
    body = await graphql_response(client, '{ coverageMatrix(groups: ["nope"]) { totalCount } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_which_documents_never_consulted_a_group(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{
            never: documents(first: 100, filter: {notConsulting: "womens-groups"}) { nodes { slug } }
            voluntary: documents(first: 100, filter: {consulting: "voluntary-sector"}) { nodes { slug } }
            all: documents(first: 100) { totalCount }
        }""",
    )
    never = {n["slug"] for n in data["never"]["nodes"]}
    voluntary = {n["slug"] for n in data["voluntary"]["nodes"]}
    assert GUIDANCE in never and POLICY in never
    # The policy's partners in delivery were not thereby consulted on it.
    assert voluntary == {GUIDANCE}
    assert len(never) == data["all"]["totalCount"]  # no document records a women's group


async def test_compare_two_documents(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """query($a: String!, $b: String!) { compareDocuments(a: $a, b: $b) {
            a { slug } b { slug }
            organisations { both { slug } onlyA { slug } onlyB { slug } }
            groups { both { slug } onlyA { slug } onlyB { slug } } } }""",
        {"a": GUIDANCE, "b": POLICY},
    )
    comparison = data["compareDocuments"]
    assert (comparison["a"], comparison["b"]) == ({"slug": GUIDANCE}, {"slug": POLICY})
    organisations = comparison["organisations"]
    assert organisations["both"] == []
    assert "home-office" in {o["slug"] for o in organisations["onlyA"]}
    assert {"nelson-trust", "sex-worker-forum"} <= {o["slug"] for o in organisations["onlyB"]}
    groups = comparison["groups"]
    # No group is CONSULTED on the policy: its partners work with it on delivery.
    assert groups["both"] == [] and groups["onlyB"] == []
    assert {"government", "sex-worker-support", "voluntary-sector"} <= {
        g["slug"] for g in groups["onlyA"]
    }
    missing = await graphql(
        client, '{ compareDocuments(a: "npcc-foi-059-19", b: "nope") { a { slug } } }'
    )
    assert missing == {"compareDocuments": None}


async def test_lineage_follows_refreshes(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{
            guidance: document(slug: "npcc-sex-work-and-prostitution-guidance-2019") {
                lineage { earlier { kind depth document { slug } } later { kind } } }
            previous: document(slug: "npcc-previous-sex-work-and-prostitution-guidance") {
                lineage { earlier { kind } later { kind depth document { slug } } } }
            policy: document(slug: "gloucestershire-prostitution-policy") {
                lineage { versions { label } earlier { kind } } }
        }""",
    )
    assert data["guidance"]["lineage"] == {
        "earlier": [
            {
                "kind": "REFRESHES",
                "depth": 1,
                "document": {"slug": "npcc-previous-sex-work-and-prostitution-guidance"},
            }
        ],
        "later": [],
    }
    assert data["previous"]["lineage"]["later"] == [
        {"kind": "REFRESHES", "depth": 1, "document": {"slug": GUIDANCE}}
    ]
    assert [v["label"] for v in data["policy"]["lineage"]["versions"]] == ["V1", "V1.1", "1.2"]
