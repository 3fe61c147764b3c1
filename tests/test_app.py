"""The app around the API: health, request ids, JSON logs, the root redirect."""

import io
import json
import logging

import httpx

from api.logs import JsonFormatter


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    live = await client.get("/livez")
    ready = await client.get("/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/livez")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await client.get("/livez", headers={"x-request-id": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    # An id that could forge log lines is replaced, not echoed.
    replaced = await client.get("/livez", headers={"x-request-id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


async def test_access_log_lines_are_json_with_the_request_id(client: httpx.AsyncClient) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("footprint.access")
    access.addHandler(handler)
    previous = access.level
    access.setLevel(logging.INFO)
    try:
        await client.post(
            "/graphql",
            json={"query": "{ documents { totalCount } }"},
            headers={"x-request-id": "log-me-42"},
        )
    finally:
        access.removeHandler(handler)
        access.setLevel(previous)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    entry = next(e for e in entries if e.get("request_id") == "log-me-42")
    assert entry["method"] == "POST"
    assert entry["path"] == "/graphql"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0


async def test_the_root_redirects_to_graphiql(client: httpx.AsyncClient) -> None:
    # GraphiQL's page itself, installed or not, is tested in test_web.py.
    root = await client.get("/")
    assert root.status_code in (302, 307)
    assert root.headers["location"] == "/graphql"
