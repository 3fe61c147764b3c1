"""The `footprint` command as a new user meets it."""

import os
import signal
import socket
import subprocess
import sys
import time
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


def test_first_serve_on_sqlite_migrates_seeds_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        cwd=tmp_path,
        # Offline: GraphiQL's files cannot be fetched, and serving goes on without them.
        env=_environment(
            FOOTPRINT_ASSETS_DIR=str(tmp_path / "assets"), FOOTPRINT_NPM_REGISTRY=UNREACHABLE
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not become ready within 60 s")
        answer = httpx.post(
            f"{base}/graphql",
            json={
                "query": '{ documents { totalCount } document(slug: "npcc-foi-059-19") { kind } }'
            },
            timeout=10,
        ).json()
        assert answer["data"]["document"] == {"kind": "FOI_RESPONSE"}
        assert answer["data"]["documents"]["totalCount"] >= 3
        assert (tmp_path / "footprint.db").exists()
        graphiql = httpx.get(f"{base}/graphql", headers={"accept": "text/html"}, timeout=10)
        assert graphiql.status_code == 503
        assert "footprint assets install" in graphiql.text
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert "Traceback" not in output
    assert "GraphiQL's files are not installed" in output


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


def test_an_unreachable_database_is_a_clear_error_without_details(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api", "seed"],
        cwd=tmp_path,
        env=_environment(
            DATABASE_URL="postgresql://nobody@127.0.0.1:1/nowhere",
            FOOTPRINT_DB_CONNECT_TIMEOUT="2",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot use the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert "127.0.0.1" not in result.stderr


def test_seeding_the_same_synthetic_register_twice_is_refused_cleanly(tmp_path: Path) -> None:
    def seed() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", "seed", "--synthetic", "3", "--random-seed", "7"],
            cwd=tmp_path,
            env=_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'scale.db'}"),
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrate = subprocess.run(
        [sys.executable, "-m", "api", "migrate"],
        cwd=tmp_path,
        env=_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'scale.db'}"),
        capture_output=True,
        timeout=60,
    )
    assert migrate.returncode == 0
    assert seed().returncode == 0
    again = seed()
    assert again.returncode == 1
    assert "already present" in again.stderr
    assert "Traceback" not in again.stderr


def test_tokens_are_shown_once_listed_without_secrets_and_revocable(tmp_path: Path) -> None:
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'tokens.db'}")

    def footprint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert footprint("migrate").returncode == 0
    created = footprint(
        "token", "create", "alice-laptop", "--role", "admin", "--expires-in-days", "30"
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("fp_") and len(token) > 40
    assert "shown only now" in created.stderr
    assert footprint("token", "create", "alice-laptop").returncode == 1  # names are unique
    listed = footprint("token", "list")
    assert "alice-laptop\tadmin\t" + token[:9] + "..." in listed.stdout
    assert token not in listed.stdout and "\tactive" in listed.stdout
    assert footprint("token", "revoke", "alice-laptop").returncode == 0
    assert "\trevoked" in footprint("token", "list").stdout
    again = footprint("token", "revoke", "alice-laptop")
    assert again.returncode == 1 and "no active token" in again.stderr
    assert footprint("token", "create", "bob", "--expires-in-days", "0").returncode == 1
