"""Tools for the soak tests: a private PostgreSQL cluster, real servers, and a load of readers
and writers that counts every answer. Loopback only; every wait has a deadline."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from db import tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from seeds.loader import seed_database
from tests.databases import migrate

# The fault drill stops and restarts this cluster; the shared one on 5432 is never touched.
CLUSTER = "footprint_faults"
CLUSTER_PORT = 8637
SERVER_PORTS = iter(range(8601, 8636))


def postgres_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])
    return versions[-1]


def pg_ctl(action: str) -> None:
    version = postgres_version()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, action],
        check=True,
        timeout=60,
        capture_output=True,
    )


def cluster_accepts() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(CLUSTER_PORT)], timeout=10
        ).returncode
        == 0
    )


def ensure_cluster() -> str:
    """Create (if absent) and start the private cluster; return its admin URL."""
    if shutil.which("pg_createcluster") is None:
        raise RuntimeError("the soak tests need PostgreSQL's pg_createcluster (postgresql-common)")
    version = postgres_version()
    if not Path(f"/etc/postgresql/{version}/{CLUSTER}").exists():
        subprocess.run(
            ["pg_createcluster", version, CLUSTER, "--port", str(CLUSTER_PORT), "--",
             "--auth=trust"],
            check=True, timeout=120, capture_output=True,
        )  # fmt: skip
    if not cluster_accepts():
        pg_ctl("start")
    wait_until(cluster_accepts, 30, "the private PostgreSQL cluster to accept connections")
    return f"postgresql://postgres@127.0.0.1:{CLUSTER_PORT}/postgres"


def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {what}")
        time.sleep(0.1)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def cluster_database() -> AsyncIterator[str]:
    """A new, migrated, seeded database on the private cluster; dropped afterwards."""
    admin = ensure_cluster()
    name = f"footprint_soak_{uuid.uuid4().hex[:10]}"
    await _admin(admin, f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(migrate, url)
        await asyncio.to_thread(asyncio.run, seed_database(url))
        yield url
    finally:
        if not cluster_accepts():
            pg_ctl("start")
            wait_until(cluster_accepts, 30, "the private cluster to come back")
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def issue_tokens(url: str, names: list[str]) -> dict[str, str]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return {
                name: (await tokens.issue(session, name, TokenRole.EDITOR, None)).token
                for name in names
            }
    finally:
        await engine.dispose()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_until_answers(self, path: str, seconds: float) -> None:
        """Wait for `path` to answer 200; if the process exits meanwhile, say why."""

        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.process.args!r} exited: {self.log.read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.url}{path}", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, seconds, f"{self.url}{path} to answer")

    def terminate(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)


@contextmanager
def serve(
    database_url: str, log_dir: Path, port: int | None = None, **settings: str
) -> Iterator[Server]:
    """`footprint serve` in its own process on `port` (else one of our range); stopped
    afterwards."""
    port = port or next(SERVER_PORTS)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FOOTPRINT_PORT": str(port),
        "FOOTPRINT_LOG_LEVEL": "WARNING",
        **{f"FOOTPRINT_{key.upper()}": value for key, value in settings.items()},
    }
    log = log_dir / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        server.wait_until_answers("/livez", 60)
        yield server
    finally:
        server.terminate()


READS = [
    "{ documents(first: 5) { totalCount nodes { slug title consultations(first: 3) "
    "{ nodes { role organisation { name } } } } } }",
    '{ organisation(slug: "home-office") { name influences { effect principle { position } } } }',
    "{ organisations(first: 10) { totalCount nodes { slug name } } }",
    '{ search(text: "Ugly Mugs") { totalCount nodes { matchedIn } } }',
]

CREATE = """mutation($input: OrganisationInput!, $key: String) {
  createOrganisation(input: $input, idempotencyKey: $key) {
    __typename ... on OrganisationSaved { organisation { slug } }
    ... on EditRefused { errors { code message } } } }"""


@dataclass
class Tally:
    """Every answer of a load run."""

    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    slow_failures: list[float] = field(default_factory=list)  # non-200s slower than 3 s
    acknowledged: set[str] = field(default_factory=set)
    refused_writes: list[str] = field(default_factory=list)
    transport_errors: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0  # requests sent and not yet answered

    def record(self, status: int, body: Any, seconds: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(seconds)
        for error in (body or {}).get("errors", []) if isinstance(body, dict) else []:
            self.codes[str(error.get("extensions", {}).get("code"))] += 1
        if status != 200 and seconds > 3:
            self.slow_failures.append(seconds)

    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


async def _send(
    http: httpx.AsyncClient, tally: Tally, body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, Any]:
    started = time.monotonic()
    tally.in_flight += 1
    try:
        response = await http.post("/graphql", json=body, headers=headers)
    except httpx.HTTPError as error:
        tally.transport_errors[type(error).__name__] += 1
        return 0, None
    finally:
        tally.in_flight -= 1
    try:
        payload = response.json()
    except ValueError:
        payload = None
    tally.record(response.status_code, payload, time.monotonic() - started)
    return response.status_code, payload


async def reader(http: httpx.AsyncClient, tally: Tally, until: float, n: int) -> None:
    turn = n
    while time.monotonic() < until:
        status, _ = await _send(http, tally, {"query": READS[turn % len(READS)]}, {})
        if status in (429, 503):  # a well-behaved client waits as Retry-After asks
            await asyncio.sleep(1)
        turn += 1


async def writer(
    http: httpx.AsyncClient, tally: Tally, until: float, name: str, token: str
) -> None:
    """Creates organisations; a write that fails for want of the database is sent again with
    the same idempotency key until it is acknowledged, so none is lost or made twice."""
    headers = {"authorization": f"Bearer {token}"}
    count = 0
    while time.monotonic() < until:
        slug = f"load-{name}-{count}"
        body = {
            "query": CREATE,
            "variables": {
                "input": {
                    "slug": slug,
                    "name": f"Load {name} {count}",
                    "groups": ["womens-groups"],
                },
                "key": slug,
            },
        }
        deadline = until + 15  # a write pending at the end gets a little longer
        while time.monotonic() < deadline:
            status, payload = await _send(http, tally, body, headers)
            result = ((payload or {}).get("data") or {}).get("createOrganisation")
            if status == 200 and result and result["__typename"] == "OrganisationSaved":
                tally.acknowledged.add(slug)
                break
            if status == 200 and result:  # refused: a bug in the load, or a lost race
                tally.refused_writes.append(f"{slug}: {result}")
                break
            retry = 0.5
            if status == 429:
                retry = float((payload or {})["errors"][0]["extensions"]["retryAfter"])
            await asyncio.sleep(retry)
        count += 1


async def run_load(
    base_url: str,
    seconds: float,
    readers: int,
    writer_tokens: dict[str, str],
    tally: Tally | None = None,
) -> Tally:
    """Readers and writers for `seconds`; `tally` (a new one if not given) counts as it goes."""
    tally = tally or Tally()
    until = time.monotonic() + seconds
    # Idle connections are dropped before uvicorn (5 s) drops them, so none is reused as it closes.
    limits = httpx.Limits(max_connections=readers + len(writer_tokens) + 10, keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as http:
        await asyncio.gather(
            *[reader(http, tally, until, n) for n in range(readers)],
            *[writer(http, tally, until, name, token) for name, token in writer_tokens.items()],
        )
    return tally


async def load_rows(url: str) -> tuple[set[str], int]:
    """The load's organisations in the database, and the audit entries of their creation."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        slugs = {
            row["slug"]
            for row in await connection.fetch(
                "SELECT slug FROM organisation WHERE slug LIKE 'load-%'"
            )
        }
        audited = await connection.fetchval(
            "SELECT count(*) FROM audit_entry a JOIN organisation o ON o.id = a.entity_id "
            "WHERE a.entity = 'organisation' AND a.action = 'CREATE' AND o.slug LIKE 'load-%'"
        )
    finally:
        await connection.close()
    return slugs, int(audited)
