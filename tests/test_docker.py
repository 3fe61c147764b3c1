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
