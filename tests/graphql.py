"""Helpers to talk GraphQL over HTTP to the app, and to count the SQL it runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST a query; assert a sensible answer with no errors; return `data`."""
    body = await graphql_response(client, query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def graphql_response(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST a query and return the whole JSON body (data and errors)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def aliased_creates(prefix: str, count: int, operation: str = "") -> str:
    """One mutation creating `count` topics under aliases (finding 6 of issue 11 sent 30)."""
    fields = " ".join(
        f'{prefix}{n}: createTopic(input: {{slug: "{prefix}-{n}", name: "{prefix} {n}"}}) '
        "{ __typename }"
        for n in range(count)
    )
    return f"mutation {operation} {{ {fields} }}"


def metric_samples(exposition: str) -> dict[str, float]:
    """Prometheus text: each sample (name and labels, as written) and its value."""
    lines = [line for line in exposition.splitlines() if line and not line.startswith("#")]
    return {name: float(value) for name, value in (line.rsplit(" ", 1) for line in lines)}


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Count every SQL statement the engine sends while the block runs."""
    counter = StatementCounter()

    def record(*args: Any) -> None:
        counter.statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
