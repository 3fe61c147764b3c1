"""One answer to "was this group consulted?": the coverage report, leftOut, the coverage matrix
(compiled on PostgreSQL and field by field), documents(filter: {consulting, notConsulting})
and consultationAnswer agree on every (document, group) pair, on the seeds and on a synthetic
register that holds every status, CONTESTED included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from db.engine import create_engine, create_sessionmaker
from seeds.loader import load_seeds
from seeds.synthetic import generate_register
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.graphql import graphql

SYNTHETIC_DOCUMENTS = 40
NO_RECORD = "The register holds no record either way."

# No variables: on PostgreSQL this is answered by the compiled path, one SQL statement.
MATRIX = """{ coverageMatrix(first: 100) { totalCount columns { slug }
    rows { document { slug } cells { group { slug } status gap expected } } } }"""
# The same question field by field (a variable keeps it off the compiled path).
MATRIX_BY_FIELDS = """query($first: Int!) { coverageMatrix(first: $first) { totalCount
    columns { slug } rows { document { slug } cells { group { slug } status gap expected } } } }"""
COVERAGE = """query($slug: String!) { document(slug: $slug) { coverage {
    groups { group { slug } status gap expectedBecause }
    leftOut { group { slug name } status gap } } } }"""
ANSWER = """query($slug: String!) { consultationAnswer(documentSlug: $slug) {
    markdown leftOut { group { slug } status } consulted { role } otherParts { role } } }"""
FILTERED = """query($slug: String!) {
    consulting: documents(first: 100, filter: {consulting: $slug}) { totalCount nodes { slug } }
    notConsulting: documents(first: 100, filter: {notConsulting: $slug}) {
        totalCount nodes { slug } } }"""


@pytest.fixture(scope="module")
async def synthetic_client(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    """The seeds with a small synthetic register on top: absences, delivery partners and
    reporting channels among its claims."""
    with empty_database(tmp_path_factory.mktemp("synthetic-agreement")) as url:
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine)
        await load_seeds(sessionmaker)
        await generate_register(sessionmaker, documents=SYNTHETIC_DOCUMENTS, seed=12)
        await engine.dispose()
        app = create_app(settings_for(url))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as c:
            yield c
        await app.state.engine.dispose()


async def _matrix(client: httpx.AsyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    """Every cell, by (document, group); the compiled and field-by-field answers agree."""
    compiled = (await graphql(client, MATRIX))["coverageMatrix"]
    by_fields = (await graphql(client, MATRIX_BY_FIELDS, {"first": 100}))["coverageMatrix"]
    assert compiled == by_fields
    assert compiled["totalCount"] == len(compiled["rows"])  # one page holds them all
    return {
        (row["document"]["slug"], cell["group"]["slug"]): cell
        for row in compiled["rows"]
        for cell in row["cells"]
    }


async def _check_agreement(client: httpx.AsyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    cells = await _matrix(client)
    documents = sorted({document for document, _ in cells})
    groups = sorted({group for _, group in cells})
    assert len(cells) == len(documents) * len(groups)

    for document in documents:
        coverage = (await graphql(client, COVERAGE, {"slug": document}))["document"]["coverage"]
        # Every group the report lists has the matrix's status and gap.
        for listed in coverage["groups"]:
            cell = cells[document, listed["group"]["slug"]]
            assert (listed["status"], listed["gap"]) == (cell["status"], cell["gap"]), document
            assert bool(listed["expectedBecause"]) is cell["expected"]
        # leftOut is exactly the matrix's gaps, and every gap is listed in the report.
        left_out = {g["group"]["slug"]: g for g in coverage["leftOut"]}
        gaps = {group for group in groups if cells[document, group]["gap"]}
        assert set(left_out) == gaps, document
        assert gaps <= {g["group"]["slug"] for g in coverage["groups"]}
        for group, item in left_out.items():
            assert item["status"] == cells[document, group]["status"]

        answer = (await graphql(client, ANSWER, {"slug": document}))["consultationAnswer"]
        assert {g["group"]["slug"]: g["status"] for g in answer["leftOut"]} == {
            group: item["status"] for group, item in left_out.items()
        }
        section = answer["markdown"].split("## Groups not shown to have been consulted")[1]
        section = section.split("\n## ")[0]
        for item in left_out.values():
            assert f"**{item['group']['name']}**" in section, (document, item)
        no_record = [g for g in left_out.values() if g["status"] == "NO_RECORD"]
        assert section.count(NO_RECORD) == len(no_record), document

    for group in groups:
        filtered = await graphql(client, FILTERED, {"slug": group})
        consulting = {n["slug"] for n in filtered["consulting"]["nodes"]}
        not_consulting = {n["slug"] for n in filtered["notConsulting"]["nodes"]}
        assert consulting == {d for d in documents if cells[d, group]["status"] == "CONSULTED"}
        assert not_consulting == set(documents) - consulting, group
        assert filtered["consulting"]["totalCount"] == len(consulting)
        assert filtered["notConsulting"]["totalCount"] == len(not_consulting)
    return cells


async def test_the_seeds_agree_everywhere(client: httpx.AsyncClient) -> None:
    cells = await _check_agreement(client)
    assert cells["npcc-sex-work-and-prostitution-guidance-2019", "womens-groups"] == {
        "group": {"slug": "womens-groups"},
        "status": "NOT_CONSULTED",
        "gap": True,
        "expected": True,
    }


async def test_a_synthetic_register_agrees_everywhere(
    synthetic_client: httpx.AsyncClient,
) -> None:
    cells = await _check_agreement(synthetic_client)
    # The register is rich enough for the agreement to mean something.
    assert {c["status"] for c in cells.values()} == {
        "CONSULTED",
        "NOT_CONSULTED",
        "CONTESTED",
        "NO_RECORD",
    }
    assert {(c["status"], c["expected"], c["gap"]) for c in cells.values()} >= {
        ("NOT_CONSULTED", False, True),  # an absence without an expectation is a gap
        ("NO_RECORD", True, True),
        ("NO_RECORD", False, False),
        ("CONSULTED", True, False),
    }


async def test_the_answer_lists_only_counted_roles_as_consulted(
    synthetic_client: httpx.AsyncClient,
) -> None:
    roles = await graphql(
        synthetic_client,
        "{ documents(first: 100) { nodes { slug consultations(first: 100) { nodes { role } } } } }",
    )
    counted = {
        "CONSULTED",
        "ADVISOR",
        "PARTNER",
        "CO_DEVELOPER",
        "REVIEWER",
        "SUBMITTED_WRITTEN_EVIDENCE",
        "GAVE_ORAL_EVIDENCE",
    }
    checked = 0
    for node in roles["documents"]["nodes"]:
        held = [c["role"] for c in node["consultations"]["nodes"]]
        if not set(held) - counted:
            continue
        answer = (await graphql(synthetic_client, ANSWER, {"slug": node["slug"]}))[
            "consultationAnswer"
        ]
        assert sorted(c["role"] for c in answer["consulted"]) == sorted(
            r for r in held if r in counted
        )
        assert sorted(c["role"] for c in answer["otherParts"]) == sorted(
            r for r in held if r not in counted
        )
        checked += 1
    assert checked
