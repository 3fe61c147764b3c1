"""Hostile requests: each limit refuses its document with its own code, before anything runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from api.app import create_app
from db import queries
from tests.conftest import settings_for
from tests.editing_fixtures import Register, open_register
from tests.graphql import counting_statements

CREATE = """mutation($input: OrganisationInput!) {
    createOrganisation(input: $input) {
        __typename
        ... on OrganisationSaved { organisation { slug } }
        ... on EditRefused { errors { code } }
    } }"""


async def refused(
    client: httpx.AsyncClient, app: Starlette, body: Any, status: int = 200, errors: int = 1
) -> dict[str, Any]:
    """Send a request that must be refused before any SQL runs; return its first error."""
    with counting_statements(app.state.engine) as counter:
        response = await asyncio.wait_for(client.post("/graphql", json=body), 10)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload.get("data") is None
    assert len(payload["errors"]) == errors, payload
    assert counter.count == 0, counter.statements
    error: dict[str, Any] = payload["errors"][0]
    return error


def nested(levels: int) -> str:
    """A valid query `levels` fields deep, following organisation -> influences -> ... loops."""
    loop = [
        "influences",
        "principle",
        "document",
        "consultations(first: 1)",
        "nodes",
        "organisation",
    ]
    fields = ['organisation(slug: "home-office")']
    while len(fields) < levels - 1:
        fields.append(loop[(len(fields) - 1) % len(loop)])
    return "{ " + " { ".join(fields) + " { __typename" + " }" * len(fields) + " }"


async def test_the_limits_leave_real_queries_alone(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": nested(12)})).json()
    assert "errors" not in body, body


async def test_a_query_too_deep(client: httpx.AsyncClient, app: Starlette) -> None:
    error = await refused(client, app, {"query": nested(13)})
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert error["message"] == "The query is nested 13 deep; the limit is 12."


async def test_too_many_aliases(client: httpx.AsyncClient, app: Starlette) -> None:
    # An anonymous reader may send 10, an editor 30.
    aliases = " ".join(f"a{n}: __typename" for n in range(11))
    error = await refused(client, app, {"query": f"{{ {aliases} }}"})
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert error["message"] == "The query has 11 aliases; the limit is 10."
    ten = " ".join(f"a{n}: __typename" for n in range(10))
    assert "errors" not in (await client.post("/graphql", json={"query": f"{{ {ten} }}"})).json()


async def test_an_editor_may_send_more_aliases_and_cost_than_an_anonymous_reader(
    tmp_path: Path,
) -> None:
    def aliases(count: int) -> str:
        return "{ " + " ".join(f"a{n}: __typename" for n in range(count)) + " }"

    async with open_register(tmp_path) as register:
        editor = (await register.send(aliases(30), {})).json()
        over = (await register.send(aliases(31), {})).json()
        anonymous = (await register.send(aliases(30), {}, "anonymous")).json()
        # 1 + 75 * (2 + 75 * (3 + 75 * 3)) = 1,282,651: over the anonymous limit, under an
        # editor's.
        costly = (await register.send(COSTLY, {"n": 75})).json()
        costly_anonymous = (await register.send(COSTLY, {"n": 75}, "anonymous")).json()
    assert "errors" not in costly
    assert costly_anonymous["errors"][0]["message"] == (
        "The query could resolve 1282651 fields; the limit is 1200000."
    )
    assert "errors" not in editor
    assert over["errors"][0]["message"] == "The query has 31 aliases; the limit is 30."
    assert anonymous["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert anonymous["data"] is None


async def test_aliases_are_counted_through_every_spread_of_a_fragment(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    # Four aliases written once, spread eight times: 32.
    query = """query { ...D }
        fragment D on Query { ...C ...C }
        fragment C on Query { ...B ...B }
        fragment B on Query { ...A ...A }
        fragment A on Query { a: __typename b: __typename c: __typename d: __typename }"""
    error = await refused(client, app, {"query": query})
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert error["message"].startswith("The query has 32 aliases")


async def test_a_fragment_bomb_is_refused_at_once(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    # Each fragment spreads the next twice: 2**40 expansions if walked naively.
    fragments = "\n".join(
        f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(40)
    )
    query = "query { ...F0 }\n" + fragments + "\nfragment F40 on Query { a: __typename }"
    error = await refused(client, app, {"query": query}, errors=3)  # aliases, cost, fields
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert f"has {2**40} aliases" in error["message"]


async def test_too_many_tokens(client: httpx.AsyncClient, app: Starlette) -> None:
    fields = " ".join(["__typename"] * 2_000)
    error = await refused(client, app, {"query": f"{{ {fields} }}"})
    assert error["extensions"]["code"] == "TOO_MANY_TOKENS"
    assert "2000 tokens" in error["message"]


async def test_too_many_directives(client: httpx.AsyncClient, app: Starlette) -> None:
    fields = " ".join(["__typename @include(if: true)"] * 21)
    error = await refused(client, app, {"query": f"{{ {fields} }}"})
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"
    assert error["message"] == "The query has 21 directives; the limit is 20."


async def test_a_flood_of_unknown_directives_is_one_error_not_a_validation_storm(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    flood = " ".join(["@a"] * 900)
    error = await refused(client, app, {"query": f"{{ __typename {flood} }}"})
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"


COSTLY = """query($n: Int) { documents(first: $n) { nodes { consultations(first: $n) { nodes {
    organisation { consultations(first: $n) { totalCount nodes { role } } } } } } } }"""


async def test_a_query_too_costly_counts_first_down_the_tree(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    # 1 + 100 * (1 + 1 + 100 * (1 + 1 + 1 + 100 * (1 + 1 + 1))) = 3_030_201 fields at most.
    error = await refused(client, app, {"query": COSTLY, "variables": {"n": 100}})
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["message"] == "The query could resolve 3030201 fields; the limit is 1200000."
    # The same document with small pages is cheap, and runs.
    small = await client.post("/graphql", json={"query": COSTLY, "variables": {"n": 3}})
    assert "errors" not in small.json()


async def test_a_body_over_one_mebibyte_is_413_before_parsing(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    padding = " " * 1_048_576
    body = json.dumps({"query": "{ __typename }" + padding}).encode()
    assert len(body) > 1_048_576
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    just_under = json.dumps({"query": "{ __typename }" + " " * 1_000_000}).encode()
    accepted = await client.post(
        "/graphql", content=just_under, headers={"content-type": "application/json"}
    )
    assert accepted.json() == {"data": {"__typename": "Query"}}


async def test_a_batch_is_refused(client: httpx.AsyncClient, app: Starlette) -> None:
    batch = [{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    error = await refused(client, app, batch, status=400)
    assert error["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"


async def test_a_mutation_over_get_is_refused_and_writes_nothing(register: Register) -> None:
    before = await register.table_counts()
    response = await register.client.get(
        "/graphql",
        params={
            "query": 'mutation { retractOrganisation(slug: "home-office", reason: "x") '
            "{ __typename } }"
        },
        headers=register.headers("editor"),
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert await register.table_counts() == before


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", '{"query": "{ __typename }"}'),
        ("application/x-www-form-urlencoded", "query=%7B__typename%7D"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="query"'
            "\r\n\r\n{ __typename }\r\n--x--\r\n",
        ),
        ("", '{"query": "{ __typename }"}'),
    ],
)
async def test_text_and_form_posts_are_refused(
    client: httpx.AsyncClient, app: Starlette, content_type: str, content: str
) -> None:
    with counting_statements(app.state.engine) as counter:
        response = await client.post(
            "/graphql", content=content, headers={"content-type": content_type}
        )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert counter.count == 0


async def test_the_parser_and_validation_caches_are_bounded(seeded_database_url: str) -> None:
    app = create_app(settings_for(seeded_database_url, query_cache_size=7))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        for n in range(30):
            body = (await http.post("/graphql", json={"query": f"{{ a{n}: __typename }}"})).json()
            assert body == {"data": {f"a{n}": "Query"}}
    await app.state.engine.dispose()
    for cache in (_get_parse_cache(7), _get_validate_cache(7)):
        info = cache.cache_info()  # type: ignore[attr-defined]
        assert info.maxsize == 7
        assert 0 < info.currsize <= 7


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_by_default_and_can_be_turned_off(
    client: httpx.AsyncClient, seeded_database_url: str
) -> None:
    allowed = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
    assert allowed == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    app = create_app(settings_for(seeded_database_url, introspection=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        error = await refused(http, app, {"query": INTROSPECTION}, errors=2)
    await app.state.engine.dispose()
    assert error["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_graphiqls_own_introspection_query_fits_the_limits(
    client: httpx.AsyncClient,
) -> None:
    from graphql import get_introspection_query

    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    body = (await client.post("/graphql", json={"query": query})).json()
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_a_token_over_its_mutation_rate_gets_429_with_retry_after(tmp_path: Path) -> None:
    async with open_register(tmp_path, mutations_per_minute=2) as register:
        before = await register.counts()
        answers = []
        for n in range(3):
            organisation = {"slug": f"org-{n}", "name": f"Org {n}", "groups": ["womens-groups"]}
            answers.append(await register.send(CREATE, {"input": organisation}))
        after = await register.counts()
        other_token = await register.send(
            CREATE,
            {"input": {"slug": "org-x", "name": "Org X", "groups": ["womens-groups"]}},
            "admin",
        )
        reading = await register.send("{ __typename }", {})
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [
        a.json()["data"] and a.json()["data"]["createOrganisation"]["__typename"]
        for a in answers[:2]
    ] == ["OrganisationSaved", "OrganisationSaved"]
    limited = answers[2]
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    error = limited.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(limited.headers["retry-after"])
    assert limited.json()["data"] is None
    assert after[:2] == (before[0] + 2, before[1] + 2)  # two organisations, two audit entries
    assert other_token.status_code == 200  # the limit is per token
    assert reading.status_code == 200  # and on changes only


@pytest.mark.parametrize(
    ("limits", "held"),
    [
        ({"max_in_flight": 2}, 2),  # admitted requests: the next is shed at once
        ({"max_active": 1, "queue_timeout": 0.3}, 1),  # running: the next waits, then is shed
    ],
)
async def test_requests_past_the_limits_are_shed_with_503(
    seeded_database_url: str, monkeypatch: pytest.MonkeyPatch, limits: dict[str, Any], held: int
) -> None:
    release, all_held = asyncio.Event(), asyncio.Event()
    real = queries.by_slugs
    held_count = 0

    async def slow(*args: Any, **kwargs: Any) -> Any:
        nonlocal held_count
        held_count += 1
        if held_count == held:
            all_held.set()
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(queries, "by_slugs", slow)
    # Held in the loaders, so on the field-by-field path, not the compiled one.
    app = create_app(settings_for(seeded_database_url, compiled_reads=False, **limits))
    transport = httpx.ASGITransport(app=app)
    query = {"query": '{ document(slug: "npcc-foi-059-19") { kind } }'}
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        waiting = [asyncio.create_task(http.post("/graphql", json=query)) for _ in range(held)]
        await asyncio.wait_for(all_held.wait(), 10)
        shed = await asyncio.wait_for(http.post("/graphql", json=query), 5)
        live = await http.get("/livez")
        release.set()
        answered = await asyncio.wait_for(asyncio.gather(*waiting), 10)
    await app.state.engine.dispose()
    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert shed.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
    assert live.status_code == 200
    assert [r.json() for r in answered] == [{"data": {"document": {"kind": "FOI_RESPONSE"}}}] * held
