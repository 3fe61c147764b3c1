"""The attacker's probe of issue 11: each finding's request, as it was sent, and what it gets now.

Findings 1, 3 and 4 (the cost rule) are in test_limits.py, 6 (mutation fields rate-limited) in
test_rate_limit.py and 7 (merge redirects on the compiled path) in test_compiled_reads.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette

from api.app import create_app
from schema.ids import encode_cursor, global_id
from tests.conftest import settings_for
from tests.editing_fixtures import Register
from tests.graphql import error_codes, graphql
from tests.test_merging import MERGE

BYSTANDER = {"query": "{ documents(first: 1) { totalCount } }"}


@asynccontextmanager
async def serving(
    database_url: str, **settings: Any
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings_for(database_url, **settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        yield app, http
    await app.state.engine.dispose()


class ConnectionsInUse:
    """Counts the engine's pooled connections checked out at once, and the most there were."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.now = self.most = 0
        event.listen(engine.sync_engine, "checkout", self._out)
        event.listen(engine.sync_engine, "checkin", self._in)

    def _out(self, *args: Any) -> None:
        self.now += 1
        self.most = max(self.most, self.now)

    def _in(self, *args: Any) -> None:
        self.now -= 1


# ---------------------------------------------------------------- finding 2


def aliased_searches(count: int) -> str:
    """Finding 2's request: `count` aliased searches for "police", 100 hits each."""
    fields = " ".join(
        f's{n}: search(text: "police", first: 100) {{ totalCount nodes {{ snippet matchedIn }} }}'
        for n in range(count)
    )
    return f"{{ {fields} }}"


async def test_thirty_aliased_root_fields_hold_one_connection_at_a_time(
    seeded_database_url: str,
) -> None:
    nested = (
        "{ "
        + " ".join(
            f"d{n}: documents(first: 5) {{ nodes {{ slug consultations(first: 5) "
            "{ totalCount nodes { organisation { name } } } } }"
            for n in range(10)
        )
        + " }"
    )
    # The repro as sent: 30 aliases, which anonymous readers may send no more (test_limits.py).
    async with serving(seeded_database_url, anonymous_max_aliases=30) as (app, http):
        in_use = ConnectionsInUse(app.state.engine)
        searched = await http.post("/graphql", json={"query": aliased_searches(30)})
        loaded = await http.post("/graphql", json={"query": nested})
    assert searched.status_code == 200, searched.text
    assert "errors" not in searched.json()
    hits = searched.json()["data"]["s0"]["totalCount"]
    assert hits > 0 and all(v["totalCount"] == hits for v in searched.json()["data"].values())
    assert loaded.status_code == 200 and "errors" not in loaded.json(), loaded.text
    # 30 root fields and their loaders took turns on one connection.
    assert in_use.most == 1


@pytest.mark.parametrize("compiled_reads", [False, True])
async def test_a_busy_pool_is_overloaded_not_unavailable(
    seeded_database_url: str, compiled_reads: bool
) -> None:
    # One pooled connection and one in overflow, both held: no request can get one in time.
    async with serving(
        seeded_database_url,
        db_pool_size=1,
        db_max_overflow=1,
        db_pool_timeout=0.2,
        compiled_reads=compiled_reads,
        anonymous_max_aliases=30,
    ) as (app, http):
        async with AsyncExitStack() as held:
            for _ in range(2):
                connection: AsyncConnection = await held.enter_async_context(
                    app.state.engine.connect()
                )
                await connection.exec_driver_sql("SELECT 1")
            waited = await http.post("/graphql", json=BYSTANDER)
            searched = await http.post("/graphql", json={"query": aliased_searches(30)})
            ready = await http.get("/readyz")
            breaker_open = app.state.breaker.open
        after = await http.post("/graphql", json=BYSTANDER)
    for answer in (waited, searched):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "1"
        assert set(error_codes(answer.json())) == {"OVERLOADED"}
        assert "unavailable" not in answer.text
    assert not breaker_open
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    assert after.status_code == 200 and "errors" not in after.json()


# The cost rule counts this read at over 1,000 (50 documents, their principles): heavy below.
HEAVY_READ = {"query": "{ documents(first: 50) { nodes { slug principles { title } } } }"}


