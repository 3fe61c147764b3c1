"""Query.search: what it finds, how it ranks and pages, bad input, and an index that follows
every change to the records, on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import delete, select, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import db.search
from api.app import create_app
from db.engine import create_engine, create_sessionmaker
from db.enums import Confidence
from db.migrate import alembic_config
from db.models import (
    Consultation,
    Document,
    DocumentText,
    Evidence,
    Organisation,
    OrganisationAlias,
    Principle,
)
from db.search import search
from schema.ids import encode_cursor
from seeds.loader import load_seeds
from seeds.synthetic import generate_register
from tests.conftest import settings_for
from tests.databases import empty_database, migrate
from tests.graphql import counting_statements, error_codes, graphql, graphql_response

Sessionmaker = async_sessionmaker[AsyncSession]

SEARCH = """query($text: String!, $first: Int, $after: String) {
    search(text: $text, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { snippet matchedIn rank node { __typename id } } }
    } }"""

HITS = """query($text: String!, $first: Int) { search(text: $text, first: $first) {
    totalCount
    nodes { snippet matchedIn rank evidence { locator quote source { slug } }
            node { __typename
                   ... on Document { slug title }
                   ... on Principle { position document { slug } }
                   ... on Organisation { slug name aliases }
                   ... on Consultation { role organisation { slug } document { slug } } } }
} }"""


async def hits(client: httpx.AsyncClient, text: str, first: int = 100) -> list[dict[str, Any]]:
    data = await graphql(client, HITS, {"text": text, "first": first})
    found: list[dict[str, Any]] = data["search"]["nodes"]
    return found


def first_of(found: list[dict[str, Any]], typename: str) -> dict[str, Any]:
    return next(hit for hit in found if hit["node"]["__typename"] == typename)


# ---------------------------------------------------------------- what it finds


async def test_ugly_mugs_the_organisation_first_then_the_quotes(client: httpx.AsyncClient) -> None:
    found = await hits(client, "Ugly Mugs")
    top = found[0]
    assert top["node"] == {
        "__typename": "Organisation",
        "slug": "national-ugly-mugs",
        "name": "National Ugly Mugs",
        "aliases": [],
    }
    assert (top["matchedIn"], top["snippet"]) == ("NAME", "National «Ugly» «Mugs»")
    assert top["evidence"] is None
    consultation = first_of(found, "Consultation")
    assert consultation["matchedIn"] == "QUOTE"
    assert consultation["node"]["organisation"]["slug"] == "national-ugly-mugs"
    assert (
        consultation["node"]["document"]["slug"] == "npcc-sex-work-and-prostitution-guidance-2019"
    )
    assert "National Ugly Mugs" in consultation["evidence"]["quote"]
    assert consultation["evidence"]["source"]["slug"] == "npcc-foi-059-19"
    assert "«Ugly» «Mugs»" in consultation["snippet"]
    # The FOI response's stored text says it too.
    text = next(h for h in found if h["matchedIn"] == "TEXT")
    assert text["node"]["slug"] == "npcc-foi-059-19"
    # Each record once, however many of its fields match.
    nodes = [(h["node"]["__typename"], str(h["node"])) for h in found]
    assert len(nodes) == len(set(nodes))


async def test_kerb_crawlers_in_the_foi_response(client: httpx.AsyncClient) -> None:
    found = await hits(client, "kerb crawlers")
    text = next(h for h in found if h["matchedIn"] == "TEXT")
    assert text["node"] == {
        "__typename": "Document",
        "slug": "npcc-foi-059-19",
        "title": "NPCC response to Freedom of Information request 059/19",
    }
    assert "«kerb» «crawlers»" in text["snippet"]


async def test_a_principle_by_a_phrase_in_any_word_form(client: httpx.AsyncClient) -> None:
    for text in ("moral judgements", '"moral judgement"', "MORAL JUDGEMENT"):
        top = (await hits(client, text))[0]
        assert top["matchedIn"] == "PRINCIPLE", text
        assert top["node"]["__typename"] == "Principle"
        assert top["node"]["position"] == 4
        assert top["node"]["document"]["slug"] == "npcc-sex-work-and-prostitution-guidance-2019"
        assert "«moral" in top["snippet"]  # a phrase may be marked as one


async def test_a_quoted_phrase_must_match_in_order(client: httpx.AsyncClient) -> None:
    assert await hits(client, "mugs ugly")
    assert not await hits(client, '"mugs ugly"')


async def test_an_organisation_by_its_alias(client: httpx.AsyncClient) -> None:
    top = (await hits(client, "CPS"))[0]
    assert top["matchedIn"] == "ALIAS"
    assert top["snippet"] == "«CPS»"
    assert top["node"]["slug"] == "crown-prosecution-service"
    assert top["node"]["aliases"] == ["CPS"]


async def test_a_title_ranks_above_a_passing_mention(client: httpx.AsyncClient) -> None:
    found = await hits(client, "prostitution policy")
    assert found[0]["node"]["slug"] == "gloucestershire-prostitution-policy"
    assert found[0]["matchedIn"] == "TITLE"
    assert found[0]["snippet"] == "«Prostitution» «Policy»"
    assert len(found) > 1
    ranks = [hit["rank"] for hit in found]
    assert ranks == sorted(ranks, reverse=True)
    assert ranks[0] > ranks[1]


async def test_every_snippet_marks_a_searched_word(client: httpx.AsyncClient) -> None:
    for text in ("guidance", "consulted", "Home Office", "sex work"):
        found = await hits(client, text)
        assert found, text
        words = text.lower().split()
        for hit in found:
            assert "«" in hit["snippet"] and "»" in hit["snippet"], (text, hit)
            marked = hit["snippet"].lower().split("«", 1)[1].split("»", 1)[0]
            assert any(marked.startswith(word[:4]) for word in words), (text, hit)


# ---------------------------------------------------------------- pages


async def test_paging_visits_every_hit_once(client: httpx.AsyncClient) -> None:
    whole = await graphql(client, SEARCH, {"text": "guidance", "first": 100})
    total = whole["search"]["totalCount"]
    everything = [edge["node"]["node"]["id"] for edge in whole["search"]["edges"]]
    assert total == len(everything) > 6
    assert whole["search"]["pageInfo"]["hasNextPage"] is False

    seen: list[str] = []
    after = None
    while True:
        data = await graphql(client, SEARCH, {"text": "guidance", "first": 3, "after": after})
        page = data["search"]
        assert page["totalCount"] == total
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        edges = page["edges"]
        assert page["pageInfo"]["startCursor"] == edges[0]["cursor"]
        assert page["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        seen += [edge["node"]["node"]["id"] for edge in edges]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything

    last = await graphql(
        client, SEARCH, {"text": "guidance", "after": edges[-1]["cursor"], "first": 5}
    )
    assert last["search"]["edges"] == []
    assert last["search"]["totalCount"] == total
    assert last["search"]["pageInfo"]["hasNextPage"] is False


async def test_a_search_ranks_a_bounded_number_of_matches_and_says_so(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = """query($text: String!, $after: String) { search(text: $text, first: 2,
        after: $after) { totalCount approximate edges { cursor } } }"""
    whole = (await graphql(client, question, {"text": "guidance"}))["search"]
    assert whole["approximate"] is False and whole["totalCount"] > 6
    monkeypatch.setattr(db.search, "CANDIDATES", 4)
    capped = (await graphql(client, question, {"text": "guidance"}))["search"]
    assert capped["approximate"] is True
    assert 2 <= capped["totalCount"] <= 5 < whole["totalCount"]  # about N: at most N + 1 rows
    past = await graphql(client, question, {"text": "guidance", "after": encode_cursor(50)})
    assert past["search"]["approximate"] is True and past["search"]["edges"] == []


async def test_no_match_is_an_empty_page(client: httpx.AsyncClient) -> None:
    data = await graphql(client, SEARCH, {"text": "xylophone"})
    assert data["search"] == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "between 1 and 100"),
        ({"first": 101}, "between 1 and 100"),
        ({"after": "garbage"}, "not a valid cursor"),
        ({"after": "RG9jdW1lbnQ6MQ"}, "not a valid cursor"),
    ],
)
async def test_bad_page_arguments(
    client: httpx.AsyncClient, variables: dict[str, Any], message: str
) -> None:
    body = await graphql_response(client, SEARCH, {"text": "guidance", **variables})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]


# ---------------------------------------------------------------- bad and hostile input


@pytest.mark.parametrize(
    "text", ["", " ", "\t\n", "x" * 201, "x" * 10_000, '"', "*", '""', "-", "(((", "\x00"]
)
async def test_nothing_to_search_for_is_bad_user_input(
    client: httpx.AsyncClient, text: str
) -> None:
    body = await graphql_response(client, SEARCH, {"text": text})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert message.startswith("Search text must"), message
    assert "SELECT" not in message and "fts5" not in message.lower()


HOSTILE = [
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "NEAR(police guidance, 2)",
    "police AND",
    "-x",
    "-guidance",
    "guidance*",
    "^guidance",
    "body:guidance",
    "kind:title",
    "title : policy",
    "{guidance}",
    "police + guidance",
    '"unclosed quote guidance',
    'a"b"c',
    "guidance!",
    "'; DROP TABLE document; --",
    "'); DELETE FROM search_index; --",
    "%_\\",
    "x & y | !z <-> w:*",
    "\u202epolicy",
    "🙂 guidance",
    "\uff27\uff55\uff49\uff44\uff41\uff4e\uff43\uff45",  # "Guidance" in full-width letters
    "naïve café",
    "a\x00b",
    "x" * 200,
    " ".join(["guidance"] * 22),
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_gets_results_or_bad_user_input(
    client: httpx.AsyncClient, text: str
) -> None:
    body = await graphql_response(client, SEARCH, {"text": text})
    if "errors" in body:
        assert error_codes(body) == ["BAD_USER_INPUT"], body
    else:
        assert body["data"]["search"]["totalCount"] >= 0
    # The register is still there.
    assert (await hits(client, "Ugly Mugs"))[0]["node"]["slug"] == "national-ugly-mugs"


async def test_operators_are_read_as_words(client: httpx.AsyncClient) -> None:
    # "-" is not a negation, nor "OR" a choice: both read as (missing) words here.
    assert len(await hits(client, "-guidance")) == len(await hits(client, "guidance"))
    assert await hits(client, "Ugly OR Xylophone") == []


# ---------------------------------------------------------------- the schema


async def test_the_pinned_shapes(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ query: __type(name: "Query") { fields { name args { name defaultValue type { ...T } }
                                                     type { ...T } } }
            hit: __type(name: "SearchHit") { fields { name type { ...T } } }
            connection: __type(name: "SearchResultConnection") { fields { name type { ...T } } }
            edge: __type(name: "SearchHitEdge") { fields { name type { ...T } } } }
        fragment T on __Type { kind name ofType { kind name ofType { kind name ofType {
            kind name } } } }""",
    )

    def shape(type_: dict[str, Any]) -> str:
        if type_["kind"] == "NON_NULL":
            return shape(type_["ofType"]) + "!"
        if type_["kind"] == "LIST":
            return "[" + shape(type_["ofType"]) + "]"
        return str(type_["name"])

    def fields(name: str) -> dict[str, str]:
        return {field["name"]: shape(field["type"]) for field in data[name]["fields"]}

    field = next(f for f in data["query"]["fields"] if f["name"] == "search")
    assert shape(field["type"]) == "SearchResultConnection!"
    assert {a["name"]: (shape(a["type"]), a["defaultValue"]) for a in field["args"]} == {
        "text": ("String!", None),
        "first": ("Int", "20"),
        "after": ("String", "null"),
    }
    assert fields("hit").items() >= {"node": "Node!", "snippet": "String!"}.items()
    assert fields("connection") == {
        "totalCount": "Int!",
        "approximate": "Boolean!",
        "pageInfo": "PageInfo!",
        "edges": "[SearchHitEdge!]!",
        "nodes": "[SearchHit!]!",
    }
    assert fields("edge") == {"cursor": "String!", "node": "SearchHit!"}


