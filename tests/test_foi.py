"""The FOI request 059/19, its ten questions and answers."""

import httpx

from tests.graphql import graphql

QUERY = """query($ref: String!, $authority: String) { foiRequest(reference: $ref, authority: $authority) {
    id reference respondedOn authority { slug } subject { slug } response { slug kind }
    questions { number text answer outcome }
} }"""


async def test_foi_059_19_with_all_ten_questions(client: httpx.AsyncClient) -> None:
    data = await graphql(client, QUERY, {"ref": "059/19"})
    request = data["foiRequest"]
    assert request["reference"] == "059/19"
    assert request["respondedOn"] == "2019-04-10"
    assert request["authority"] == {"slug": "npcc"}
    assert request["subject"] == {"slug": "npcc-sex-work-and-prostitution-guidance-2019"}
    assert request["response"] == {"slug": "npcc-foi-059-19", "kind": "FOI_RESPONSE"}
    questions = request["questions"]
    assert [q["number"] for q in questions] == list(range(1, 11))
    assert questions[8]["text"].startswith(
        "Which organisations or individuals were used as advisors"
    )
    assert "National Ugly Mugs" in questions[8]["answer"]
    assert questions[9]["text"].startswith("What efforts were made to reach out to women")
    assert all(q["outcome"] for q in questions)


async def test_foi_lookup_by_authority_and_unknown_reference(client: httpx.AsyncClient) -> None:
    data = await graphql(client, QUERY, {"ref": "059/19", "authority": "npcc"})
    assert data["foiRequest"]["reference"] == "059/19"
    assert (await graphql(client, QUERY, {"ref": "059/19", "authority": "home-office"})) == {
        "foiRequest": None
    }
    assert (await graphql(client, QUERY, {"ref": "999/99"})) == {"foiRequest": None}