@pytest.mark.parametrize("compiled_reads", [False, True])
async def test_heavy_requests_take_turns_in_their_lane_and_cheap_ones_pass_them(
    seeded_database_url: str, compiled_reads: bool
) -> None:
    # Heavy from a cost of 1,000, one running and none waiting; the pool's two connections
    # are held, so the first heavy request stays in the lane until they are let go.
    async with serving(
        seeded_database_url,
        heavy_cost=1_000,
        heavy_waiting=0,
        db_pool_size=1,
        db_max_overflow=1,
        db_pool_timeout=30,
        compiled_reads=compiled_reads,
    ) as (app, http):
        lane = app.state.heavy_lane
        async with AsyncExitStack() as held:
            for _ in range(2):
                connection: AsyncConnection = await held.enter_async_context(
                    app.state.engine.connect()
                )
                await connection.exec_driver_sql("SELECT 1")
            first = asyncio.create_task(http.post("/graphql", json=HEAVY_READ))
            for _ in range(1000):  # until it is in the lane
                if lane.running:
                    break
                await asyncio.sleep(0.01)
            second = await http.post("/graphql", json=HEAVY_READ)
            cheap = asyncio.create_task(http.post("/graphql", json=BYSTANDER))
            # In the lane it would be refused at once; it waits for the database instead.
            done, _ = await asyncio.wait({cheap}, timeout=1)
            assert not done and not first.done()
            assert lane.running == 1
        answers = [await first, await cheap]
        assert lane.running == 0
        third = await http.post("/graphql", json=HEAVY_READ)
        breaker_open = app.state.breaker.open
    assert second.status_code == 503, second.text
    assert second.headers["retry-after"] == "1"
    assert error_codes(second.json()) == ["OVERLOADED"]
    assert second.json().get("data") is None
    for answer in [*answers, third]:
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    assert len(answers[0].json()["data"]["documents"]["nodes"]) > 1
    assert not breaker_open


# ---------------------------------------------------------------- finding 8

BEYOND_32_BITS = 2**31  # PostgreSQL's INTEGER ends at 2**31 - 1
LONG_TEXT = "a" * 900_000  # SQLite: "LIKE or GLOB pattern too complex"
CURSOR = encode_cursor(BEYOND_32_BITS)

OUT_OF_RANGE = {
    "node id": f'{{ node(id: "{global_id("Document", BEYOND_32_BITS)}") {{ id }} }}',
    "documents after": f'{{ documents(after: "{CURSOR}") {{ totalCount nodes {{ slug }} }} }}',
    "organisations after": f'{{ organisations(after: "{CURSOR}") {{ nodes {{ slug }} }} }}',
    "a document's consultations after": (
        f'{{ documents(first: 1) {{ nodes {{ consultations(after: "{CURSOR}") '
        "{ nodes { role } } } } }"
    ),
    "an organisation's consultations after": (
        f'{{ organisations(first: 1) {{ nodes {{ consultations(after: "{CURSOR}") '
        "{ nodes { role } } } } }"
    ),
    "a group's organisations after": (
        f'{{ stakeholderGroups {{ organisations(after: "{CURSOR}") {{ nodes {{ slug }} }} }} }}'
    ),
    "a topic's documents after": (
        f'{{ topics {{ documents(after: "{CURSOR}") {{ nodes {{ slug }} }} }} }}'
    ),
    "coverageMatrix after": f'{{ coverageMatrix(after: "{CURSOR}") {{ totalCount }} }}',
    "search after": f'{{ search(text: "police", after: "{CURSOR}") {{ nodes {{ snippet }} }} }}',
    "documents filter text": (
        f'{{ documents(filter: {{text: "{LONG_TEXT}"}}) {{ totalCount nodes {{ slug }} }} }}'
    ),
    "organisations filter text": (
        f'{{ organisations(filter: {{text: "{LONG_TEXT}"}}) {{ totalCount nodes {{ slug }} }} }}'
    ),
}


@pytest.mark.parametrize("variant", list(OUT_OF_RANGE))
async def test_ids_cursors_and_filter_texts_out_of_range_are_bad_input(
    client: httpx.AsyncClient, variant: str
) -> None:
    response = await client.post("/graphql", json={"query": OUT_OF_RANGE[variant]})
    body = response.json()
    assert response.status_code == 200
    assert error_codes(body) == ["BAD_USER_INPUT"] * len(body["errors"]), body["errors"]
    message = body["errors"][0]["message"]
    assert "over 2147483647" in message or "at most 500 characters" in message


@pytest.mark.parametrize("field", ["document", "organisation", "topic", "stakeholderGroup"])
async def test_an_over_long_slug_names_nothing(client: httpx.AsyncClient, field: str) -> None:
    data = await graphql(client, f'{{ {field}(slug: "{LONG_TEXT}") {{ slug }} }}')
    assert data == {field: None}


async def test_the_largest_id_and_cursor_are_answered(client: httpx.AsyncClient) -> None:
    largest = 2**31 - 1
    data = await graphql(
        client,
        f'{{ node(id: "{global_id("Document", largest)}") {{ id }} '
        f'documents(after: "{encode_cursor(largest)}") {{ nodes {{ slug }} }} }}',
    )
    assert data == {"node": None, "documents": {"nodes": []}}


