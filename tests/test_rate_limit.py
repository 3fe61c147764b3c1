"""The per-token rate limit counts changes (mutation fields), all before any runs, and on
PostgreSQL holds across every process that shares the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from db.models import AuditEntry, Topic
from tests.conftest import settings_for
from tests.databases import backend_name
from tests.editing_fixtures import Register, open_register
from tests.graphql import aliased_creates


async def written(register: Register, prefix: str) -> tuple[int, int]:
    """Topics whose slug starts with `prefix`, and the audit entries of their creation."""
    async with register.sessionmaker() as session:
        topics = await session.scalar(
            select(func.count(Topic.id)).where(Topic.slug.like(f"{prefix}-%"))
        )
        audited = await session.scalar(
            select(func.count(AuditEntry.id))
            .join(Topic, Topic.id == AuditEntry.entity_id)
            .where(AuditEntry.entity == "topic", Topic.slug.like(f"{prefix}-%"))
        )
    return int(topics or 0), int(audited or 0)


def assert_rate_limited(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    body: dict[str, Any] = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert isinstance(error, dict)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(response.headers["retry-after"]) >= 1
    return error


async def test_six_requests_of_thirty_aliased_creates_make_at_most_the_limit(
    tmp_path: Path,
) -> None:
    # Issue 11, finding 6: 6 requests x 30 aliased createTopic made 180 writes against 120.
    async with open_register(tmp_path, mutations_per_minute=120) as register:
        answers = [
            await register.send(aliased_creates(f"t{n}", 30), {}, "editor") for n in range(6)
        ]
        made = [await written(register, f"t{n}") for n in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    for answer in answers[:4]:
        saved = [field["__typename"] for field in answer.json()["data"].values()]
        assert saved == ["TopicSaved"] * 30
    for answer in answers[4:]:
        error = assert_rate_limited(answer)
        assert error["extensions"]["retryAfter"] <= 15  # 30 changes at 2 a second, at most
    assert made == [(30, 30)] * 4 + [(0, 0)] * 2  # 120 writes, each audited; none of the rest


async def test_a_request_over_what_is_left_is_refused_whole(tmp_path: Path) -> None:
    async with open_register(tmp_path, mutations_per_minute=10) as register:
        first = await register.send(aliased_creates("a", 6), {})
        second = await register.send(aliased_creates("b", 6), {})  # 4 left: none of the 6 runs
        third = await register.send(aliased_creates("c", 4), {})  # the 4 are still there
        made = [await written(register, prefix) for prefix in "abc"]
    assert first.status_code == 200
    assert_rate_limited(second)
    assert third.status_code == 200, third.text
    assert made == [(6, 6), (0, 0), (4, 4)]


async def test_a_request_of_more_changes_than_a_minute_allows_says_so(tmp_path: Path) -> None:
    async with open_register(tmp_path, mutations_per_minute=5) as register:
        answer = await register.send(aliased_creates("big", 6), {})
        made = await written(register, "big")
    error = assert_rate_limited(answer)
    assert error["message"] == (
        "This request makes 6 changes; a token may make 5 a minute. Send them in smaller requests."
    )
    assert made == (0, 0)


async def test_fragments_are_counted_and_a_response_key_once(tmp_path: Path) -> None:
    repeated = """mutation { __typename ...Two ...Two ... on Mutation { ...Two } }
        fragment Two on Mutation {
          one: createTopic(input: {slug: "f-1", name: "F 1"}) { __typename }
          two: createTopic(input: {slug: "f-2", name: "F 2"}) { __typename } }"""
    async with open_register(tmp_path, mutations_per_minute=3) as register:
        first = await register.send(repeated, {})  # two changes: the spreads share their keys
        second = await register.send(aliased_creates("g", 2), {})  # one is left
        made = [await written(register, prefix) for prefix in "fg"]
    assert first.status_code == 200, first.text
    assert_rate_limited(second)
    assert made == [(2, 2), (0, 0)]


async def test_the_limit_holds_across_processes_sharing_postgresql(tmp_path: Path) -> None:
    if backend_name() == "sqlite":
        pytest.skip("on SQLite (one machine) each process keeps its own buckets")
    async with open_register(tmp_path, mutations_per_minute=4) as register:
        url = str(register.app.state.settings.database_url)
        other = create_app(settings_for(url, mutations_per_minute=4))  # a second API process
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as client:
            here = await register.send(aliased_creates("p", 3), {})
            there = await client.post(
                "/graphql",
                json={"query": aliased_creates("q", 3)},
                headers=register.headers("editor"),
            )
            admin = await client.post(
                "/graphql",
                json={"query": aliased_creates("r", 3)},
                headers=register.headers("admin"),
            )
        await other.state.engine.dispose()
        made = [await written(register, prefix) for prefix in "pqr"]
    assert here.status_code == 200
    assert_rate_limited(there)  # 1 left of the token's 4, whichever process it asks
    assert admin.status_code == 200  # another token has its own bucket
    assert made == [(3, 3), (0, 0), (3, 3)]