# ---------------------------------------------------------------- the index follows the data


@asynccontextmanager
async def client_for(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings_for(url))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
            yield http, app
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def seeded_fresh(fresh_database_url: str, fresh_sessionmaker: Sessionmaker) -> str:
    await load_seeds(fresh_sessionmaker)
    return fresh_database_url


async def found_where(sessionmaker: Sessionmaker, text: str) -> set[tuple[str, int, str]]:
    async with sessionmaker() as session:
        page = await search(session, text, limit=100, offset=0)
    return {(match.node.__name__, match.node_id, match.field.value) for match in page.matches}


async def test_the_index_follows_organisations_and_aliases(
    seeded_fresh: str, fresh_sessionmaker: Sessionmaker
) -> None:
    async with fresh_sessionmaker.begin() as session:
        organisation = Organisation(slug="zephyr", name="Zephyr Outreach Collective", named=True)
        session.add(organisation)
        await session.flush()
        organisation_id = organisation.id
    async with client_for(seeded_fresh) as (client, _):
        top = (await hits(client, "zephyr"))[0]
        assert (top["node"]["slug"], top["matchedIn"]) == ("zephyr", "NAME")

        async with fresh_sessionmaker.begin() as session:
            await session.execute(
                update(Organisation)
                .where(Organisation.id == organisation_id)
                .values(name="Quillon Outreach Collective")
            )
            session.add(OrganisationAlias(organisation_id=organisation_id, alias="Zephyr Project"))
        found = await hits(client, "zephyr")
        assert [(h["node"]["slug"], h["matchedIn"]) for h in found] == [("zephyr", "ALIAS")]
        assert (await hits(client, "quillon"))[0]["node"]["slug"] == "zephyr"

        async with fresh_sessionmaker.begin() as session:
            await session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        # The alias went with it (ON DELETE CASCADE), and out of the index too.
        assert await hits(client, "zephyr") == []
        assert await hits(client, "quillon") == []


