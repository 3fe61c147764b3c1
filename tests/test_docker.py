"""The docker/ files, checked by reading: no Docker engine runs in CI."""

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from api.cli import _parser
from api.settings import Settings

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return compose


def _steps(script: str) -> list[list[str]]:
    """The footprint commands of a shell command line, each checked as a real CLI command."""
    steps = [shlex.split(part) for part in script.replace("exec ", "").split("&&")]
    for step in steps:
        assert step[0] == "footprint"
        _parser().parse_args(step[1:])
    return steps


def test_setup_waits_for_a_healthy_primary_then_migrates_and_seeds_once() -> None:
    services = _compose()["services"]
    assert "healthcheck" in services["db"]
    setup = services["setup"]
    assert setup["depends_on"]["db"]["condition"] == "service_healthy"
    assert setup["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:" in setup["environment"]["DATABASE_URL"]
    assert [step[1] for step in _steps(setup["command"][-1])] == ["migrate", "seed"]
    assert setup["restart"] == "no"


def test_two_api_replicas_serve_after_setup_reading_from_the_replica() -> None:
    services = _compose()["services"]
    apis = sorted(name for name in services if name.startswith("api-"))
    assert apis == ["api-1", "api-2"]
    for name in apis:
        api = services[name]
        assert api["depends_on"]["setup"]["condition"] == "service_completed_successfully"
        assert [step[1] for step in _steps(" ".join(api["command"]))] == ["serve"]
        environment = api["environment"]
        assert "@db:" in environment["DATABASE_URL"]
        assert "@replica:" in environment["DATABASE_READ_URL"]
        settings = Settings(_env_file=None, **environment)  # type: ignore[call-arg]
        assert len(settings.read_urls) == 1
        assert "ports" not in api  # reached through HAProxy only


def test_the_replica_streams_from_the_primary_through_a_slot() -> None:
    services = _compose()["services"]
    replica = services["replica"]
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in replica
    script = (DOCKER / "replica.sh").read_text()
    assert "pg_basebackup --host=db" in script
    assert "--write-recovery-conf" in script  # -R: standby.signal and how to reach the primary
    assert "./replica.sh:/replica.sh:ro" in replica["volumes"]
    primary = (DOCKER / "primary-init.sh").read_text()
    assert "host replication all all scram-sha-256" in primary
    slot = re.search(r"pg_create_physical_replication_slot\('(\w+)'\)", primary)
    assert slot and f"--slot={slot.group(1)}" in script
    assert any(
        v.endswith(":/docker-entrypoint-initdb.d/replication.sh:ro")
        for v in services["db"]["volumes"]
    )


def test_haproxy_balances_every_api_replica_checking_readyz() -> None:
    services = _compose()["services"]
    haproxy = services["haproxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert haproxy["ports"] == ["127.0.0.1:8000:8000"]
    config = (DOCKER / "haproxy.cfg").read_text().splitlines()
    servers = [line.split() for line in config if line.startswith("    server ")]
    apis = sorted(name for name in services if name.startswith("api-"))
    assert [server[1] for server in servers] == apis
    assert [server[2] for server in servers] == [f"{name}:8000" for name in apis]
    assert all("check" in server for server in servers)
    assert "    option httpchk GET /readyz" in config
    assert "    bind :8000" in config
    assert sorted(haproxy["depends_on"]) == apis


def test_the_image_runs_as_a_non_root_user_from_a_slim_base() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    froms = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert froms and all(image.endswith("-slim") for image in froms)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] != "root"
    copied = {
        line.split()[1] for line in lines if line.startswith("COPY ") and "--from" not in line
    }
    assert {"api", "schema", "db", "seeds"} <= {path.rstrip("/") for path in copied}
    assert any(line.startswith("CMD") and "footprint" in line for line in lines)


def test_the_image_carries_graphiqls_files_and_the_saved_questions() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    stages = "\n".join(lines).split("\nFROM ")
    build, runtime = stages[1], stages[-1]
    runs = [
        line.removeprefix("RUN ").split() for line in build.splitlines() if line.startswith("RUN ")
    ]
    installs = [i for i, run in enumerate(runs) if run[1:] == ["assets", "install"]]
    package = next(i for i, run in enumerate(runs) if run[1:] == ["install", "."])
    # Fetched (and checked against the lock) once the app is installed, in the environment
    # that the runtime stage copies whole; `footprint assets install` is a real command.
    assert installs and installs[0] > package
    assert runs[installs[0]][0] == "/opt/footprint/bin/footprint"
    _parser().parse_args(["assets", "install"])
    assert "COPY --from=build /opt/footprint /opt/footprint" in runtime
    assert "COPY queries ./queries" in build
    # The build context sends the saved questions but never a local copy of the assets.
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    assert "!queries/**" in ignored
    assert "api/web/vendor" in ignored