# ---------------------------------------------------------------- findings 10 and 11


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("{ auditLo }", "Did you mean 'auditLog'?"),
        ("{ documents(filter: {kind: GUIDANC}) { totalCount } }", "Did you mean the enum value"),
        ("mutation { createTopi }", "Did you mean 'createTopic'"),
    ],
)
async def test_with_introspection_off_no_error_suggests_a_name(
    seeded_database_url: str, client: httpx.AsyncClient, query: str, hint: str
) -> None:
    async with serving(seeded_database_url, introspection=False) as (_, closed):
        hidden = await closed.post("/graphql", json={"query": query})
    shown = await client.post("/graphql", json={"query": query})  # introspection on
    assert hint in shown.text
    assert error_codes(hidden.json()) == error_codes(shown.json())
    assert "Did you mean" not in hidden.text
    message = hidden.json()["errors"][0]["message"]
    assert message == shown.json()["errors"][0]["message"].split(" Did you mean")[0]


async def test_the_slash_redirect_ignores_the_host_header(client: httpx.AsyncClient) -> None:
    for path in ("/graphql/", "/"):
        response = await client.get(path, headers={"host": "evil.example"})
        assert response.status_code in (302, 307)
        assert response.headers["location"] == "/graphql"


@pytest.mark.parametrize(
    "content_type", ["Application/JSON", "APPLICATION/JSON; charset=UTF-8", "application/Json"]
)
async def test_content_types_are_matched_without_regard_to_case(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ documents(first: 1) { totalCount } }"}',
        headers={"content-type": content_type},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["documents"]["totalCount"] > 0
    refused = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": "Text/Plain"}
    )
    assert refused.status_code == 415


# ---------------------------------------------------------------- finding 9

DRAFT_NAME = "Home Office Draft Unit"


async def _answer(register: Register, query: str, who: str) -> Any:
    body = (await register.send(query, {}, who)).json()
    assert "errors" not in body, body
    return body["data"]


async def test_merging_a_draft_organisation_publishes_nothing_of_it(register: Register) -> None:
    await _answer(
        register,
        f"""mutation {{ createOrganisation(input: {{slug: "ho-draft-unit", name: "{DRAFT_NAME}",
        aliases: ["HODU"], groups: ["sex-worker-support"], published: false}}) {{ __typename }} }}""",
        "editor",
    )
    await _answer(
        register,
        """mutation { createConsultation(input: {document: "beyond-the-gaze",
        organisation: "ho-draft-unit", role: REVIEWER, evidence: [{source: "npcc-foi-059-19",
        locator: "Q9", quote: "In addition"}]}) { __typename } }""",
        "editor",
    )
    seen = """{ organisation(slug: "home-office") { slug aliases groups { slug }
        consultations { totalCount nodes { role document { slug } } } } }"""
    before = await _answer(register, seen, "anonymous")
    versions = await _answer(
        register,
        """{ a: organisation(slug: "home-office") { version }
        b: organisation(slug: "ho-draft-unit") { version } }""",
        "editor",
    )
    merged = await register.send(
        MERGE,
        {
            "survivor": "home-office",
            "merged": "ho-draft-unit",
            "sv": versions["a"]["version"],
            "mv": versions["b"]["version"],
            "reason": "The same body.",
        },
        "admin",
    )
    assert merged.json()["data"]["mergeOrganisations"]["__typename"] == "OrganisationSaved"

    # Anonymous: the survivor is as it was; the draft's slug, name and alias lead nowhere.
    assert await _answer(register, seen, "anonymous") == before
    looked_up = await _answer(
        register,
        f"""{{ organisation(slug: "ho-draft-unit") {{ slug }}
        byName: organisations(filter: {{text: "{DRAFT_NAME}"}}) {{ totalCount }}
        byAlias: organisations(filter: {{text: "HODU"}}) {{ totalCount }} }}""",
        "anonymous",
    )
    assert looked_up == {
        "organisation": None,
        "byName": {"totalCount": 0},
        "byAlias": {"totalCount": 0},
    }
    # An editor follows the slug, and finds the consultation moved, as a draft.
    edited = await _answer(
        register,
        """{ organisation(slug: "ho-draft-unit") { slug
        consultations { nodes { published document { slug } } } } }""",
        "editor",
    )
    assert edited["organisation"]["slug"] == "home-office"
    moved = [
        c
        for c in edited["organisation"]["consultations"]["nodes"]
        if c["document"]["slug"] == "beyond-the-gaze"
    ]
    assert moved == [{"published": False, "document": {"slug": "beyond-the-gaze"}}]
