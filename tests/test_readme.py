"""Every example query in the README answers exactly the output printed under it."""

import json
import re
from pathlib import Path

import httpx
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)\n```.*?```json\n(?P<output>.*?)\n```", re.S)


def _examples() -> list[tuple[str, str]]:
    return [(m["query"], m["output"]) for m in EXAMPLE.finditer(README.read_text())]


def test_the_readme_has_at_least_five_examples() -> None:
    assert len(_examples()) >= 5


@pytest.mark.parametrize(("query", "output"), _examples())
async def test_readme_example_output_is_real(
    client: httpx.AsyncClient, query: str, output: str
) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert response.json() == json.loads(output)
