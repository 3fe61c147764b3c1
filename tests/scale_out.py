"""Tools for the scale-out drill: a primary and a streaming replica as two private PostgreSQL
clusters (data under a temporary folder, loopback ports 8640-8649, never the cluster on 5432),
and HAProxy in front of API processes. Every wait has a deadline."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.soak import Server, postgres_version, wait_until

PRIMARY_PORT, REPLICA_PORT, BALANCER_PORT = 8640, 8641, 8642
API_PORTS = (8643, 8644)


def _bin(name: str) -> str:
    return f"/usr/lib/postgresql/{postgres_version()}/bin/{name}"


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL's servers refuse to run as root: run them as its own user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], timeout: float = 120) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, timeout=timeout)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
        raise RuntimeError(f"{command[0]} failed: {output}")


def _accepts(port: int) -> bool:
    command = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]
    return subprocess.run(command, timeout=10).returncode == 0


@dataclass
class Cluster:
    """One private PostgreSQL server: its data folder and loopback port."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/footprint"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data.parent} -c shared_buffers=32MB "
            "-c max_connections=200 -c wal_level=replica -c hot_standby=on"
        )
        log = self.data.parent / f"postgres-{self.port}.log"
        _run([_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start"])
        wait_until(lambda: _accepts(self.port), 30, f"PostgreSQL on port {self.port}")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            _run([_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def accepts(self) -> bool:
        return _accepts(self.port)


@contextmanager
def clusters(replica: bool) -> Iterator[tuple[Cluster, Cluster | None]]:
    """A primary with a `footprint` database and, if asked, a streaming replica of it made by
    `pg_basebackup -R`; both stopped and their folder removed afterwards."""
    for port in (PRIMARY_PORT, REPLICA_PORT):
        if _accepts(port):
            raise RuntimeError(f"port {port} is taken: is an earlier drill still running?")
    folder = Path(tempfile.mkdtemp(prefix="footprint-scale-out-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Cluster(folder / "primary", PRIMARY_PORT)
    standby = Cluster(folder / "replica", REPLICA_PORT) if replica else None
    try:
        _run(
            [_bin("initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C"]
        )  # fmt: skip
        primary.start()
        _run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
              "footprint"])  # fmt: skip
        if standby is not None:
            _run(
                [_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
                 "-U", "postgres", "-D", str(standby.data), "-R", "-X", "stream",
                 "-c", "fast", "--create-slot", "--slot", "drill_replica"]
            )  # fmt: skip
            standby.start()
        yield primary, standby
    finally:
        for cluster in (standby, primary):
            if cluster is not None:
                try:
                    cluster.stop()
                except (RuntimeError, subprocess.TimeoutExpired):
                    with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


SHIPPED_HAPROXY = Path(__file__).resolve().parent.parent / "docker" / "haproxy.cfg"


def haproxy_config(port: int, api_urls: list[str]) -> str:
    """docker/haproxy.cfg as shipped, listening on loopback `port` in front of `api_urls`."""
    lines = SHIPPED_HAPROXY.read_text().splitlines()
    assert "    bind :8000" in lines, "docker/haproxy.cfg no longer binds :8000"
    kept = [
        line.replace("bind :8000", f"bind 127.0.0.1:{port}")
        for line in lines
        if not line.startswith("    server ")
    ]
    servers = [
        f"    server api-{n} {url.removeprefix('http://')} check"
        for n, url in enumerate(api_urls, 1)
    ]
    return "\n".join([*kept, *servers]) + "\n"


@contextmanager
def balancer(folder: Path, api_urls: list[str]) -> Iterator[str]:
    """HAProxy (Debian's package) on the balancer port, in front of the APIs."""
    if shutil.which("haproxy") is None:
        raise RuntimeError("the scale-out drill needs HAProxy: apt-get install -y haproxy")
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(BALANCER_PORT, api_urls))
    log = folder / "haproxy.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    front = Server(f"http://127.0.0.1:{BALANCER_PORT}", process, log)
    try:
        front.wait_until_answers("/readyz", 30)
        yield front.url
    finally:
        front.terminate()
