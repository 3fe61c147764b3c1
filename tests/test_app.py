"""The app around the API: health, request ids, JSON logs, the root redirect."""

import io
import json
import logging

import httpx

from api.logs import JsonFormatter
from api.web.saved_questions import known_operations


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
    assert entry["operation"] == "anonymous"
    assert entry["operation_type"] == "query"
    assert entry["error_codes"] == []
    assert entry["method"] == "POST"
    assert entry["path"] == "/graphql"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0


async def test_the_root_redirects_to_graphiql(client: httpx.AsyncClient) -> None:
    # GraphiQL's page itself, installed or not, is tested in test_web.py.
    root = await client.get("/")
    assert root.status_code in (302, 307)
    assert root.headers["location"] == "/graphql"


async def test_metrics_count_operations_latency_errors_and_the_pool(
    client: httpx.AsyncClient,
) -> None:
    named = {"query": "query Documents { documents { totalCount } }"}  # the dashboard's name
    for _ in range(3):
        await client.post("/graphql", json=named)
    await client.post("/graphql", json={"query": "{ documents { colour } }"})
    text = (await client.get("/metrics")).text
    samples = dict(
        line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    key = 'operation="Documents",operation_type="query"'
    assert float(samples[f'footprint_requests_total{{{key},status="200"}}']) >= 3
    assert float(samples[f'footprint_request_duration_seconds_bucket{{le="+Inf",{key}}}']) >= 3
    assert float(samples[f"footprint_request_duration_seconds_count{{{key}}}"]) >= 3
    assert float(samples['footprint_errors_total{code="GRAPHQL_VALIDATION_FAILED"}']) >= 1
    assert 'footprint_db_pool_connections{database="primary",state="checked_out"}' in samples
    assert float(samples['footprint_db_pool_size{database="primary"}']) >= 1
    assert float(samples['footprint_db_reads_total{database="primary"}']) >= 3
    assert float(samples["footprint_workers"]) == 1


async def test_metrics_name_only_the_operations_they_know(client: httpx.AsyncClient) -> None:
    """Finding 11 of issue 11: /metrics showed any operation name a client sent."""
    for n in range(3):
        await client.post("/graphql", json={"query": f"query Op{n} {{ __typename }}"})
    await client.post("/graphql", json={"query": "query WhoWasLeftOut { __typename }"})
    text = (await client.get("/metrics")).text
    names = {
        line.split('operation="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("footprint_requests_total{")
    }
    assert "WhoWasLeftOut" in names  # a saved question's
    assert "other" in names
    assert not any(name.startswith("Op") for name in names)
    assert names <= known_operations() | {
        "other",
        "anonymous",
        "/graphql",
        "/livez",
        "/readyz",
        "/metrics",
    }
