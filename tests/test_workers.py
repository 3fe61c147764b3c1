"""`footprint serve --workers 2`: two worker processes behind one port, both answering GraphQL."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from seeds.loader import seed_database
from tests.databases import empty_database

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


def test_two_workers_answer_graphql_on_one_port(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        asyncio.run(seed_database(url))
        port = _free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "FOOTPRINT_LOG_LEVEL": "WARNING",
            "FOOTPRINT_AUTO_SETUP": "false",
        }
        footprint = str(Path(sys.executable).with_name("footprint"))
        server = subprocess.Popen(
            [footprint, "serve", "--port", str(port), "--workers", "2"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_until_ready(server, f"http://127.0.0.1:{port}/livez")
            # uvicorn's supervisor starts one process per worker.
            deadline = time.monotonic() + STARTUP_SECONDS
            while len(_workers(server.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(_workers(server.pid)) == 2
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
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
