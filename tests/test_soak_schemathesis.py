"""Schemathesis against a real server: every root field, valid and invalid arguments, read
anonymously and written with an editor's token. No answer may be a server error."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.graphql import from_url

from tests.soak import Server, issue_tokens, serve

pytestmark = pytest.mark.soak


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    directory: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite+aiosqlite:///{directory / 'register.db'}"
    with serve(url, directory, mutations_per_minute="0") as running:
        token = asyncio.run(issue_tokens(url, ["schemathesis"]))["schemathesis"]
        yield running, token


def test_no_server_errors(server: tuple[Server, str]) -> None:
    running, token = server
    schema = from_url(f"{running.url}/graphql")
    headers = {"authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 40  # every root field, queries and mutations
    statuses: Counter[int] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=5,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: Case[Any]) -> None:
                response = case.call(headers=headers, timeout=30)
                statuses[response.status_code] += 1
                assert response.status_code < 500, (case.body, response.text)

            check()
    print(f"\nschemathesis: {sum(statuses.values())} requests, statuses {dict(statuses)}")
    assert set(statuses) == {200}  # every case reached GraphQL and got an answer
