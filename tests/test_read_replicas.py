"""Reads on PostgreSQL read replicas: anonymous reads go to a replica that is up and close
behind, an editor's only once it has replayed their last change, mutations to the primary;
a replica that lags, is down or fails mid-request is skipped and no request fails.

The "replica" here is a second database holding the seeds with one organisation renamed, so
an answer shows where it was read; how far it has replayed is set by the test. The real
streaming replica is in the soak drill (tests/test_soak_scale_out.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from api.settings import Settings
from db.engine import create_engine, create_sessionmaker
from db.models import ApiToken
from db.replicas import ReadReplicas
from seeds.loader import load_seeds
from tests.conftest import settings_for
from tests.databases import backend_name, empty_database
from tests.editing_fixtures import Register, open_register
from tests.graphql import metric_samples

ON_PRIMARY, ON_REPLICA = "Home Office", "Home Office (as the replica has it)"
HOME_OFFICE = '{ organisation(slug: "home-office") { name } }'
CREATE = """mutation($input: OrganisationInput!) { createOrganisation(input: $input) {
    __typename ... on OrganisationSaved { organisation { slug groups { slug } } } } }"""
ALL_REPLAYED = 2**62


@dataclass
class Replayed:
    """How far the test's replica has replayed the primary's WAL."""

    position: int = ALL_REPLAYED


async def _replica_copy(url: str) -> None:
    engine = create_engine(url)
    try:
        await load_seeds(create_sessionmaker(engine))
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE organisation SET name = :name WHERE slug = 'home-office'"),
                {"name": ON_REPLICA},
            )
    finally:
        await engine.dispose()


@pytest.fixture
async def replicated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Register, Replayed, str]]:
    if backend_name() == "sqlite":
        pytest.skip("read replicas are PostgreSQL's")
    with empty_database(tmp_path) as replica_url:
        await _replica_copy(replica_url)
        async with open_register(tmp_path, database_read_url=replica_url) as register:
            replicas: ReadReplicas = register.app.state.replicas
            replayed = Replayed()

            async def position(connection: AsyncConnection) -> int:
                await connection.execute(text("SELECT 1"))  # it must still answer
                return replayed.position

            monkeypatch.setattr(replicas, "replayed", position)
            await replicas.check()
            yield register, replayed, replica_url


async def name_read(register: Register, who: str, method: str = "POST") -> str:
    """Home Office's name as `who` reads it: by POST (the compiled path for anonymous
    readers), or by GET (the resolvers)."""
    if method == "GET":
        response = await register.client.get(
            "/graphql", params={"query": HOME_OFFICE}, headers=register.headers(who)
        )
    else:
        response = await register.send(HOME_OFFICE, {}, who)
    assert response.status_code == 200, response.text
    name: str = response.json()["data"]["organisation"]["name"]
    return name


async def metric(register: Register, sample: str) -> float:
    return metric_samples((await register.client.get("/metrics")).text).get(sample, 0.0)


async def test_anonymous_reads_go_to_the_replica(
    replicated: tuple[Register, Replayed, str],
) -> None:
    register, _, _ = replicated
    before = await metric(register, 'footprint_db_reads_total{database="replica-1"}')
    assert await name_read(register, "anonymous", "POST") == ON_REPLICA
    assert await name_read(register, "anonymous", "GET") == ON_REPLICA
    after = await metric(register, 'footprint_db_reads_total{database="replica-1"}')
    assert after - before == 2


async def test_an_editor_reads_their_change_on_the_primary_until_the_replica_has_it(
    replicated: tuple[Register, Replayed, str],
) -> None:
    register, replayed, _ = replicated
    replicas: ReadReplicas = register.app.state.replicas
    assert await name_read(register, "editor", "GET") == ON_REPLICA  # no change of theirs yet

    organisation = {"slug": "new-charity", "name": "New Charity", "groups": ["womens-groups"]}
    created = (await register.send(CREATE, {"input": organisation})).json()
    # The mutation's answer is read on the primary: the replica has no such organisation.
    saved = created["data"]["createOrganisation"]["organisation"]
    assert saved == {"slug": "new-charity", "groups": [{"slug": "womens-groups"}]}
    async with register.sessionmaker() as session:
        written = await session.scalar(
            select(ApiToken.last_write_lsn).where(ApiToken.name == "editor")
        )
    assert written is not None and written > 0

    replayed.position = written - 1  # the replica has not replayed the change yet
    await replicas.check()
    assert await name_read(register, "editor", "GET") == ON_PRIMARY
    assert await name_read(register, "admin", "GET") == ON_REPLICA  # other tokens are not held
    assert await name_read(register, "anonymous", "GET") == ON_REPLICA

    replayed.position = written  # now it has
    await replicas.check()
    assert await name_read(register, "editor", "GET") == ON_REPLICA


async def test_a_replica_lost_mid_request_fails_no_request(
    replicated: tuple[Register, Replayed, str],
) -> None:
    register, _, replica_url = replicated
    replicas: ReadReplicas = register.app.state.replicas
    for method in ("POST", "GET"):
        assert await name_read(register, "anonymous", method) == ON_REPLICA  # a pooled connection
        await _terminate_connections(replica_url)
        # The replica's connection fails under the request, which is read again on the primary.
        assert await name_read(register, "anonymous", method) == ON_PRIMARY
        assert replicas.status()["replica-1"]["status"] == "down"
        await replicas.check()  # the server is still there: the next check takes it back
        assert replicas.status()["replica-1"]["status"] == "ok"


async def _terminate_connections(url: str) -> None:
    database = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()


async def test_readyz_reports_each_database(replicated: tuple[Register, Replayed, str]) -> None:
    register, _, _ = replicated
    ready = await register.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "replicas": {"replica-1": {"status": "ok", "lag_seconds": 0.0}},
    }


async def test_a_replica_that_is_down_is_skipped_and_reported(tmp_path: Path) -> None:
    if backend_name() == "sqlite":
        pytest.skip("read replicas are PostgreSQL's")
    nowhere = "postgresql://postgres@127.0.0.1:9/none"  # the discard port: nothing listens
    async with open_register(tmp_path, database_read_url=nowhere) as register:
        ready = await register.client.get("/readyz")
        assert await name_read(register, "anonymous", "POST") == ON_PRIMARY
        assert await name_read(register, "anonymous", "GET") == ON_PRIMARY
    assert ready.status_code == 200  # the primary answers: reads go there
    assert ready.json()["replicas"] == {"replica-1": {"status": "down", "lag_seconds": None}}


async def test_a_replica_further_behind_than_allowed_is_skipped(tmp_path: Path) -> None:
    if backend_name() == "sqlite":
        pytest.skip("read replicas are PostgreSQL's")
    with empty_database(tmp_path) as url:
        now = [100.0]
        primary, replica = create_engine(url), create_engine(url)
        replicas = ReadReplicas(primary, [replica], max_lag=2.0, clock=lambda: now[0])
        replayed = Replayed(position=0)  # behind anything the primary has

        async def position(connection: AsyncConnection) -> int:
            return replayed.position

        replicas.replayed = position  # type: ignore[method-assign]
        try:
            await replicas.check()  # the primary is ahead since the first sample: lag 0 s
            assert replicas.status() == {"replica-1": {"status": "ok", "lag_seconds": 0.0}}
            assert replicas.reader().database.name == "replica-1"
            now[0] += 3
            await replicas.check()
            assert replicas.status() == {"replica-1": {"status": "lagging", "lag_seconds": 3.0}}
            assert replicas.reader().database.name == "primary"
            replayed.position = ALL_REPLAYED  # caught up
            await replicas.check()
            assert replicas.reader().database.name == "replica-1"
            # An editor's read waits for a replica that has replayed their change.
            assert replicas.reader(after=ALL_REPLAYED + 1).database.name == "primary"
        finally:
            await replicas.close()
            await primary.dispose()


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"database_url": "sqlite:///x.db", "database_read_url": "postgresql://h/db"}, "needs"),
        ({"database_url": "postgresql://h/db", "database_read_url": "sqlite:///r.db"}, "must"),
        ({"database_url": "postgresql://h/db", "database_read_url": "not a url"}, "list"),
    ],
)
def test_read_replicas_are_postgresql_urls(settings: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Settings(_env_file=None, **settings)  # type: ignore[call-arg]


def test_several_read_replicas_in_one_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://p/db")
    monkeypatch.setenv("DATABASE_READ_URL", "postgresql://r1/db, postgres://r2/db")
    assert Settings(_env_file=None).read_urls == [  # type: ignore[call-arg]
        "postgresql+asyncpg://r1/db",
        "postgresql+asyncpg://r2/db",
    ]
    monkeypatch.delenv("DATABASE_READ_URL")
    assert settings_for("postgresql://p/db").read_urls == []