async def test_the_index_follows_evidence(
    seeded_fresh: str, fresh_sessionmaker: Sessionmaker
) -> None:
    async with fresh_sessionmaker() as session:
        consultation = (await session.scalars(select(Consultation).limit(1))).one()
        source_id = (await session.scalars(select(Document.id).limit(1))).one()
    async with fresh_sessionmaker.begin() as session:
        evidence = Evidence(
            source_id=source_id,
            locator="Paragraph 1",
            quote="The quokka working group met twice.",
            confidence=Confidence.STATED,
            consultation_id=consultation.id,
        )
        session.add(evidence)
        await session.flush()
        evidence_id = evidence.id
    assert await found_where(fresh_sessionmaker, "quokka") == {
        ("Consultation", consultation.id, "quote")
    }

    async with fresh_sessionmaker.begin() as session:
        await session.execute(
            update(Evidence)
            .where(Evidence.id == evidence_id)
            .values(quote="The wombat working group met twice.")
        )
    assert await found_where(fresh_sessionmaker, "quokka") == set()
    assert await found_where(fresh_sessionmaker, "wombat") == {
        ("Consultation", consultation.id, "quote")
    }

    async with fresh_sessionmaker.begin() as session:
        await session.execute(delete(Evidence).where(Evidence.id == evidence_id))
    assert await found_where(fresh_sessionmaker, "wombat") == set()


