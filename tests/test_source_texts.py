"""Source texts and verified quotes: a document's text attached as JSON, every version kept;
each quote VERIFIED (found, typography aside), UNVERIFIED (no text: read at a URL on a date) or
MISMATCH (a later text does not hold it), in GraphQL and in the FOI answer; documents kept only
as sources out of coverage; retracted records opened by editors only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from db import tokens
from db.enums import TokenRole
from schema.mutations.source_texts import MAX_SOURCE_TEXT
from seeds.export import export_database
from seeds.loader import seed_database
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.editing_fixtures import Register
from tests.graphql import graphql
from tests.test_export_import import register_rows

ROOT = Path(__file__).resolve().parent.parent
REPORT = "a-committee-report"
PAGE_ONE = "Written evidence\n\nThe committee heard from many.\n\n"
# As a PDF's text gives it: curly apostrophe, a line break mid-sentence, a word hyphenated
# across lines, an en dash.
PAGE_TWO = (
    "Oral evidence\n\n"
    "The Home Office\u2019s officials said the guid-\nance was agreed \u2013 in full.\n\n"
    "National Ugly Mugs gave oral evidence on\n3 March."
)
TEXT = PAGE_ONE + PAGE_TWO
PAGES = [0, len(PAGE_ONE)]

DOCUMENT = """mutation($input: DocumentInput!) { createDocument(input: $input) { __typename
    ... on EditRefused { errors { field code } } } }"""
ATTACH = """mutation($document: String!, $input: SourceTextInput!) {
    attachSourceText(document: $document, input: $input) { __typename
    ... on SourceTextSaved { verifiedCount sourceText { sha256 contentType pageCount length }
        mismatched { id version quote verification { status } } }
    ... on EditRefused { errors { field code message } } } }"""
CONSULT = """mutation($input: ConsultationInput!) { createConsultation(input: $input) { __typename
    ... on ConsultationSaved { consultation { id version evidence { id locator quote
        verification { status page offsets url retrievedOn } } } }
    ... on EditRefused { errors { field code rule message } } } }"""
EVIDENCE = """query($slug: String!) { document(slug: $slug) {
    sourceTexts { sha256 url retrievedOn pageCount }
    consultations(first: 50) { nodes { organisation { slug } evidence {
        quote locator verification { status page offsets url retrievedOn } } } } } }"""
ANSWER = "query($slug: String!) { consultationAnswer(documentSlug: $slug) { markdown } }"


async def _data(register: Register, query: str, who: str = "editor", **variables: Any) -> Any:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    return body["data"]


async def _report(register: Register, kind: str = "COMMITTEE_REPORT", slug: str = REPORT) -> None:
    made = await _data(
        register, DOCUMENT, input={"slug": slug, "title": "A committee report", "kind": kind}
    )
    assert made["createDocument"]["__typename"] == "DocumentSaved", made


async def _attach(register: Register, text: str = TEXT, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = (
        await _data(
            register,
            ATTACH,
            document=REPORT,
            input={"text": text, "contentType": "application/pdf", **more},
        )
    )["attachSourceText"]
    return found


def _consultation(organisation: str, *evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "document": REPORT,
        "organisation": organisation,
        "role": "GAVE_ORAL_EVIDENCE",
        "evidence": [{"source": REPORT, **item} for item in evidence],
    }


async def test_a_quote_is_verified_typography_aside_and_a_changed_word_is_refused(
    register: Register,
) -> None:
    await _report(register)
    attached = await _attach(
        register, pages=PAGES, url="https://example.org/report.pdf", retrievedOn="2026-11-01"
    )
    assert attached["__typename"] == "SourceTextSaved"
    assert attached["sourceText"]["pageCount"] == 2
    before = await register.table_counts()

    # A changed word ("agreed" -> "approved") is refused, and nothing is written.
    changed = {"quote": "The Home Office's officials said the guidance was approved - in full."}
    refused = await _data(register, CONSULT, input=_consultation("home-office", changed))
    errors = refused["createConsultation"]["errors"]
    assert [(e["field"], e["code"], e["rule"]) for e in errors] == [
        ("input.evidence[0].quote", "BAD_USER_INPUT", "QUOTE_NOT_IN_SOURCE")
    ]
    assert await register.table_counts() == before

    # Straight apostrophe, a line break of its own, the hyphenated word whole, a plain hyphen
    # for the dash: VERIFIED, on page 2, its blank locator filled.
    same = {"quote": "The Home Office's officials\nsaid the guidance was agreed - in full."}
    saved = await _data(register, CONSULT, input=_consultation("home-office", same))
    (evidence,) = saved["createConsultation"]["consultation"]["evidence"]
    status = evidence["verification"]
    assert (status["status"], status["page"]) == ("VERIFIED", 2)
    start, end = status["offsets"]
    assert TEXT[start:end] == (
        "The Home Office\u2019s officials said the guid-\nance was agreed \u2013 in full."
    )
    assert evidence["locator"] == "page 2, paragraph 2"
    # A locator given is kept as given.
    given = {"quote": "The committee heard from many.", "locator": "Summary"}
    saved = await _data(register, CONSULT, input=_consultation("national-ugly-mugs", given))
    (evidence,) = saved["createConsultation"]["consultation"]["evidence"]
    assert (evidence["locator"], evidence["verification"]["page"]) == ("Summary", 1)


async def test_attaching_a_new_text_keeps_the_old_and_reports_each_quote_it_lost(
    register: Register,
) -> None:
    await _report(register)
    await _attach(register, pages=PAGES)
    kept = {"quote": "National Ugly Mugs gave oral evidence on 3 March."}
    lost = {"quote": "The committee heard from many."}
    saved = await _data(register, CONSULT, input=_consultation("national-ugly-mugs", kept, lost))
    assert saved["createConsultation"]["__typename"] == "ConsultationSaved"

    # The corrected edition drops page one.
    again = await _attach(register, PAGE_TWO, url="https://example.org/v2.pdf")
    assert again["verifiedCount"] == 1
    (mismatched,) = again["mismatched"]
    assert (mismatched["quote"], mismatched["verification"]) == (
        lost["quote"],
        {"status": "MISMATCH"},
    )
    document = (await _data(register, EVIDENCE, "anonymous", slug=REPORT))["document"]
    assert [t["url"] for t in document["sourceTexts"]] == ["https://example.org/v2.pdf", None]
    (consultation,) = document["consultations"]["nodes"]
    statuses = {e["quote"]: e["verification"] for e in consultation["evidence"]}
    assert statuses[kept["quote"]]["status"] == "VERIFIED"
    assert statuses[kept["quote"]]["page"] is None  # the new text has no pages
    assert statuses[lost["quote"]] == {
        "status": "MISMATCH",
        "page": None,
        "offsets": None,
        "url": None,
        "retrievedOn": None,
    }
    markdown = (await _data(register, ANSWER, "anonymous", slug=REPORT))["consultationAnswer"][
        "markdown"
    ]
    line = next(x for x in markdown.splitlines() if "The committee heard from many." in x)
    assert "does not contain this quote" in line
    # A new quote must be in the current text, not an old one.
    refused = await _data(register, CONSULT, input=_consultation("home-office", lost))
    assert refused["createConsultation"]["errors"][0]["rule"] == "QUOTE_NOT_IN_SOURCE"

    # A lost quote can still be corrected in its other fields, and stays a MISMATCH, until its
    # words are mended to the current text.
    update = """mutation($id: ID!, $version: Int!, $changes: EvidenceChanges!) {
        updateEvidence(id: $id, expectedVersion: $version, changes: $changes) {
        ... on EvidenceSaved { evidence { version locator verification { status } } }
        ... on EditRefused { errors { field code } } } }"""
    evidence_id, version = mismatched["id"], mismatched["version"]
    changed = await _data(
        register, update, id=evidence_id, version=version, changes={"confidence": "INFERRED"}
    )
    assert changed["updateEvidence"]["evidence"]["verification"] == {"status": "MISMATCH"}
    mended = await _data(
        register,
        update,
        id=evidence_id,
        version=version + 1,
        changes={"quote": "The Home Office's officials said", "locator": ""},
    )
    assert mended["updateEvidence"]["evidence"] == {
        "version": version + 2,
        "locator": "paragraph 2",
        "verification": {"status": "VERIFIED"},
    }


async def test_a_text_over_the_limit_is_refused_with_its_own_code(register: Register) -> None:
    await _report(register)
    before = await register.table_counts()
    refused = await _attach(register, "x" * (MAX_SOURCE_TEXT + 1))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("input.text", "TEXT_TOO_LARGE")
    ]
    bad_pages = await _attach(register, pages=[5, 2])
    assert [e["field"] for e in bad_pages["errors"]] == ["input.pages"]
    anonymous = (
        await register.send(ATTACH, {"document": REPORT, "input": {"text": "x"}}, "anonymous")
    ).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await register.table_counts() == before


async def test_a_quote_without_a_stored_text_needs_where_and_when_it_was_read(
    register: Register,
) -> None:
    await _report(register, "WEB_PAGE")
    before = await register.table_counts()
    quote = {"quote": "Sex worker-led groups gave evidence.", "locator": "paragraph 4"}
    refused = await _data(register, CONSULT, input=_consultation("home-office", quote))
    errors = refused["createConsultation"]["errors"]
    assert [(e["field"], e["code"], e["rule"]) for e in errors] == [
        ("input.evidence[0].url", "BAD_USER_INPUT", "SOURCE_URL_REQUIRED")
    ]
    half = {**quote, "url": "https://example.org/page"}
    refused = await _data(register, CONSULT, input=_consultation("home-office", half))
    assert refused["createConsultation"]["errors"][0]["rule"] == "SOURCE_URL_REQUIRED"
    assert await register.table_counts() == before

    read = {**half, "readOn": "2026-11-01"}
    saved = await _data(register, CONSULT, input=_consultation("home-office", read))
    (evidence,) = saved["createConsultation"]["consultation"]["evidence"]
    assert evidence["verification"] == {
        "status": "UNVERIFIED",
        "page": None,
        "offsets": None,
        "url": "https://example.org/page",
        "retrievedOn": "2026-11-01",
    }
    markdown = (await _data(register, ANSWER, "anonymous", slug=REPORT))["consultationAnswer"][
        "markdown"
    ]
    assert (
        "quoted from the web page at <https://example.org/page>, read on 1 November 2026; "
        "not checked against a stored copy" in markdown
    )


async def test_the_seeds_quotes_are_verified(client: httpx.AsyncClient) -> None:
    query = """{ documents(first: 50) { nodes { slug consultations(first: 50) { nodes {
        evidence { verification { status offsets } } } } } } }"""
    documents = (await graphql(client, query))["documents"]["nodes"]
    statuses = [
        evidence["verification"]
        for document in documents
        for consultation in document["consultations"]["nodes"]
        for evidence in consultation["evidence"]
    ]
    assert len(statuses) > 10
    assert {s["status"] for s in statuses} == {"VERIFIED"}
    assert all(s["offsets"] for s in statuses)


async def test_documents_that_are_only_sources_stay_out_of_coverage_unless_asked(
    register: Register,
) -> None:
    matrix = "{ coverageMatrix(first: 100) { totalCount rows { document { slug } } } }"
    before = (await _data(register, matrix, "anonymous"))["coverageMatrix"]["totalCount"]
    await _report(register, "PRESS_RELEASE", "a-press-release")
    await _report(register, "COMMITTEE_REPORT", "a-real-report")
    after = (await _data(register, matrix, "anonymous"))["coverageMatrix"]
    assert after["totalCount"] == before + 1
    assert "a-press-release" not in {r["document"]["slug"] for r in after["rows"]}

    listed = """query($filter: DocumentFilter) { documents(first: 100, filter: $filter) {
        nodes { slug } } }"""

    async def slugs(**filter: Any) -> set[str]:
        found = await _data(register, listed, "anonymous", filter=filter or None)
        return {node["slug"] for node in found["documents"]["nodes"]}

    assert {"a-press-release", "a-real-report"} <= await slugs()
    not_consulting = await slugs(notConsulting="womens-groups")
    assert "a-real-report" in not_consulting and "a-press-release" not in not_consulting
    assert "a-press-release" in await slugs(notConsulting="womens-groups", includeSources=True)
    assert "a-press-release" not in await slugs(consultationRecorded=False)
    assert "a-press-release" in await slugs(kind="PRESS_RELEASE")


async def test_editors_open_retracted_records_with_their_history_readers_cannot(
    register: Register,
) -> None:
    await _report(register)
    await _attach(register)
    quote = {"quote": "The committee heard from many.", "locator": "Summary"}
    saved = await _data(register, CONSULT, input=_consultation("home-office", quote))
    consultation = saved["createConsultation"]["consultation"]
    retract = """mutation($id: ID!, $version: Int!) { retractConsultation(id: $id,
        expectedVersion: $version, reason: "Wrong committee.") { __typename } }"""
    done = await _data(register, retract, id=consultation["id"], version=consultation["version"])
    assert done["retractConsultation"]["__typename"] == "ConsultationSaved"
    node = """query($id: ID!) { node(id: $id) { __typename ... on Consultation {
        role history { action } } } }"""
    assert await _data(register, node, "anonymous", id=consultation["id"]) == {"node": None}
    seen = (await _data(register, node, "editor", id=consultation["id"]))["node"]
    assert seen["role"] == "GAVE_ORAL_EVIDENCE"
    assert [h["action"] for h in seen["history"]] == ["CREATE", "RETRACT"]
    # Its evidence too, for editors only.
    evidence = consultation["evidence"][0]["id"]
    shown = "query($id: ID!) { node(id: $id) { __typename } }"
    assert await _data(register, shown, "anonymous", id=evidence) == {"node": None}
    assert await _data(register, shown, "editor", id=evidence) == {
        "node": {"__typename": "Evidence"}
    }


async def test_an_export_with_every_status_imports_as_it_was(
    fresh_database_url: str, tmp_path: Path
) -> None:
    await seed_database(fresh_database_url)
    app = create_app(settings_for(fresh_database_url))
    try:
        async with app.state.sessionmaker.begin() as session:
            token = (await tokens.issue(session, "editor", TokenRole.EDITOR, None)).token
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            register = Register(http, app.state.sessionmaker, {"editor": token}, app)
            await _report(register)
            await _report(register, "NEWS_ARTICLE", "a-news-article")
            await _attach(register, pages=PAGES)
            kept = {"quote": "National Ugly Mugs gave oral evidence on 3 March."}
            lost = {"quote": "The committee heard from many."}
            read = {
                "source": "a-news-article",
                "quote": "The Home Office was invited.",
                "locator": "paragraph 2",
                "url": "https://example.org/news",
                "readOn": "2026-11-02",
            }
            saved = await _data(
                register, CONSULT, input=_consultation("national-ugly-mugs", kept, lost)
            )
            assert saved["createConsultation"]["__typename"] == "ConsultationSaved"
            consultation = _consultation("home-office", kept)
            consultation["evidence"].append(read)
            saved = await _data(register, CONSULT, input=consultation)
            assert saved["createConsultation"]["__typename"] == "ConsultationSaved"
            assert (await _attach(register, PAGE_TWO))["mismatched"]
    finally:
        await app.state.engine.dispose()

    await export_database(fresh_database_url, tmp_path / "export")
    (tmp_path / "copy").mkdir()
    with empty_database(tmp_path / "copy") as copy:
        await seed_database(copy, tmp_path / "export", actor="import")
        original, loaded = (
            await register_rows(fresh_database_url),
            await register_rows(copy),
        )
    statuses = Counter(dict(row)["verification"] for row in original["evidence"])
    assert {s.value for s in statuses} == {"VERIFIED", "UNVERIFIED", "MISMATCH"}
    assert loaded["evidence"] == original["evidence"]


def test_the_command_line_attaches_a_file_and_lists_each_quote_it_lost(
    fresh_database_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed_database(fresh_database_url))
    source = ROOT / "seeds/data/sources/npcc-foi-059-19.txt"
    # The same answer, one sentence changed by a word.
    changed = source.read_text(encoding="utf-8").replace(
        "National Ugly Mugs due to their work with Police were involved",
        "National Ugly Mugs due to their work with Police were consulted",
    )
    (tmp_path / "answer.txt").write_text(changed, encoding="utf-8")
    done = _footprint(
        ["source", "add", "npcc-foi-059-19", "answer.txt", "--retrieved", "2026-11-30"],
        fresh_database_url,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Attached answer.txt to npcc-foi-059-19: ")
    assert lines[0].endswith("no longer matching: 1.")
    assert len(lines) == 2 and lines[1].startswith("MISMATCH ")
    assert "National Ugly Mugs due to their work with Police were involved" in lines[1]

    (tmp_path / "broken.pdf").write_bytes(b"not a PDF at all")
    broken = _footprint(
        ["source", "add", "npcc-foi-059-19", "broken.pdf"], fresh_database_url, tmp_path
    )
    assert broken.returncode == 1
    assert broken.stderr.startswith("footprint: ") and "Traceback" not in broken.stderr
    unknown = _footprint(
        ["source", "add", "no-such-document", "answer.txt"], fresh_database_url, tmp_path
    )
    assert unknown.returncode == 1 and "no-such-document" in unknown.stderr


def _footprint(argv: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "FOOTPRINT_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "api", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
