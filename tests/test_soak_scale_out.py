"""The scale-out drill: two API processes behind HAProxy, on a primary alone or with a
streaming replica, under mixed load. One API process is stopped, then the replica is stopped
and started again; nothing acknowledged is lost and the rate limit holds across both APIs.

Run with `pytest -m soak -s tests/test_soak_scale_out.py`; each layout prints its figures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from seeds.loader import seed_database
from tests.databases import migrate
from tests.graphql import aliased_creates, metric_samples
from tests.scale_out import API_PORTS, Cluster, balancer, clusters
from tests.soak import Tally, issue_tokens, load_rows, run_load, serve

pytestmark = pytest.mark.soak

READERS, WRITERS = 12, 4
LOAD_SECONDS = 60  # the events below take about 30 s of it
LIMIT = 120  # changes a minute per token
PROBES, CHANGES = 8, 30  # the rate-limit probe: 8 requests of 30 aliased creates
REPLICA_READS = 'footprint_db_reads_total{database="replica-1"}'
PRIMARY_READS = 'footprint_db_reads_total{database="primary"}'


@dataclass
class Watch:
    """What the drill saw of the replica while the load ran."""

    api_lag: list[float] = field(default_factory=list)  # seconds, as the API's checks saw it
    replay_lag: list[float] = field(default_factory=list)  # seconds, pg_stat_replication's


async def test_scale_out_primary_only(tmp_path: Path) -> None:
    await drill(tmp_path, replica=False)


async def test_scale_out_with_a_streaming_replica(tmp_path: Path) -> None:
    await drill(tmp_path, replica=True)


async def drill(tmp_path: Path, *, replica: bool) -> None:
    layout = "replica" if replica else "primary only"
    with clusters(replica) as (primary, standby):
        url = primary.url
        await asyncio.to_thread(migrate, url)
        await asyncio.to_thread(asyncio.run, seed_database(url))
        issued = await issue_tokens(url, [f"writer{n}" for n in range(WRITERS)] + ["probe"])
        probe_token = issued.pop("probe")
        settings = {"mutations_per_minute": str(LIMIT)}
        if standby is not None:
            settings["database_read_url"] = standby.url
        with (
            serve(url, tmp_path, port=API_PORTS[0], **settings) as first,
            serve(url, tmp_path, port=API_PORTS[1], **settings) as second,
            balancer(tmp_path, [first.url, second.url]) as front,
        ):
            tally = Tally()
            load_ends = time.monotonic() + LOAD_SECONDS
            load = asyncio.create_task(run_load(front, LOAD_SECONDS, READERS, issued, tally))
            watch = Watch()
            watching = asyncio.create_task(_watch(second.url, primary, watch, standby))

            await asyncio.sleep(3)
            probe = await _rate_probe([first.url, second.url], probe_token)

            await asyncio.sleep(3)
            held = tally.in_flight  # at most what the stopped process held
            stop_code = await asyncio.to_thread(first.terminate)

            moves: dict[str, float] = {}
            if standby is not None:
                await asyncio.sleep(4)
                moves = await _replica_stopped_and_started(second.url, standby)
            events_done = time.monotonic() < load_ends  # every event happened under load
            result = await load
            watching.cancel()
        rows, audited = await load_rows(url)
        probe_rows = await _probe_rows(url)
        replica_rows = await _caught_up_rows(primary, standby) if standby else None

    failed = _failures(result)
    print(
        f"\nscale-out ({layout}): {sum(result.statuses.values())} requests in {LOAD_SECONDS} s "
        f"through HAProxy to 2 API processes; by status {dict(sorted(result.statuses.items()))}, "
        f"codes {dict(result.codes)}, transport errors {dict(result.transport_errors)}"
    )
    print(
        f"scale-out ({layout}): one API process stopped (exit {stop_code}) with {held} "
        f"requests in flight: {failed} failed"
    )
    print(
        f"scale-out ({layout}): writes acknowledged {len(result.acknowledged)} = rows "
        f"{len(rows)} = audit entries {audited}"
        + (f" = rows on the replica {replica_rows}" if replica_rows is not None else "")
    )
    print(
        f"scale-out ({layout}): rate limit {LIMIT}/min with two processes: {PROBES} requests "
        f"of {CHANGES} changes at once, half to each, answered in {probe['seconds']:.1f} s: "
        f"{probe['accepted']} accepted ({probe['accepted'] * CHANGES} changes, "
        f"{probe_rows} rows), {probe['refused']} refused 429; served per process "
        f"{probe['per_process']}"
    )
    if standby is not None:
        print(
            f"scale-out ({layout}): replica lag seen: max {max(watch.api_lag, default=0):.2f} s "
            f"by the API's checks, max {max(watch.replay_lag, default=0) * 1000:.0f} ms "
            f"replay_lag by PostgreSQL; reads on the primary {moves['to_primary']:.2f} s after "
            f"the replica stopped; back on the replica {moves['back']:.2f} s after it accepted "
            f"connections again ({moves['back_from_start']:.2f} s after it was started)"
        )

    assert events_done
    assert stop_code in (0, -15)
    assert failed <= held, (result.statuses, result.transport_errors)
    assert not result.refused_writes, result.refused_writes[:5]
    assert len(result.acknowledged) > 0
    assert result.acknowledged == rows
    assert audited == len(rows)
    if replica_rows is not None:
        assert replica_rows == len(rows)
    # Shared across both processes: at most the limit (and what refilled meanwhile), not 2x.
    refilled = probe["seconds"] * LIMIT / 60
    assert probe["accepted"] * CHANGES <= LIMIT + refilled
    assert probe["refused"] >= 1
    assert probe_rows == probe["accepted"] * CHANGES
    assert all(count > 0 for count in probe["per_process"])


def _failures(tally: Tally) -> int:
    """Answers that were neither an answer (200) nor a rate limit (429), and lost requests."""
    answered = sum(count for status, count in tally.statuses.items() if status not in (200, 429))
    return answered + sum(tally.transport_errors.values())


async def _rate_probe(api_urls: list[str], token: str) -> dict[str, Any]:
    """The probe token sends PROBES requests of CHANGES aliased creates at once, half to each
    process: with a bucket per process, each would accept LIMIT changes of them."""
    headers = {"authorization": f"Bearer {token}"}
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=120) as http:

        async def send(n: int) -> int:
            query = aliased_creates(f"probe{n}", CHANGES, "RateProbe")
            response = await http.post(
                f"{api_urls[n % 2]}/graphql", json={"query": query}, headers=headers
            )
            return response.status_code

        statuses = await asyncio.gather(*(send(n) for n in range(PROBES)))
        seconds = time.monotonic() - started
        served = []
        for api in api_urls:
            samples = metric_samples((await http.get(f"{api}/metrics")).text)
            # /metrics labels a name that is not one of ours "other"; the load's operations
            # are unnamed, so the probe's are the only mutations counted there.
            probes = [
                count
                for sample, count in samples.items()
                if sample.startswith(
                    'footprint_requests_total{operation="other",operation_type="mutation"'
                )
            ]
            served.append(int(sum(probes)))
    assert set(statuses) <= {200, 429}, statuses
    return {
        "accepted": statuses.count(200),
        "refused": statuses.count(429),
        "seconds": seconds,
        "per_process": served,
    }


async def _probe_rows(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM topic t JOIN audit_entry a ON a.entity = 'topic' "
                "AND a.entity_id = t.id AND a.action = 'CREATE' WHERE t.slug LIKE 'probe%'"
            )
        )
    finally:
        await connection.close()


async def _reads(api: str) -> tuple[float, float]:
    """Requests one API process has answered from the primary and from the replica."""
    async with httpx.AsyncClient(timeout=10) as http:
        samples = metric_samples((await http.get(f"{api}/metrics")).text)
    return samples.get(PRIMARY_READS, 0.0), samples.get(REPLICA_READS, 0.0)


async def _replica_stopped_and_started(api: str, standby: Cluster) -> dict[str, float]:
    """Stop the replica and time how soon reads go to the primary; start it and time how
    soon they come back. `api` is the process still running."""
    _, on_replica = await _reads(api)
    assert on_replica > 0, "the replica took no reads before it was stopped"
    await asyncio.to_thread(standby.stop)
    stopped = time.monotonic()
    primary_before, seen = await _reads(api)
    last_on_replica = stopped  # when the replica's count last grew
    while time.monotonic() - stopped < 5:
        await asyncio.sleep(0.1)
        on_primary, on_replica = await _reads(api)
        if on_replica != seen:
            last_on_replica, seen = time.monotonic(), on_replica
    to_primary = last_on_replica - stopped
    assert on_primary > primary_before, "reads did not move to the primary"
    await asyncio.sleep(4)
    started = time.monotonic()
    await asyncio.to_thread(standby.start)  # returns once it accepts connections
    accepting = time.monotonic()
    _, replica_before = await _reads(api)
    while True:
        await asyncio.sleep(0.1)
        _, on_replica = await _reads(api)
        if on_replica > replica_before:
            now = time.monotonic()
            return {
                "to_primary": to_primary,
                "back": now - accepting,
                "back_from_start": now - started,
            }
        assert time.monotonic() - accepting < 30, "reads did not come back to the replica"


async def _watch(api: str, primary: Cluster, watch: Watch, standby: Cluster | None) -> None:
    """Every half second: the replica's lag as the API reports it, and PostgreSQL's own."""
    if standby is None:
        return
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            try:
                ready = (await http.get(f"{api}/readyz")).json()
                lag = ready.get("replicas", {}).get("replica-1", {}).get("lag_seconds")
                if lag is not None:
                    watch.api_lag.append(float(lag))
                connection = await asyncpg.connect(primary.url)
                try:
                    replay = await connection.fetchval(
                        "SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication"
                    )
                finally:
                    await connection.close()
                if replay is not None:
                    watch.replay_lag.append(float(replay))
            except (httpx.HTTPError, OSError, asyncpg.PostgresError):
                pass  # a stopped API or replica: the next round sees the rest
            await asyncio.sleep(0.5)


async def _caught_up_rows(primary: Cluster, standby: Cluster) -> int:
    """Once the replica has replayed all the primary wrote: the load's organisations there."""
    source = await asyncpg.connect(primary.url)
    replica = await asyncpg.connect(standby.url)
    try:
        target = await source.fetchval("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + 30
        behind = "SELECT pg_last_wal_replay_lsn() < $1::text::pg_lsn"
        while await replica.fetchval(behind, target):
            assert time.monotonic() < deadline, "the replica did not catch up"
            await asyncio.sleep(0.1)
        return int(
            await replica.fetchval("SELECT count(*) FROM organisation WHERE slug LIKE 'load-%'")
        )
    finally:
        await source.close()
        await replica.close()
