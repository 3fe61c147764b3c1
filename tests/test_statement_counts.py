"""SQL statements per request depend on the query's shape, never on how much data there is.

The questions are the benchmark's own, (a) to (e) (bench/queries.py), asked of a synthetic
register of 10 documents and of one of 1,000.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from bench.queries import QUESTIONS, Question
from db.engine import create_engine, create_sessionmaker
from seeds.synthetic import generate_register
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.graphql import counting_statements, graphql

SMALL, LARGE = 10, 1000


Counts = dict[str, tuple[int, dict[str, Any]]]


async def _statements_per_question(url: str) -> Counts:
    """For each question: (statements, the answer)."""
    app = create_app(settings_for(url))
    counts: Counts = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as client:
        for question in QUESTIONS:
            await graphql(client, question.footprint)  # warm the pool: no connection set-up
            with counting_statements(app.state.engine) as counter:
                data = await graphql(client, question.footprint)
            counts[question.key] = (counter.count, data)
    await app.state.engine.dispose()
    return counts


async def _register_of(tmp_path: Path, documents: int) -> Counts:
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        await generate_register(create_sessionmaker(engine), documents=documents, seed=1)
        await engine.dispose()
        return await _statements_per_question(url)


@pytest.fixture(scope="module")
async def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Counts]:
    return {
        documents: await _register_of(tmp_path_factory.mktemp(f"r{documents}"), documents)
        for documents in (SMALL, LARGE)
    }


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"({q.key})" for q in QUESTIONS])
async def test_statements_per_request_are_the_same_at_10_and_1000_documents(
    question: Question, counts: dict[int, Counts]
) -> None:
    key = question.key
    small_statements, small = counts[SMALL][key]
    large_statements, large = counts[LARGE][key]
    # The larger register really answered more (the FOI answer is about one document, and a
    # search answers a page of hits, whatever the register's size).
    if key == "d":
        assert large["search"]["totalCount"] > small["search"]["totalCount"]
    elif key != "e":
        assert len(str(large)) > len(str(small)), key
    assert small_statements == large_statements, (key, counts)
    assert 1 <= small_statements <= 16, (key, small_statements)
