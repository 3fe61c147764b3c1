"""Organisations and stakeholder groups over GraphQL."""

import httpx

from tests.graphql import error_codes, graphql, graphql_response


async def test_an_organisation_with_its_groups_and_consultations(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        """{ organisation(slug: "national-ugly-mugs") {
            slug name named aliases groups { slug }
            consultations { totalCount nodes { role document { slug } organisation { slug } } }
            influences { effect }
        } }""",
    )
    organisation = data["organisation"]
    assert organisation["name"] == "National Ugly Mugs"
    assert organisation["named"] is True
    assert "sex-worker-support" in [g["slug"] for g in organisation["groups"]]
    consultations = organisation["consultations"]
    assert consultations["totalCount"] == len(consultations["nodes"]) >= 1
    assert "npcc-sex-work-and-prostitution-guidance-2019" in [
        c["document"]["slug"] for c in consultations["nodes"]
    ]
    assert {c["organisation"]["slug"] for c in consultations["nodes"]} == {"national-ugly-mugs"}


async def test_organisation_text_filter_matches_names_and_aliases(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        """{
            byName: organisations(filter: {text: "ugly mugs"}) { nodes { slug } }
            byAlias: organisations(first: 100) { nodes { slug aliases } }
        }""",
    )
    assert [n["slug"] for n in data["byName"]["nodes"]] == ["national-ugly-mugs"]
    with_alias = [n for n in data["byAlias"]["nodes"] if n["aliases"]]
    assert with_alias, "the seeds record aliases"
    alias = with_alias[0]["aliases"][0]
    found = await graphql(
        client,
        "query($t: String!) { organisations(filter: {text: $t}) { nodes { slug } } }",
        {"t": alias.upper()},
    )
    assert with_alias[0]["slug"] in [n["slug"] for n in found["organisations"]["nodes"]]


async def test_group_filter_includes_groups_below(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{
            policing: organisations(first: 100, filter: {group: "policing"}) {
                totalCount nodes { slug groups { slug parent { slug } } } }
            forces: organisations(first: 100, filter: {group: "police-forces"}) {
                nodes { slug } }
            national: organisations(first: 100, filter: {group: "national-policing-bodies"}) {
                nodes { slug } }
        }""",
    )
    policing = {n["slug"] for n in data["policing"]["nodes"]}
    forces = {n["slug"] for n in data["forces"]["nodes"]}
    national = {n["slug"] for n in data["national"]["nodes"]}
    assert forces and national
    assert policing == forces | national
    assert data["policing"]["totalCount"] == len(policing)
    assert "gloucestershire-constabulary" in forces
    assert "npcc" in national


async def test_unknown_group_or_publisher_in_a_filter_is_a_user_error(
    client: httpx.AsyncClient,
) -> None:
    body = await graphql_response(
        client, '{ organisations(filter: {group: "no-such-group"}) { totalCount } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "no-such-group" in body["errors"][0]["message"]
    body = await graphql_response(
        client, '{ documents(filter: {publisher: "nobody"}) { totalCount } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_the_stakeholder_tree(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ stakeholderGroups { slug name parent { slug } children { slug }
             organisations(first: 100) { totalCount nodes { slug } } } }""",
    )
    groups = {g["slug"]: g for g in data["stakeholderGroups"]}
    expected = {
        "policing",
        "police-forces",
        "national-policing-bodies",
        "government",
        "academia",
        "voluntary-sector",
        "sex-worker-support",
        "womens-groups",
        "anti-trafficking",
        "lived-experience",
        "statutory-partners",
        "health",
        "prosecutors",
    }
    assert expected <= set(groups)
    assert groups["police-forces"]["parent"] == {"slug": "policing"}
    assert groups["policing"]["parent"] is None
    assert {"police-forces", "national-policing-bodies"} <= {
        c["slug"] for c in groups["policing"]["children"]
    }
    order = [g["slug"] for g in data["stakeholderGroups"]]
    assert order.index("policing") < order.index("police-forces")
    # A parent's organisations include its children's.
    parent_orgs = {n["slug"] for n in groups["policing"]["organisations"]["nodes"]}
    for child in groups["policing"]["children"]:
        assert {n["slug"] for n in groups[child["slug"]]["organisations"]["nodes"]} <= parent_orgs
    assert groups["government"]["organisations"]["totalCount"] >= 1
    single = await graphql(client, '{ stakeholderGroup(slug: "health") { slug parent { slug } } }')
    assert single["stakeholderGroup"] == {
        "slug": "health",
        "parent": {"slug": "statutory-partners"},
    }
