"""SQL statements per request depend on the query's shape, never on how much data there is."""

from pathlib import Path

import httpx

from api.app import create_app
from db.engine import create_engine, create_sessionmaker
from seeds.loader import load_seeds
from seeds.synthetic import generate_register
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.graphql import counting_statements, graphql

NESTED = """{ documents(first: 100) { totalCount nodes {
    slug publisher { name }
    principles { position shapedBy {
        effect organisation { name groups { slug } } evidence { quote source { slug } } } }
    consultations(first: 20) { totalCount nodes {
        role organisation { name } evidence { quote } } }
} } }"""

GROUPS = """{ stakeholderGroups { slug parent { slug }
    organisations(first: 50) { totalCount nodes { slug consultations(first: 5) {
        nodes { document { title } } } } } } }"""

ORGANISATIONS = """{ organisations(first: 100, filter: {group: "policing"}) { totalCount nodes {
    aliases groups { slug } influences { principle { position document { slug } } }
    consultations(first: 10) { nodes { document { slug publisher { slug } } } } } } }"""


COVERAGE = """{ documents(first: 100) { nodes { coverage {
    groups { status expectedBecause group { slug parent { slug } }
             organisations { name } evidence { quote source { slug } } }
    leftOut { group { slug } expectations { reason evidence { quote } } } } } } }"""

MATRIX = """{ coverageMatrix(first: 100) { totalCount columns { slug }
    rows { document { slug } cells { status gap organisationCount group { slug } } } } }"""

# The answer for one document: its size does not grow with the register, its shape is fixed.
ANSWER = """{ consultationAnswer(documentSlug: "npcc-sex-work-and-prostitution-guidance-2019") {
    markdown consulted { role organisation { name } } leftOut { group { slug } status } } }"""

QUERIES = {
    "nested": NESTED,
    "groups": GROUPS,
    "orgs": ORGANISATIONS,
    "coverage": COVERAGE,
    "matrix": MATRIX,
    "answer": ANSWER,
}


async def _statements_per_query(url: str) -> dict[str, tuple[int, int]]:
    """For each query: (statements, documents returned)."""
    app = create_app(settings_for(url))
    counts: dict[str, tuple[int, int]] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as client:
        for name, query in QUERIES.items():
            await graphql(client, query)  # warm the pool so connection set-up is not counted
            with counting_statements(app.state.engine) as counter:
                data = await graphql(client, query)
            size = len(str(data))
            counts[name] = (counter.count, size)
    await app.state.engine.dispose()
    return counts


async def _grow(url: str, documents: int, seed: int) -> None:
    engine = create_engine(url)
    await generate_register(create_sessionmaker(engine), documents=documents, seed=seed)
    await engine.dispose()


async def test_statement_count_is_the_same_at_two_data_sizes(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        await load_seeds(create_sessionmaker(engine))
        await engine.dispose()
        await _grow(url, documents=10, seed=1)
        small = await _statements_per_query(url)
        await _grow(url, documents=300, seed=2)
        large = await _statements_per_query(url)
    for name in small:
        statements_small, size_small = small[name]
        statements_large, size_large = large[name]
        if name != "answer":
            assert size_large > size_small, name  # the larger register really answered more
        assert statements_small == statements_large, (name, small, large)
        assert statements_small <= 16, (name, statements_small)
