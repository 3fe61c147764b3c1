"""The FOI answer: who was consulted, with citations, ready to paste."""

import re

import httpx

from tests.graphql import graphql

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"

ANSWER = """query($slug: String!) { consultationAnswer(documentSlug: $slug) {
    document { slug } markdown
    consulted { role organisation { name } evidence { quote } }
    leftOut { group { slug name } status }
} }"""


async def test_the_answer_for_the_npcc_guidance(client: httpx.AsyncClient) -> None:
    answer = (await graphql(client, ANSWER, {"slug": GUIDANCE}))["consultationAnswer"]
    markdown = answer["markdown"]
    assert answer["document"] == {"slug": GUIDANCE}
    # Every party from answers 8 to 10 is named, each with a numbered citation.
    for name in (
        "Home Office",
        "National Ugly Mugs",
        "academic partners",
        "Police Force areas with experience of this area",
        "Modern Slavery NPCC lead",
    ):
        line = next(line for line in markdown.splitlines() if f"**{name}**" in line)
        assert re.search(r"\[\d+\]", line), line
    assert "Women's groups" in markdown.split("## Expected but not consulted")[1]
    assert {g["group"]["slug"] for g in answer["leftOut"]} >= {"womens-groups"}
    assert "PSED: not undertaken" in markdown
    # Answer 10's research is not a party but a source the guidance draws on, with its quote.
    drawn_on = markdown.split("## What it draws on")[1].split("##")[0]
    assert re.search(r"Beyond the Gaze.*\[\d+\]", drawn_on)
    assert "took into account relevant academic research" in markdown.split("## Sources")[1]
    # Every citation number used is listed once among the sources, with its quote.
    sources = markdown.split("## Sources")[1]
    cited = set(re.findall(r"\[(\d+)\]", markdown.split("## Sources")[0]))
    listed = re.findall(r"^\[(\d+)\] ", sources, re.M)
    assert sorted(cited, key=int) == listed
    assert "In addition, National Ugly Mugs due to their work with Police were involved." in sources
    assert len(answer["consulted"]) == markdown.split("## Expected")[0].count("**") // 2


async def test_the_answer_is_the_same_every_time(client: httpx.AsyncClient) -> None:
    first = await graphql(client, ANSWER, {"slug": GUIDANCE})
    second = await graphql(client, ANSWER, {"slug": GUIDANCE})
    assert first == second


async def test_no_record_wording_where_the_register_has_nothing(
    client: httpx.AsyncClient,
) -> None:
    answer = (await graphql(client, ANSWER, {"slug": "beyond-the-gaze"}))["consultationAnswer"]
    markdown = answer["markdown"]
    assert "No record is held of anyone being consulted on this document." in markdown
    assert "No record is held of any impact assessment of this document." in markdown
    assert answer["consulted"] == [] and answer["leftOut"] == []


async def test_unknown_document_is_null(client: httpx.AsyncClient) -> None:
    assert await graphql(client, ANSWER, {"slug": "nope"}) == {"consultationAnswer": None}
