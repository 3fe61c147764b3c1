"""Property tests: queries generated from the schema, valid or not, never crash the server."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, queries
from starlette.testclient import TestClient

from api.app import create_app
from schema import build_schema
from tests.conftest import settings_for

SCHEMA = build_schema().as_str()

# Every code a client may see for a generated query; INTERNAL_SERVER_ERROR is not among them.
EXPECTED_CODES = {
    "BAD_USER_INPUT",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "UNAUTHENTICATED",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_TOKENS",
    "TOO_MANY_DIRECTIVES",
    "QUERY_TOO_COSTLY",
}


def answer(http: TestClient, query: str) -> dict[str, Any]:
    response = http.post("/graphql", json={"query": query})
    assert response.status_code == 200, (query, response.text)
    body: dict[str, Any] = response.json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    assert codes <= EXPECTED_CODES, (query, body)
    return body


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_queries_get_an_answer_or_a_coded_error(
    seeded_database_url: str, mode: Mode
) -> None:
    app = create_app(settings_for(seeded_database_url))
    with TestClient(app) as http:

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(query=queries(SCHEMA, mode=mode))
        def check(query: str) -> None:
            body = answer(http, query)
            if mode is Mode.POSITIVE:  # a valid query is refused only for its size
                codes = {error["extensions"]["code"] for error in body.get("errors", [])}
                assert "GRAPHQL_VALIDATION_FAILED" not in codes, (query, body)

        check()
