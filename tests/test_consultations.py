"""Who was consulted, with evidence: the answer an FOI officer needs, with a citation each."""

import httpx

from tests.graphql import graphql

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"

CONSULTATIONS = """query($slug: String!) { document(slug: $slug) {
    consultations(first: 100) { totalCount nodes {
        id role summary document { slug }
        organisation { slug name named groups { slug } }
        evidence { locator quote confidence source { slug text } }
    } }
} }"""


async def test_the_parties_named_in_answer_9_each_with_a_verbatim_quote(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(client, CONSULTATIONS, {"slug": GUIDANCE})
    consultations = data["document"]["consultations"]["nodes"]
    by_slug = {c["organisation"]["slug"]: c for c in consultations}
    for slug in (
        "home-office",
        "national-ugly-mugs",
        "academic-partners",
        "police-force-areas-with-experience",
    ):
        assert slug in by_slug, slug
        evidence = by_slug[slug]["evidence"]
        assert evidence, slug
        for item in evidence:
            assert item["source"]["slug"] == "npcc-foi-059-19"
            assert item["locator"]
            assert " ".join(item["quote"].split()) in " ".join(item["source"]["text"].split())
    assert "National Ugly Mugs" in by_slug["national-ugly-mugs"]["evidence"][0]["quote"]
    assert by_slug["home-office"]["organisation"]["named"] is True
    assert by_slug["academic-partners"]["organisation"]["named"] is False
    assert by_slug["police-force-areas-with-experience"]["organisation"]["named"] is False
    assert {c["document"]["slug"] for c in consultations} == {GUIDANCE}


async def test_every_consultation_carries_evidence(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ documents(first: 100) { nodes { slug consultations(first: 100) {
            nodes { organisation { slug } evidence { quote } } } } } }""",
    )
    for document in data["documents"]["nodes"]:
        for consultation in document["consultations"]["nodes"]:
            assert consultation["evidence"], (document["slug"], consultation)


async def test_consultations_page_per_document(client: httpx.AsyncClient) -> None:
    everything = await graphql(client, CONSULTATIONS, {"slug": GUIDANCE})
    all_ids = [c["id"] for c in everything["document"]["consultations"]["nodes"]]
    assert len(all_ids) >= 4
    query = """query($slug: String!, $after: String) { document(slug: $slug) {
        consultations(first: 3, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }"""
    paged: list[str] = []
    after = None
    while True:
        page = (await graphql(client, query, {"slug": GUIDANCE, "after": after}))["document"]
        connection = page["consultations"]
        assert connection["totalCount"] == len(all_ids)
        paged += [n["id"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert paged == all_ids


async def test_who_shaped_each_principle(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        f"""{{ document(slug: "{GUIDANCE}") {{ principles {{ position shapedBy {{
            effect organisation {{ slug named }} principle {{ position }}
            evidence {{ locator quote confidence }} }} }} }} }}""",
    )
    for principle in data["document"]["principles"]:
        shaped = principle["shapedBy"]
        assert shaped, principle["position"]
        assert {s["principle"]["position"] for s in shaped} == {principle["position"]}
        for influence in shaped:
            assert influence["evidence"]
            assert "developed in consultation with" in influence["evidence"][0]["quote"]


async def test_women_groups_are_expected_because_question_10_asked(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        f"""{{ document(slug: "{GUIDANCE}") {{ expectations {{
            basis reason group {{ slug }} organisation {{ slug }}
            evidence {{ locator quote source {{ slug }} }} }} }} }}""",
    )
    expectations = data["document"]["expectations"]
    women = [e for e in expectations if e["group"] and e["group"]["slug"] == "womens-groups"]
    assert women and women[0]["basis"] == "FOI_REQUEST"
    assert any("women's groups" in e["quote"] for e in women[0]["evidence"])
    assert all(e["evidence"] for e in expectations)