async def test_every_source_table_keeps_the_index_in_step(
    fresh_sessionmaker: Sessionmaker, seeded_fresh: str
) -> None:
    """A change to any indexed field shows at once, and so does a deletion."""
    async with fresh_sessionmaker() as session:
        text_row = (await session.scalars(select(DocumentText).limit(1))).one()
        document_id = text_row.document_id
        principle = (await session.scalars(select(Principle).limit(1))).one()
        alias = (await session.scalars(select(OrganisationAlias).limit(1))).one()
    changes = [
        (Document, Document.id == document_id, {"title": "Axolotl"}, "title"),
        (DocumentText, DocumentText.document_id == document_id, {"text": "Bilby"}, "text"),
        (Principle, Principle.id == principle.id, {"title": "Capybara"}, "principle"),
        (OrganisationAlias, OrganisationAlias.id == alias.id, {"alias": "Dugong"}, "alias"),
    ]
    for model, where, values, field in changes:
        async with fresh_sessionmaker.begin() as session:
            await session.execute(update(model).where(where).values(**values))
        (word,) = values.values()
        assert {found[2] for found in await found_where(fresh_sessionmaker, word)} == {field}
    # A principle's text is searched beside its title.
    first_words = " ".join(principle.text.split()[:6])
    assert ("Principle", principle.id, "principle") in await found_where(
        fresh_sessionmaker, f'capybara "{first_words}"'
    )

    async with fresh_sessionmaker.begin() as session:
        await session.execute(delete(DocumentText).where(DocumentText.document_id == document_id))
        await session.execute(delete(Principle).where(Principle.id == principle.id))
        await session.execute(delete(OrganisationAlias).where(OrganisationAlias.id == alias.id))
    for word in ("bilby", "capybara", "dugong"):
        assert await found_where(fresh_sessionmaker, word) == set(), word
    assert await found_where(fresh_sessionmaker, "axolotl") == {("Document", document_id, "title")}


