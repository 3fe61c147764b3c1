"""`footprint serve --workers 2`: two worker processes behind one port, both answering GraphQL."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from seeds.loader import seed_database
from tests.databases import empty_database
from tests.graphql import metric_samples

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(child) for child in path.read_text().split()] if path.exists() else []
    return [
        child for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} in {STARTUP_SECONDS}s")


def _serve_two_workers(url: str, **environment: str) -> tuple[subprocess.Popen[bytes], int]:
    """`footprint serve --workers 2` on a free port, once both workers are up."""
    port = _free_port()
    footprint = str(Path(sys.executable).with_name("footprint"))
    server = subprocess.Popen(
        [footprint, "serve", "--port", str(port), "--workers", "2"],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "FOOTPRINT_LOG_LEVEL": "WARNING",
            "FOOTPRINT_AUTO_SETUP": "false",
            **environment,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_ready(server, f"http://127.0.0.1:{port}/livez")
        _wait_for_workers(server, 2)
    except BaseException:
        _stop(server)
        raise
    return server, port


def _wait_for_workers(server: subprocess.Popen[bytes], count: int) -> list[int]:
    # uvicorn's supervisor starts one process per worker (and starts a dead one again).
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(_workers(server.pid)) != count and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _workers(server.pid)
    assert len(workers) == count
    return workers


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_two_workers_answer_graphql_on_one_port(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        asyncio.run(seed_database(url))
        server, port = _serve_two_workers(url)
        try:
            query = '{ organisation(slug: "home-office") { name } documents { totalCount } }'
            # New connections each time, so both workers get a share of them.
            for _ in range(10):
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30
                )
                assert response.status_code == 200
                assert response.json() == {
                    "data": {
                        "organisation": {"name": "Home Office"},
                        "documents": {"totalCount": 12},
                    }
                }
        finally:
            _stop(server)


COUNTED = 'footprint_requests_total{operation="Documents",operation_type="query",status="200"}'


def _counted(text: str) -> dict[str, float]:
    samples = metric_samples(text)
    return {
        name: samples.get(name, 0.0)
        for name in (COUNTED, "footprint_workers", 'footprint_db_reads_total{database="primary"}')
    }


def _apps_started(server: subprocess.Popen[bytes], directory: Path) -> list[int]:
    """The two workers once each has made its app (and so written its gauges). uvicorn kills
    and replaces a worker slow to start (over 5 s on a busy machine), so wait for both."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        workers = _workers(server.pid)
        started = [w for w in workers if (directory / f"gauge_livesum_{w}.db").exists()]
        if len(workers) == len(started) == 2:
            return workers
        time.sleep(0.2)
    raise AssertionError("the two workers did not both start their app")


def _counted_by(directory: Path, pid: int) -> float:
    """The Documents requests (a name the dashboard sends) one worker answered, read from its own metrics file."""
    files = [str(path) for path in directory.glob(f"counter_{pid}.db")]
    return sum(
        sample.value
        for metric in MultiProcessCollector.merge(files)  # type: ignore[no-untyped-call]
        for sample in metric.samples
        if sample.name == "footprint_requests_total" and sample.labels["operation"] == "Documents"
    )


def test_metrics_add_up_every_worker_and_forget_dead_ones(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"left by an earlier run")
    with empty_database(tmp_path) as url:
        asyncio.run(seed_database(url))
        server, port = _serve_two_workers(url, PROMETHEUS_MULTIPROC_DIR=str(directory))
        base = f"http://127.0.0.1:{port}"

        def ask(_: int) -> int:
            body = {"query": "query Documents { documents { totalCount } }"}
            return httpx.post(f"{base}/graphql", json=body, timeout=30).status_code

        def scrape() -> dict[str, float]:
            return _counted(httpx.get(f"{base}/metrics", timeout=30).text)

        try:
            assert not (directory / "counter_1.db").exists()  # emptied before the workers start
            workers = _apps_started(server, directory)
            sent = 0
            with ThreadPoolExecutor(max_workers=8) as pool:
                # New connections, 8 at a time, until both workers have answered some.
                while sent < 400 and not all(_counted_by(directory, w) for w in workers):
                    assert set(pool.map(ask, range(20))) == {200}
                    sent += 20
            assert all(_counted_by(directory, w) > 0 for w in workers)
            # Any worker's scrape adds every worker's counts up to the requests sent.
            scrapes = [scrape() for _ in range(6)]
            assert {s[COUNTED] for s in scrapes} == {sent}
            assert {s["footprint_workers"] for s in scrapes} == {2}
            assert all(s['footprint_db_reads_total{database="primary"}'] >= sent for s in scrapes)

            os.kill(workers[0], signal.SIGKILL)  # uvicorn starts another in its place
            deadline = time.monotonic() + STARTUP_SECONDS
            while workers[0] in _workers(server.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert workers[0] not in _apps_started(server, directory)
            after = [scrape() for _ in range(6)]
            # The dead worker's requests still count; it no longer counts as a worker.
            assert {s[COUNTED] for s in after} == {sent}
            assert {s["footprint_workers"] for s in after} == {2}
        finally:
            _stop(server)
