"""node(id:) resolves every Node type; ids are opaque and checked."""

import base64

import httpx

from tests.graphql import error_codes, graphql, graphql_response


async def test_every_node_type_round_trips_through_node(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{
            document(slug: "npcc-sex-work-and-prostitution-guidance-2019") {
                id principles { id } consultations(first: 1) { nodes { id } } }
            organisation(slug: "home-office") { id }
            stakeholderGroups { id }
            foiRequest(reference: "059/19") { id }
        }""",
    )
    ids = {
        "Document": data["document"]["id"],
        "Principle": data["document"]["principles"][0]["id"],
        "Consultation": data["document"]["consultations"]["nodes"][0]["id"],
        "Organisation": data["organisation"]["id"],
        "StakeholderGroup": data["stakeholderGroups"][0]["id"],
        "FoiRequest": data["foiRequest"]["id"],
    }
    for type_name, node_id in ids.items():
        found = await graphql(
            client, "query($id: ID!) { node(id: $id) { __typename id } }", {"id": node_id}
        )
        assert found["node"] == {"__typename": type_name, "id": node_id}


async def test_a_well_formed_id_of_nothing_is_null(client: httpx.AsyncClient) -> None:
    missing = base64.urlsafe_b64encode(b"Document:987654321").decode().rstrip("=")
    data = await graphql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": missing})
    assert data == {"node": None}


async def test_malformed_ids_are_user_errors(client: httpx.AsyncClient) -> None:
    for bad in [
        "",
        "not-base64!",
        base64.b64encode(b"Document:abc").decode(),
        base64.b64encode(b"Nothing:1").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ]:
        body = await graphql_response(
            client, "query($id: ID!) { node(id: $id) { id } }", {"id": bad}
        )
        assert body["data"] == {"node": None}
        assert error_codes(body) == ["BAD_USER_INPUT"], bad
        assert "not a valid id" in body["errors"][0]["message"]
