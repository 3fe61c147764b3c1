"""Bad input gets a clear error with a code; nothing leaks a stack trace, SQL or host name."""

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api import graphql as graphql_view
from api.app import create_app
from db import queries
from tests.conftest import settings_for
from tests.graphql import error_codes, graphql_response

LEAKS = ("Traceback", "SELECT", "sqlalchemy", "asyncpg", "sqlite", "127.0.0.1", 'File "')


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.mark.parametrize("first", [0, -1, 101, 10_000])
async def test_first_outside_1_to_100(client: httpx.AsyncClient, first: int) -> None:
    for query in (
        "query($n: Int) { documents(first: $n) { totalCount } }",
        "query($n: Int) { organisations(first: $n) { totalCount } }",
        'query($n: Int) { organisation(slug: "home-office") { consultations(first: $n) { totalCount } } }',
        "query($n: Int) { stakeholderGroups { organisations(first: $n) { totalCount } } }",
    ):
        body = await graphql_response(client, query, {"n": first})
        assert "BAD_USER_INPUT" in error_codes(body)
        assert "between 1 and 100" in body["errors"][0]["message"]
        assert_no_leak(str(body))


async def test_null_first_means_the_default_page(client: httpx.AsyncClient) -> None:
    body = await graphql_response(client, "{ documents(first: null) { nodes { slug } } }")
    assert "errors" not in body


@pytest.mark.parametrize("cursor", ["garbage", "", "Y3Vyc29yOng", "RG9jdW1lbnQ6MQ", "🙂"])
async def test_malformed_cursor(client: httpx.AsyncClient, cursor: str) -> None:
    body = await graphql_response(
        client, "query($c: String) { documents(after: $c) { totalCount } }", {"c": cursor}
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "not a valid cursor" in body["errors"][0]["message"]


async def test_unknown_enum_inline_and_in_a_variable(client: httpx.AsyncClient) -> None:
    inline = await graphql_response(client, "{ documents(filter: {kind: NOVEL}) { totalCount } }")
    assert error_codes(inline) == ["BAD_USER_INPUT"]
    assert "NOVEL" in inline["errors"][0]["message"]
    variable = await graphql_response(
        client,
        "query($k: DocumentKind) { documents(filter: {kind: $k}) { totalCount } }",
        {"k": "NOVEL"},
    )
    assert error_codes(variable) == ["BAD_USER_INPUT"]
    assert variable["data"] is None


async def test_a_nul_character_in_an_argument_is_bad_input_not_a_failure(
    client: httpx.AsyncClient,
) -> None:
    # PostgreSQL cannot hold U+0000 in text; SQLite can, and then simply finds nothing.
    body = await graphql_response(
        client,
        "query($slug: String!) { document(slug: $slug) { title } organisation(slug: $slug) "
        "{ name } }",
        {"slug": "npcc\u0000"},
    )
    codes = set(error_codes(body))
    assert codes <= {"BAD_USER_INPUT"}, body
    if codes:
        assert "NUL character" in body["errors"][0]["message"]
    else:
        assert body["data"] == {"document": None, "organisation": None}


async def test_syntax_and_validation_errors_have_codes(client: httpx.AsyncClient) -> None:
    syntax = await graphql_response(client, "{ documents { totalCount ")
    assert error_codes(syntax) == ["GRAPHQL_PARSE_FAILED"]
    unknown_field = await graphql_response(client, "{ documents { colour } }")
    assert error_codes(unknown_field) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[1, 2", "application/json"),
    ],
)
async def test_a_body_that_is_not_json_is_a_400_with_a_clear_message(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "JSON" in body["errors"][0]["message"]
    assert_no_leak(response.text)


async def test_a_body_without_a_query_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_queries_over_get_work(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": '{ document(slug: "npcc-foi-059-19") { kind } }'}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"document": {"kind": "FOI_RESPONSE"}}}


async def test_an_unexpected_failure_is_masked_and_logged_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM db-host.internal")

    monkeypatch.setattr(queries, "by_slugs", broken)
    with caplog.at_level(logging.ERROR, logger="footprint.errors"):
        response = await client.post(
            "/graphql",
            # `versions` keeps it off the compiled path, which does not call the resolvers.
            json={"query": '{ document(slug: "npcc-foi-059-19") { title versions { label } } }'},
            headers={"x-request-id": "trace-me-123"},
        )
    body = response.json()
    assert response.status_code == 200
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": "trace-me-123",
    }
    assert "secret" not in response.text and "db-host" not in response.text
    assert response.headers["x-request-id"] == "trace-me-123"
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-me-123"]
    assert logged and logged[0].exc_info is not None
    assert "db-host.internal" in str(logged[0].exc_info[1])


async def test_an_unreachable_database_is_a_503_that_leaks_nothing() -> None:
    app = create_app(settings_for("postgresql+asyncpg://footprint@127.0.0.1:1/nowhere"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        response = await http.post("/graphql", json={"query": "{ documents { totalCount } }"})
        # The breaker is open now: the next request is answered without trying the database.
        breaker = app.state.breaker
        next_one = await http.post("/graphql", json={"query": "{ documents { totalCount } }"})
        ready = await http.get("/readyz")
        live = await http.get("/livez")
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert breaker.open
    assert next_one.status_code == 503
    assert next_one.json()["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
    assert response.headers["retry-after"] == "1"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "DB_UNAVAILABLE"
    assert "unavailable" in error["message"]
    assert_no_leak(response.text)
    assert ready.status_code == 503
    assert_no_leak(ready.text)
    assert live.status_code == 200


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (RuntimeError("token table at db-host.internal"), 500, "INTERNAL_SERVER_ERROR"),
        (ConnectionRefusedError("db-host.internal:5432"), 503, "DB_UNAVAILABLE"),
    ],
)
async def test_a_failure_outside_any_resolver_is_masked(
    app: Starlette,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    raised: Exception,
    status: int,
    code: str,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise raised

    monkeypatch.setattr(graphql_view, "authenticate", broken)
    with caplog.at_level(logging.WARNING, logger="footprint.errors"):
        response = await client.post(
            "/graphql",
            json={"query": "{ documents { totalCount } }"},
            headers={"authorization": "Bearer fp_x", "x-request-id": "outside-7"},
        )
    assert app.state.breaker.open == (status == 503)
    app.state.breaker.succeeded()  # the database of the shared app is fine
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert "db-host" not in response.text
    assert_no_leak(response.text)
    if status == 500:
        assert error == {
            "message": "Unexpected error.",
            "extensions": {"code": code, "requestId": "outside-7"},
        }
        assert any(r.exc_info and r.exc_info[1] is raised for r in caplog.records)
