"""Every example query in the README and the guides in docs/ answers exactly the output printed
under it, and every link between them leads to a file that exists."""

import json
import re
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDES = sorted((ROOT / "docs").glob("*.md"))
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)\n```.*?```json\n(?P<output>.*?)\n```", re.S)
LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?:#[^)]*)?\)")


def _examples() -> list[tuple[str, str, str]]:
    return [
        (page.relative_to(ROOT).as_posix(), m["query"], m["output"])
        for page in [README, *GUIDES]
        for m in EXAMPLE.finditer(page.read_text())
    ]


def test_the_readme_shows_three_examples_and_the_guides_more() -> None:
    pages = [page for page, _, _ in _examples()]
    assert pages.count("README.md") == 3
    assert len(pages) >= 8


def test_the_readme_stays_short_and_links_every_guide() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 250
    for guide in GUIDES:
        assert f"(docs/{guide.name})" in text, f"the README does not link {guide.name}"


@pytest.mark.parametrize("page", [README, *GUIDES], ids=lambda p: p.name)
def test_links_lead_to_files_that_exist(page: Path) -> None:
    for match in LINK.finditer(page.read_text()):
        target = match["target"]
        if target.startswith(("http://", "https://")):
            continue
        assert (page.parent / target).resolve().is_file(), f"{page.name} links {target}"


@pytest.mark.parametrize(("page", "query", "output"), _examples())
async def test_example_output_is_real(
    client: httpx.AsyncClient, page: str, query: str, output: str
) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert response.json() == json.loads(output)
