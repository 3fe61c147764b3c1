"""The docker/ files, checked by reading: no Docker engine runs in CI."""

import shlex
from pathlib import Path
from typing import Any

import yaml

from api.cli import _parser

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return compose


def test_the_api_waits_for_a_healthy_database_then_migrates_seeds_and_serves() -> None:
    services = _compose()["services"]
    assert "healthcheck" in services["db"]
    api = services["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["environment"]["DATABASE_URL"].startswith("postgresql://")
    script = api["command"][-1]
    steps = [shlex.split(part) for part in script.replace("exec ", "").split("&&")]
    assert [step[1] for step in steps] == ["migrate", "seed", "serve"]
    for step in steps:
        assert step[0] == "footprint"
        _parser().parse_args(step[1:])  # each is a real CLI command


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
