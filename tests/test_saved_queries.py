"""The saved questions in queries/ answer exactly the outputs stored beside them.

Each queries/NAME.graphql runs with its variables' defaults; its answer on the seeded register
is queries/NAME.json. After a deliberate change to the seeds or the schema, rewrite the outputs
with FOOTPRINT_WRITE_QUERY_OUTPUTS=1 and review the diff.
"""

import json
import os
from pathlib import Path

import httpx
import pytest

QUERIES = Path(__file__).resolve().parent.parent / "queries"
SAVED = sorted(QUERIES.glob("*.graphql"))


def test_the_questions_users_ask_are_saved() -> None:
    names = {path.stem for path in SAVED}
    assert {
        "who-was-consulted",
        "who-was-left-out",
        "who-shaped-a-principle",
        "what-did-an-organisation-shape",
        "documents-that-never-consulted-a-group",
    } <= names


def _stored_output(path: Path, answer: object) -> object:
    """The output stored for a saved query (first rewritten with `answer` if asked to)."""
    stored = path.with_suffix(".json")
    if os.environ.get("FOOTPRINT_WRITE_QUERY_OUTPUTS") == "1":
        stored.write_text(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
    return json.loads(stored.read_text())


@pytest.mark.parametrize("path", SAVED, ids=[path.stem for path in SAVED])
async def test_saved_query_answers_its_stored_output(client: httpx.AsyncClient, path: Path) -> None:
    query = path.read_text()  # noqa: ASYNC240 - a small local file, read once
    answer = (await client.post("/graphql", json={"query": query})).json()
    assert "errors" not in answer, answer
    assert answer == _stored_output(path, answer)
