"""The compiled path answers exactly what field-by-field execution answers, in one statement.

On PostgreSQL (the only backend with the compiled path): the same queries go to an app with
compiled reads and to one without, over a register with drafts and retractions in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from bench.queries import QUESTIONS
from db import models, tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from schema import build_schema
from schema.reads.compiled import Plans
from seeds.loader import load_seeds
from seeds.synthetic import generate_register
from tests.databases import backend_name, empty_database
from tests.graphql import counting_statements

pytestmark = pytest.mark.skipif(
    backend_name() != "postgresql", reason="the compiled path is for PostgreSQL only"
)

COMPILED = [
    *(q.footprint for q in QUESTIONS if q.key in "abc"),
    "{ documents { totalCount nodes { slug } } }",
    """{ first: documents(first: 3) { count: totalCount items: nodes { name: title kind
        formality publishedOn publishedPrecision reviewDueOn reviewDuePrecision url summary
        version published } } }""",
    """{ document(slug: "npcc-sex-work-and-prostitution-guidance-2019") { title
        consultations(first: 4) { nodes { role summary organisation { name named } } totalCount }
        principles { position title text document { slug } shapedBy { effect summary
            principle { position } organisation { slug description url version } } } } }""",
    """{ organisation(slug: "syn1-org-000001") { name influences { effect principle {
        position document { title } } } consultations(first: 2) { totalCount } } }""",
    '{ organisation(slug: "no-such-organisation") { name } }',
    '{ document(slug: "syn1-doc-000002") { slug } organisation(slug: "home-office") { slug } }',
    """{ coverageMatrix(first: 7) { rows { cells { gap group { slug name } status expected
        organisationCount } document { slug title } } totalCount columns { slug description
        version } } }""",
    "{ coverageMatrix { columns { name } } }",
]

NOT_COMPILED = [
    "{ documents(first: 2) { nodes { id slug } } }",  # ids are the resolvers' to make
    "{ documents(first: 2) { nodes { __typename slug } } }",
    '{ documents(first: 2, filter: {text: "policy"}) { nodes { slug } } }',
    "{ documents(first: 2) { edges { node { slug } } } }",
    "query Page($n: Int) { documents(first: $n) { nodes { slug } } }",
    "{ documents(first: 2) { ...Slugs } } fragment Slugs on DocumentConnection { nodes { slug } }",
    "{ documents(first: 2) { nodes { slug @include(if: true) } } }",
    "{ documents(first: 0) { nodes { slug } } }",  # refused by the resolver, with its error
    "{ documents(first: 2) { nodes { slug } } nope }",  # invalid: answered with its errors
    '{ coverageMatrix(first: 3, groups: ["police"]) { columns { slug } } }',
    "{ documents(first: 2) { nodes { publisher { slug } } } }",
    'mutation { createOrganisation(input: {name: "x"}) { __typename } }',
]


async def _hide_some_records(url: str) -> str:
    """Drafts and retractions at every level, so the visibility rules have work to do; returns
    an editor's token."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    await load_seeds(sessionmaker)
    await generate_register(sessionmaker, documents=30, seed=1)
    gone = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hidden: list[tuple[Any, list[int], dict[str, Any]]] = [
        (models.Document, [3, 12], {"published": False}),
        (models.Organisation, [20, 33], {"retracted_at": gone}),
        (models.Consultation, [5, 40, 41], {"published": False}),
        (models.Principle, [15, 16], {"retracted_at": gone}),
        (models.Influence, [7, 8, 9], {"retracted_at": gone}),
        (models.Expectation, [2, 6], {"published": False}),
        (models.Absence, [1], {"retracted_at": gone}),
        (models.StakeholderGroup, [4, 20], {"published": False}),
    ]
    async with sessionmaker.begin() as session:
        for model, ids, values in hidden:
            await session.execute(update(model).where(model.id.in_(ids)).values(**values))
        token = (await tokens.issue(session, "editor", TokenRole.EDITOR, None)).token
    await engine.dispose()
    return token


@pytest.fixture(scope="module")
async def apps(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[bool, Starlette]]:
    with empty_database(tmp_path_factory.mktemp("compiled")) as url:
        token = await _hide_some_records(url)
        built = {
            compiled: create_app(
                Settings(_env_file=None, database_url=url, compiled_reads=compiled)  # type: ignore[call-arg]
            )
            for compiled in (True, False)
        }
        built[True].state.editor_token = token
        yield built
        for app in built.values():
            await app.state.engine.dispose()


async def _ask(
    app: Starlette, query: str, headers: dict[str, str] | None = None
) -> tuple[dict[str, Any], int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as client:
        await client.post("/graphql", json={"query": query}, headers=headers)  # warm the pool
        with counting_statements(app.state.engine) as counter:
            response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body, counter.count


@pytest.mark.parametrize("query", COMPILED)
async def test_a_compiled_query_answers_as_field_by_field_execution(
    apps: dict[bool, Starlette], query: str
) -> None:
    assert Plans(build_schema()._schema).get(query) is not None  # it does take the path
    compiled, statements = await _ask(apps[True], query)
    usual, _ = await _ask(apps[False], query)
    assert "errors" not in usual, usual
    assert compiled == usual
    assert statements == 1


@pytest.mark.parametrize("query", NOT_COMPILED)
async def test_other_queries_take_the_usual_path_with_its_answers_and_errors(
    apps: dict[bool, Starlette], query: str
) -> None:
    assert Plans(build_schema()._schema).get(query) is None
    compiled, _ = await _ask(apps[True], query)
    usual, _ = await _ask(apps[False], query)
    assert compiled == usual


async def test_with_a_token_the_usual_path_answers_and_editors_see_drafts(
    apps: dict[bool, Starlette],
) -> None:
    query = "{ documents(first: 100) { totalCount } }"
    anonymous, _ = await _ask(apps[True], query)
    # An unknown token is refused as ever, not answered by the compiled path.
    refused, _ = await _ask(apps[True], query, {"authorization": "Bearer fp_unknown"})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = apps[True].state.editor_token
    editor, _ = await _ask(apps[True], query, {"authorization": f"Bearer {token}"})
    assert anonymous["data"]["documents"]["totalCount"] == 12 + 30 - 2  # two drafts hidden
    assert editor["data"]["documents"]["totalCount"] == 12 + 30


def test_the_benchmark_knows_which_of_its_questions_are_compiled() -> None:
    plans = Plans(build_schema()._schema)
    assert [q.key for q in QUESTIONS if plans.get(q.footprint)] == [
        q.key for q in QUESTIONS if q.compiled
    ]


def test_the_plan_cache_is_bounded() -> None:
    plans = Plans(build_schema()._schema, size=2)
    queries = [f"{{ documents(first: {n}) {{ totalCount }} }}" for n in (1, 2, 3)]
    for query in queries:
        assert plans.get(query) is not None
    assert len(plans) == 2
