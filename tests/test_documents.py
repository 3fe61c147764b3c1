"""Documents over GraphQL: lookups, principles, versions, relations, lists and filters."""

import httpx

from tests.graphql import graphql

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
POLICY = "gloucestershire-prostitution-policy"
FOI = "npcc-foi-059-19"


async def test_the_npcc_guidance_as_the_foi_response_describes_it(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        """query($slug: String!) { document(slug: $slug) {
            slug title kind formality publishedOn publishedPrecision url
            publisher { slug name }
            principles { position text document { slug } }
        } }""",
        {"slug": GUIDANCE},
    )
    document = data["document"]
    assert document["kind"] == "GUIDANCE"
    assert document["formality"] == "ADVICE"
    assert document["publishedOn"] == "2019-01-01"
    assert document["publishedPrecision"] == "MONTH"
    assert document["publisher"]["slug"] == "npcc"
    assert document["url"].endswith("Sex-Work-and-Prostitution-Guidance-Jan-2019.pdf")
    principles = document["principles"]
    assert [p["position"] for p in principles] == [1, 2, 3, 4, 5]
    assert principles[0]["text"].startswith("The sex industry is complex, often stigmatised")
    assert principles[3]["text"].startswith("The role of policing is not to make moral judgements.")
    assert {p["document"]["slug"] for p in principles} == {GUIDANCE}


async def test_every_principle_is_quoted_verbatim_from_the_stored_foi_response(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        """query($guidance: String!, $foi: String!) {
            guidance: document(slug: $guidance) { principles { text } }
            foi: document(slug: $foi) { text }
        }""",
        {"guidance": GUIDANCE, "foi": FOI},
    )
    response_text = " ".join(data["foi"]["text"].split())
    for principle in data["guidance"]["principles"]:
        assert " ".join(principle["text"].split()) in response_text


async def test_the_gloucestershire_policy_versions_oldest_first_with_uk_dates(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        """{ document(slug: "gloucestershire-prostitution-policy") {
            kind formality reviewDueOn reviewDuePrecision
            versions { label date changes author }
            impactAssessments { kind undertaken outcome date datePrecision
                                evidence { locator quote source { slug } } }
            related { kind document { title kind } evidence { quote } }
        } }""",
    )
    policy = data["document"]
    assert policy["kind"] == "POLICY"
    assert [(v["label"], v["date"]) for v in policy["versions"]] == [
        ("V1", "2016-01-08"),
        ("V1.1", "2017-03-29"),
        ("1.2", "2017-05-23"),
    ]
    assert policy["versions"][0]["changes"] == "Creation of new policy"
    assert (policy["reviewDueOn"], policy["reviewDuePrecision"]) == ("2018-05-01", "MONTH")
    eia = next(a for a in policy["impactAssessments"] if a["kind"] == "EIA")
    assert (eia["undertaken"], eia["outcome"], eia["date"]) == (True, "LOW", "2017-05-01")
    assert eia["evidence"] and eia["evidence"][0]["source"]["slug"] == POLICY
    cited_kinds = {r["document"]["kind"] for r in policy["related"] if r["kind"] == "CITES"}
    assert "LEGAL_GUIDANCE" in cited_kinds
    assert all(relation["evidence"] for relation in policy["related"])


async def test_no_equality_assessment_is_a_record_of_absence(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        f"""{{ document(slug: "{GUIDANCE}") {{
            impactAssessments {{ undertaken evidence {{ locator quote source {{ slug }} }} }}
        }} }}""",
    )
    assessments = data["document"]["impactAssessments"]
    assert assessments and not any(a["undertaken"] for a in assessments)
    quotes = [e["quote"] for a in assessments for e in a["evidence"]]
    assert any("no formal assessments were" in quote for quote in quotes)


async def test_an_unknown_slug_is_null(client: httpx.AsyncClient) -> None:
    data = await graphql(client, '{ document(slug: "no-such-document") { title } }')
    assert data == {"document": None}


async def test_paging_through_documents_visits_each_once(client: httpx.AsyncClient) -> None:
    query = """query($after: String) { documents(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { slug } } nodes { slug } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await graphql(client, query, {"after": after}))["documents"]
        assert [e["node"] for e in page["edges"]] == page["nodes"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        seen += [node["slug"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert {GUIDANCE, POLICY, FOI} <= set(seen)


async def test_filters_by_title_kind_and_publisher(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{
            byTitle: documents(filter: {text: "SEX WORK AND prostitution"}) { nodes { slug } }
            policies: documents(filter: {kind: POLICY}) { totalCount nodes { kind } }
            npcc: documents(first: 100, filter: {publisher: "npcc"}) { nodes { slug publisher { slug } } }
            none: documents(filter: {text: "%"}) { totalCount nodes { slug } }
        }""",
    )
    assert GUIDANCE in [n["slug"] for n in data["byTitle"]["nodes"]]
    assert data["policies"]["totalCount"] >= 1
    assert {n["kind"] for n in data["policies"]["nodes"]} == {"POLICY"}
    npcc_slugs = {n["slug"] for n in data["npcc"]["nodes"]}
    assert {GUIDANCE, FOI} <= npcc_slugs
    assert {n["publisher"]["slug"] for n in data["npcc"]["nodes"]} == {"npcc"}
    # LIKE wildcards in the text are matched literally.
    assert data["none"] == {"totalCount": 0, "nodes": []}
