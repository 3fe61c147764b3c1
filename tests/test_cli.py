"""The `footprint` command as a new user meets it."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Nothing listens on port 9 (discard): an npm registry that cannot be reached.
UNREACHABLE = "http://127.0.0.1:9"


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOOTPRINT_", "DATABASE_"))}
    return {**env, **extra}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    port: int
    output: str = ""  # all it printed, once it has stopped
    returncode: int | None = None


@contextmanager
def _serving(tmp_path: Path, ready: str, **env: str) -> Iterator[Served]:
    """`footprint serve` on a free port, offline (the browser files cannot be fetched), until
    `ready` answers 200; stopped with Ctrl-C afterwards."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=_environment(
            FOOTPRINT_ASSETS_DIR=str(tmp_path / "assets"), FOOTPRINT_NPM_REGISTRY=UNREACHABLE, **env
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    served = Served(f"http://127.0.0.1:{port}", port)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(served.base + ready, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not answer {ready} within 60 s")
        yield served
    finally:
        server.send_signal(signal.SIGINT)
        served.output = server.communicate(timeout=30)[0].decode()
        served.returncode = server.returncode


def test_first_serve_on_sqlite_migrates_seeds_and_answers(tmp_path: Path) -> None:
    with _serving(tmp_path, "/readyz") as served:
        answer = httpx.post(
            f"{served.base}/graphql",
            json={
                "query": '{ documents { totalCount } document(slug: "npcc-foi-059-19") { kind } }'
            },
            timeout=10,
        ).json()
        assert answer["data"]["document"] == {"kind": "FOI_RESPONSE"}
        assert answer["data"]["documents"]["totalCount"] >= 3
        assert (tmp_path / "footprint.db").exists()
        graphiql = httpx.get(f"{served.base}/graphql", headers={"accept": "text/html"}, timeout=10)
        assert graphiql.status_code == 503
        assert "footprint assets install" in graphiql.text
    assert served.returncode == 0, served.output
    assert "Traceback" not in served.output
    assert "the browser files are not installed" in served.output
    assert f"Footprint: using the SQLite file {tmp_path / 'footprint.db'}." in served.output
    assert f"serving http://127.0.0.1:{served.port}/dashboard" in served.output


def test_assets_install_offline_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api", "assets", "install"],
        cwd=tmp_path,
        env=_environment(
            FOOTPRINT_ASSETS_DIR=str(tmp_path / "assets"), FOOTPRINT_NPM_REGISTRY=UNREACHABLE
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("footprint: cannot download http://127.0.0.1:9/react/")
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "assets").glob("**/*")) == []


def test_a_bad_database_url_is_a_clear_configuration_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api", "migrate"],
        cwd=tmp_path,
        env=_environment(DATABASE_URL="mysql://somewhere/db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    assert "PostgreSQL or SQLite" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_schema_prints_the_checked_in_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api", "export-schema"],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def _footprint(
    *args: str, cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# A password that must never be shown; nothing listens on port 1.
REFUSED = "postgresql://nobody:s3cret-pw@127.0.0.1:1/nowhere"


@pytest.mark.parametrize("command", [["seed"], ["token", "list"], ["serve", "--check"]])
def test_an_unreachable_database_is_named_with_why_and_no_password(
    command: list[str], tmp_path: Path
) -> None:
    result = _footprint(
        *command, cwd=tmp_path, DATABASE_URL=REFUSED, FOOTPRINT_DB_CONNECT_TIMEOUT="2"
    )
    assert result.returncode == 1
    assert result.stderr == (
        "footprint: cannot use PostgreSQL at 127.0.0.1:1 (database nowhere, user nobody): "
        "the connection was refused: is PostgreSQL running and listening there?\n"
    )
    assert result.stdout == ""  # `token list` prints no header before failing


def test_serve_check_says_whether_the_database_is_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    missing = _footprint("serve", "--check", cwd=tmp_path, DATABASE_URL=url)
    assert missing.returncode == 1
    assert f"the SQLite file {tmp_path / 'register.db'}: it does not exist yet" in missing.stderr
    assert not (tmp_path / "register.db").exists()  # a check creates nothing
    assert _footprint("migrate", cwd=tmp_path, DATABASE_URL=url).returncode == 0
    ready = _footprint("serve", "--check", cwd=tmp_path, DATABASE_URL=url)
    assert ready.returncode == 0, ready.stderr
    assert "answers, its schema up to date" in ready.stderr


def test_a_database_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gone' / 'footprint.db'}"
    result = _footprint("serve", "--port", str(_free_port()), cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert f"the folder {tmp_path / 'gone'} does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_that_cannot_be_written_is_named_with_why(
    tmp_path: Path, seeded_database_url: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    exported = _footprint(
        "export", "--output", "a-file/export", cwd=tmp_path, DATABASE_URL=seeded_database_url
    )
    assert exported.returncode == 1
    assert exported.stderr.startswith("footprint: cannot write a-file/export")
    assert exported.stderr.endswith(": not a directory\n")
    schema = _footprint("export-schema", "--output", "a-file/schema.graphql", cwd=tmp_path)
    assert schema.stderr == "footprint: cannot write a-file/schema.graphql: not a directory\n"


def test_each_command_says_its_own_usage_and_the_help_names_database_url(
    tmp_path: Path,
) -> None:
    typo = _footprint("serve", "--prot", "8080", cwd=tmp_path)
    assert typo.returncode == 2
    assert typo.stderr.startswith("usage: footprint serve ")
    assert "footprint serve: error: unrecognised arguments: --prot 8080" in typo.stderr
    port = _footprint("serve", "--port", "99999", cwd=tmp_path)
    assert "footprint serve: error: argument --port: 99999 is not between 1 and 65535" in (
        port.stderr
    )
    days = _footprint("token", "create", "x", "--expires-in-days", "0", cwd=tmp_path)
    assert days.stderr.startswith("usage: footprint token create ")
    folder = _footprint("import", "no-such-folder", cwd=tmp_path)
    assert folder.stderr.startswith("usage: footprint import ")
    assert "no-such-folder does not exist: give the folder of an export" in folder.stderr
    for command in ([], ["serve"], ["export"]):
        shown = _footprint(*command, "--help", cwd=tmp_path)
        assert shown.returncode == 0
        assert "DATABASE_URL  postgresql://user:password@host:5432/database" in shown.stdout


def test_serve_on_a_port_in_use_names_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _footprint("serve", "--port", str(port), cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert f"footprint: cannot listen on 127.0.0.1:{port}: address already in use" in (
        result.stderr
    )
    assert not (tmp_path / "footprint.db").exists()  # it failed before setting anything up


def test_serve_with_the_database_down_says_where_serves_pages_and_retries(
    tmp_path: Path,
) -> None:
    with _serving(
        tmp_path, "/livez", DATABASE_URL=REFUSED, FOOTPRINT_DB_CONNECT_TIMEOUT="1"
    ) as served:
        assert httpx.get(f"{served.base}/dashboard", timeout=5).status_code == 200
        answer = httpx.post(
            f"{served.base}/graphql", json={"query": "{ documents { totalCount } }"}
        )
        assert answer.status_code == 503
        assert answer.json()["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        assert "127.0.0.1" not in answer.text  # the client is told no host
        time.sleep(6)  # one retry
    output = served.output
    assert (
        "footprint: cannot use PostgreSQL at 127.0.0.1:1 (database nowhere, user nobody): "
        "the connection was refused" in output
    )
    assert "Serving anyway" in output
    assert output.count('"message":"the database cannot be used; trying again"') >= 2
    assert "s3cret-pw" not in output
    assert "Traceback" not in output
