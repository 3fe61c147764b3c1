"""No anonymous request can take the server down (issue 11): every list field has a bound the
cost rule counts and the server enforces, variables count with their defaults, and the limits
run before validation. On a 2,000-document synthetic register, built once for the module."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import strawberry
from sqlalchemy import func, select
from starlette.applications import Starlette
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from api.app import create_app
from bench.fanouts import FanOut, cost, fan_outs, unreached_lists
from db import models
from db.engine import create_engine, create_sessionmaker
from schema import build_schema
from schema.reads.bounds import paged, unbounded_lists
from schema.reads.limits import QueryLimits
from seeds.synthetic import generate_into
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.graphql import counting_statements

DOCUMENTS = 2_000
LIMIT_CODES = {
    "QUERY_TOO_COSTLY",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_SELECTIONS",
    "TOO_MANY_OVERLAPS",
}
# What an anonymous reader may not ask for at all (the audit log) is refused as cheaply.
REFUSED_CODES = LIMIT_CODES | {"UNAUTHENTICATED"}
# Loaders batch each level into a statement or two: a fan-out that answers reads a handful.
MOST_STATEMENTS = 40
SCHEMA = build_schema()._schema
LIMITS = QueryLimits()
# Roots that need a record named; every other path starts from a list of 100.
ROOT_ARGUMENTS = {
    "search": 'text: "police"',
    "consultationAnswer": "documentSlug: $DOCUMENT",
    "compareDocuments": "a: $DOCUMENT, b: $OTHER",
    "foiRequest": "reference: $FOI",
}
FAN_OUTS = list(fan_outs(SCHEMA, ROOT_ARGUMENTS))


class Site:
    def __init__(self, client: httpx.AsyncClient, app: Starlette, names: dict[str, str]) -> None:
        self.client = client
        self.app = app
        self.names = names

    def fill(self, query: str) -> str:
        for name, value in self.names.items():
            query = query.replace(f"${name}", f'"{value}"')
        return query


@pytest.fixture(scope="module")
def register_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(tmp_path_factory.mktemp("fanouts")) as url:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, generate_into(url, documents=DOCUMENTS, seed=1)).result()
        yield url


@pytest.fixture(scope="module")
async def site(register_url: str) -> AsyncIterator[Site]:
    engine = create_engine(register_url)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        slugs = (
            await session.scalars(
                select(models.Document.slug)
                .where(models.Document.published)
                .order_by(models.Document.id)
                .limit(2)
            )
        ).all()
        foi = await session.scalar(select(models.FoiRequest.reference).limit(1))
    await engine.dispose()
    app = create_app(settings_for(register_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as client:
        found = Site(client, app, {"DOCUMENT": slugs[0], "OTHER": slugs[1], "FOI": str(foi)})
        yield found
    await app.state.engine.dispose()


def fields_in(value: Any) -> int:
    """How many fields an answer holds, each item of each list counted."""
    if isinstance(value, dict):
        return sum(1 + fields_in(inner) for inner in value.values())
    if isinstance(value, list):
        return sum(fields_in(item) for item in value)
    return 0


async def refused_or_cheap(site: Site, query: str, **request: Any) -> dict[str, Any]:
    """Send `query`: refused by a limit with no SQL run, or answered with no more fields than
    the cost rule counted and a bounded number of statements. The body is returned."""
    with counting_statements(site.app.state.engine) as counter:
        response = await site.client.post("/graphql", json={"query": query, **request})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    if codes:
        assert codes <= REFUSED_CODES, body["errors"]
        assert body.get("data") is None
        if body["errors"][0]["message"].startswith("The answer grew past"):
            assert len(body["errors"]) == 1  # stopped as it ran: no partial answer
            assert counter.count <= MOST_STATEMENTS
        else:
            assert counter.count == 0, counter.statements[:3]
    else:
        assert fields_in(body["data"]) <= cost(SCHEMA, query)
        assert counter.count <= MOST_STATEMENTS
    return body


def test_every_list_field_has_a_bound_and_a_fan_out() -> None:
    assert unbounded_lists(SCHEMA) == []
    assert unreached_lists(SCHEMA, ROOT_ARGUMENTS) == set()

    # The check sees an undeclared list.
    @strawberry.type
    class Query:
        words: list[str]
        bounded: list[str] = strawberry.field(extensions=[paged(5)])

    assert unbounded_lists(strawberry.Schema(Query)._schema) == ["Query.words"]


@pytest.mark.parametrize("fan_out", FAN_OUTS, ids=lambda f: f"{f.through}-{f.levels}")
async def test_a_fan_out_through_every_list_is_refused_or_cheap(
    site: Site, fan_out: FanOut
) -> None:
    await refused_or_cheap(site, site.fill(fan_out.query))


async def test_a_list_longer_than_its_bound_is_paged(site: Site) -> None:
    # Organisations near the top of the synthetic register shape far more than 20 principles.
    query = """query($slug: String!, $offset: Int) { organisation(slug: $slug) {
        influences(offset: $offset) { effect principle { title } } } }"""
    engine = create_engine(site.app.state.settings.database_url)  # to count, not to read
    async with create_sessionmaker(engine)() as session:
        busiest, shaped = (
            await session.execute(
                select(models.Organisation.slug, func.count(models.Influence.id))
                .join(models.Influence, models.Influence.organisation_id == models.Organisation.id)
                .group_by(models.Organisation.slug)
                .order_by(func.count(models.Influence.id).desc())
                .limit(1)
            )
        ).one()
    await engine.dispose()
    assert shaped > 40
    pages: list[list[dict[str, Any]]] = []
    offset = 0
    while True:
        variables = {"slug": busiest, "offset": offset}
        body = await refused_or_cheap(site, query, variables=variables)
        page = body["data"]["organisation"]["influences"]
        if not page:
            break
        assert len(page) <= 20
        pages.append(page)
        offset += 20
    assert [len(page) for page in pages[:-1]] == [20] * (len(pages) - 1)
    assert sum(len(page) for page in pages) == shaped
    # Without variables (the compiled path on PostgreSQL), the first page as well.
    plain = (
        f'{{ organisation(slug: "{busiest}") {{ influences {{ effect principle {{ title }} }} }} }}'
    )
    answer = (await site.client.post("/graphql", json={"query": plain})).json()
    assert answer["data"]["organisation"]["influences"] == pages[0]
    # And a page too large, or before the start, is the client's error.
    for arguments, message in [
        ("first: 21", "first must be between 1 and 20; it was 21."),
        ("offset: -1", "offset must be 0 or more; it was -1."),
    ]:
        wrong = f'{{ organisation(slug: "{busiest}") {{ influences({arguments}) {{ effect }} }} }}'
        error = (await site.client.post("/graphql", json={"query": wrong})).json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == message


HEAVY = """query($n: Int = 100) { organisations(first: $n) { nodes { slug influences { effect
    principle { title shapedBy { effect organisation { slug name } } } } } } }"""
NESTED = """query($n: Int = 100) { documents(first: $n) { nodes { slug title
    principles { position text shapedBy { effect organisation { slug name } } } } } }"""


async def test_an_answer_past_its_budget_is_stopped_as_it_runs(site: Site) -> None:
    # Within the cost rule's worst case, but the busiest organisations fill every list.
    body = await refused_or_cheap(site, HEAVY)
    assert body["errors"][0]["message"] == (
        f"The answer grew past {LIMITS.for_reader(anonymous=True).max_answer} fields; ask for smaller pages."
    )
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    # A smaller page of the same is answered; so is the heaviest real read, resolver by
    # resolver (the variable keeps it off the compiled path).
    assert "errors" not in await refused_or_cheap(site, HEAVY, variables={"n": 5})
    nested = await refused_or_cheap(site, NESTED)
    assert len(nested["data"]["documents"]["nodes"]) == 100


# -- each finding of the probe, as written in issue 11, on both backends -------------------

FINDING_1 = """{ documents(first:1){ nodes { principles { shapedBy { organisation { influences {
    principle { shapedBy { organisation { influences { principle { position } } } } } } } } } }
    } }"""


async def test_finding_1_a_fan_out_through_plain_lists_is_refused(site: Site) -> None:
    body = await refused_or_cheap(site, FINDING_1)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COSTLY"]
    # With first:3, as the probe also tried.
    body = await refused_or_cheap(site, FINDING_1.replace("first:1", "first:3"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COSTLY"]


FINDING_3 = """query($n:Int = 100){ documents(first:$n){ nodes { consultations(first:$n){ nodes {
    organisation { consultations(first:$n){ nodes { document { slug } } } } } } } } }"""


async def test_finding_3_a_variables_default_counts_as_sent(site: Site) -> None:
    for request in (
        site.client.post("/graphql", json={"query": FINDING_3}),
        site.client.get("/graphql", params={"query": FINDING_3}),
        site.client.post("/graphql", json={"query": FINDING_3, "variables": {"n": 100}}),
    ):
        with counting_statements(site.app.state.engine) as counter:
            body = (await request).json()
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COSTLY"]
        assert body["errors"][0]["message"].startswith("The query could resolve 3030201 fields")
        assert counter.count == 0
    # Sent, a small value wins over the default; so does a smaller default.
    small = await refused_or_cheap(site, FINDING_3, variables={"n": 2})
    assert "errors" not in small
    assert "errors" not in await refused_or_cheap(site, FINDING_3.replace("= 100", "= 2"))


def validations() -> tuple[int, int]:
    parse = _get_parse_cache(LIMITS.cache_size).cache_info()  # type: ignore[attr-defined]
    validate = _get_validate_cache(LIMITS.cache_size).cache_info()  # type: ignore[attr-defined]
    return parse.misses, validate.misses


async def test_finding_4_the_limits_refuse_before_any_validation(site: Site) -> None:
    # 31 aliases and 150 repeated nested selections; then the same under the alias limit.
    aliases = " ".join(f"a{n}: documents(first: 1) {{ nodes {{ slug }} }}" for n in range(31))
    repeated = " ".join(["shapedBy { organisation { slug } }"] * 150)
    nested = f"documents(first: 1) {{ nodes {{ principles {{ {repeated} }} }} }}"
    for query, code in [
        (f"{{ {aliases} {nested} }}", "TOO_MANY_ALIASES"),
        (f"{{ {nested} }}", "TOO_MANY_OVERLAPS"),
    ]:
        query += f" # {uuid.uuid4()}"  # a text no cache has seen
        parses, validated = validations()
        body = await refused_or_cheap(site, query)
        assert code in [e["extensions"]["code"] for e in body["errors"]]
        # Parsed once for both paths (the compiled one on PostgreSQL), never validated.
        assert validations() == (parses + 1, validated)


async def test_finding_4_a_query_is_parsed_and_validated_once(site: Site) -> None:
    # Valid but not for the compiled path (it has __typename): still one validation.
    query = f"{{ documents(first: 2) {{ nodes {{ __typename slug }} }} }} # {uuid.uuid4()}"
    before = validations()
    body = await refused_or_cheap(site, query)
    assert len(body["data"]["documents"]["nodes"]) == 2
    assert validations() == (before[0] + 1, before[1] + 1)


async def test_the_compiled_path_and_the_resolvers_page_alike(site: Site) -> None:
    # The busiest organisations shape more principles than a page: both paths answer one.
    shape = """organisations(first: 30) { nodes { slug influences { effect
        principle { position shapedBy { effect } } } } }"""
    compiled = (await site.client.post("/graphql", json={"query": f"{{ {shape} }}"})).json()
    # An argument on a plain list (here its default, spelled out) keeps a query off the
    # compiled path.
    usual = shape.replace("influences {", "influences(first: 20) {")
    resolved = (await site.client.post("/graphql", json={"query": f"{{ {usual} }}"})).json()
    assert "errors" not in compiled
    assert compiled == resolved
    assert max(len(n["influences"]) for n in compiled["data"]["organisations"]["nodes"]) == 20


def test_the_fan_outs_are_generated_from_the_schema() -> None:
    through = {fan.through for fan in FAN_OUTS}
    for name in ("Document.principles", "Principle.shapedBy", "Organisation.influences"):
        assert name in through
    assert all(fan.query.count("{") >= 3 for fan in FAN_OUTS)