async def test_downgrade_drops_the_index_and_upgrade_fills_it_again(
    seeded_fresh: str, fresh_sessionmaker: Sessionmaker
) -> None:
    before = await found_where(fresh_sessionmaker, "guidance")
    assert before
    config = alembic_config(seeded_fresh)
    await asyncio.to_thread(command.downgrade, config, "0002")
    async with fresh_sessionmaker.begin() as session:
        # Plain SQL: the models describe the newest schema, not revision 0002's.
        await session.execute(
            sql(
                "INSERT INTO organisation (slug, name, named) "
                "VALUES ('added-meanwhile', 'Guidance Watch', TRUE)"
            )
        )
    await asyncio.to_thread(migrate, seeded_fresh)
    # A new engine: PostgreSQL's cached plans on the old connections name the dropped index.
    engine = create_engine(seeded_fresh)
    after = await found_where(create_sessionmaker(engine), "guidance")
    await engine.dispose()
    assert before < after
    assert {found[0] for found in after - before} == {"Organisation"}


# ---------------------------------------------------------------- statements per request


async def test_statements_do_not_grow_with_the_hits(tmp_path: Path) -> None:
    query = """query($text: String!) { search(text: $text, first: 100) { totalCount
        nodes { snippet rank node { id __typename } } } }"""

    async def measure(url: str, text: str) -> tuple[int, int, set[str]]:
        async with client_for(url) as (client, app):
            await graphql(client, query, {"text": text})  # warm the pool
            with counting_statements(app.state.engine) as counter:
                data = await graphql(client, query, {"text": text})
        found = data["search"]["nodes"]
        return counter.count, len(found), {hit["node"]["__typename"] for hit in found}

    async def grow(url: str, documents: int, seed: int) -> None:
        engine = create_engine(url)
        await generate_register(create_sessionmaker(engine), documents=documents, seed=seed)
        await engine.dispose()

    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        await load_seeds(create_sessionmaker(engine))
        await engine.dispose()
        await grow(url, documents=3, seed=1)
        few = await measure(url, "outreach")
        await grow(url, documents=150, seed=2)
        many = await measure(url, "outreach")
    statements_few, hits_few, types_few = few
    statements_many, hits_many, types_many = many
    assert hits_few < 20 and hits_many == 100
    assert types_few == types_many == {"Document", "Principle", "Organisation", "Consultation"}
    # One statement for the page and its count, then one per type of node on it.
    assert statements_few == statements_many == 1 + len(types_many)
