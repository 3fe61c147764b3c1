"""The servers under test: started pinned to a core, awaited, watched for memory, stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
POSTGRAPHILE = Path(__file__).parent / "postgraphile"
LOGS = Path(__file__).parent / ".work" / "logs"


class Server:
    """One server process (and its workers), its log in bench/.work/logs/<name>.log."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        port: int,
        ready_path: str,
        env: dict[str, str],
        cpus: str | None,
        cwd: Path = ROOT,
    ) -> None:
        self.name = name
        self.port = port
        self.ready_url = f"http://127.0.0.1:{port}{ready_path}"
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{name}.log"
        prefix = ["taskset", "-c", cpus] if cpus is not None else []
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [*prefix, *command],
                env={**os.environ, **env},
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.peak_rss = 0
        self._watching = False
        self._watcher: threading.Thread | None = None

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers: a 4xx to a bare GET is still an answer
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s; see {self.log_path}")

    def rss(self) -> int:
        """Resident memory of the server and every process below it, in bytes."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        return total

    def watch_memory(self) -> None:
        """Start sampling RSS every 20 ms; `peak_rss` holds the largest total seen."""
        self.peak_rss = self.rss()
        self._watching = True

        def sample() -> None:
            while self._watching:
                self.peak_rss = max(self.peak_rss, self.rss())
                time.sleep(0.02)

        self._watcher = threading.Thread(target=sample, daemon=True)
        self._watcher.start()

    def stop_watching(self) -> int:
        self._watching = False
        if self._watcher is not None:
            self._watcher.join()
        return self.peak_rss

    def stop(self) -> None:
        self._watching = False
        if self.process.poll() is None:
            # Its own session: the signal reaches uvicorn's workers and taskset's child too.
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


def _uvicorn(factory: str, port: int) -> list[str]:
    """The same server for Footprint and the floor: uvloop, httptools, no access log."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def footprint(
    name: str,
    database_url: str,
    port: int,
    *,
    cpus: str | None,
    policies: bool = True,
    workers: int | None = None,
) -> Server:
    """Footprint under uvicorn (uvloop, httptools), logging warnings only; with `workers`,
    started the documented way, `footprint serve --workers N`."""
    env = {
        "DATABASE_URL": database_url,
        "FOOTPRINT_LOG_LEVEL": "WARNING",
        "FOOTPRINT_AUTO_SETUP": "false",
        "FOOTPRINT_GRAPHIQL": "false",
    }
    if workers is not None:
        command = [
            str(Path(sys.executable).with_name("footprint")),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    else:
        factory = "bench.apps:with_policies" if policies else "bench.apps:without_policies"
        command = _uvicorn(factory, port)
    return Server(name, command, port=port, ready_path="/livez", env=env, cpus=cpus)


def floor(dsn: str, port: int, *, cpus: str | None) -> Server:
    command = _uvicorn("bench.floor:make_app", port)
    env = {"BENCH_FLOOR_DSN": dsn}
    return Server("floor", command, port=port, ready_path="/q/none", env=env, cpus=cpus)


def install_postgraphile() -> None:
    """`npm ci` into bench/postgraphile/node_modules (ignored by git), once."""
    if (POSTGRAPHILE / "node_modules" / "postgraphile").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for PostGraphile (apt-get install nodejs npm)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=POSTGRAPHILE, check=True
    )


def postgraphile(dsn: str, port: int, *, cpus: str | None) -> Server:
    """PostGraphile 4 as its documentation advises for production: no query log, GraphiQL off."""
    install_postgraphile()
    command = [
        "node",
        "node_modules/postgraphile/cli.js",
        "--connection",
        dsn,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-pool-size",
        "10",
        "--disable-query-log",
        "--disable-graphiql",
    ]
    env = {"NODE_ENV": "production"}
    return Server(
        "postgraphile",
        command,
        port=port,
        ready_path="/graphql",
        env=env,
        cpus=cpus,
        cwd=POSTGRAPHILE,
    )
