"""A small register shaped like the real one, built from public UK documents every way in: the
API, `footprint import` of a folder, `footprint import-csv consultations`, texts attached from a
PDF and a web page the test makes; exported, imported into an empty database row for row, and
asked who was consulted, with every quote's verification.

The documents and organisations are real and public; the texts are made here, so each quote is
checked against what the test wrote, not against the published documents."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from api.app import create_app
from db import tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from db.models import Document
from seeds.errors import SeedError
from seeds.loader import seed_database
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.test_adding_a_real_document import text_pdf
from tests.test_export_import import footprint, read_folder, register_rows

REPORT = "hasc-prostitution-2016"  # through the API; its text from a PDF
STRATEGY = "coordinated-prostitution-strategy-2006"  # through the API; its text from a web page
BILL = "modern-slavery-bill-2014-witnesses"  # through the API; no text stored
PAPER = "paying-the-price-2004"  # through the import; no text stored
READ_ON = "2026-11-27"

# The committee's report as three printed pages; each quote below sits on one of them.
REPORT_PAGES = [
    [
        "House of Commons Home Affairs Committee",
        "Prostitution",
        "Third Report of Session 2016\u201317",
        "",
        "Summary",
        "We took oral evidence from sex workers, support services, the police and the",
        "Home Office, and received over 250 written submissions.",
    ],
    [
        "Oral evidence",
        "The English Collective of Prostitutes told us that sex workers should be able to",
        "work together for safety without being prosecuted for brothel-keeping.",
        "",
        "National Ugly Mugs told us that fewer than one in four sex workers who reported",
        "a crime to the scheme wanted to report it to the police.",
        "",
        "The National Police Chiefs\u2019 Council told us that its guidance treats sex",
        "workers as potential victims rather than offenders.",
    ],
    [
        "Written evidence",
        "Amnesty International UK submitted written evidence in support of decrim-",
        "inalisation of consensual adult sex work.",
        "",
        "The Royal College of Nursing said in its written evidence that criminalisation",
        "deters sex workers from seeking health care.",
        "",
        "CARE argued in its written evidence for a law that makes paying for sex an offence.",
    ],
]

STRATEGY_PAGE = """<!DOCTYPE html><html><head><title>A Coordinated Prostitution Strategy - GOV.UK
</title></head><body><header><a href="/">GOV.UK</a> <a href="/search">Search</a></header>
<main><article><h1>A Coordinated Prostitution Strategy and a summary of responses to Paying the
Price</h1>
<p>Paying the Price received 861 responses from organisations and individuals.</p>
<p>The Association of Chief Police Officers supported a coordinated approach to tackling
 street prostitution.</p>
<p>Barnardo&#8217;s stressed that children involved in prostitution must be treated as
 victims of abuse.</p>
<p>The Local Government Association called for local flexibility in dealing with
 prostitution.</p>
<p>Eaves Housing for Women argued that routes out of prostitution need long-term funding.</p>
</article></main><footer>Cookies. Crown copyright.</footer></body></html>"""
# The page as revised: Eaves's sentence rewritten, everything else the same.
REVISED_TEXT = """A Coordinated Prostitution Strategy and a summary of responses to Paying the Price

Paying the Price received 861 responses from organisations and individuals.

The Association of Chief Police Officers supported a coordinated approach to tackling street \
prostitution.

Barnardo's stressed that children involved in prostitution must be treated as victims of abuse.

The Local Government Association called for local flexibility in dealing with prostitution.

Eaves Housing for Women argued that exit services need sustained funding."""
EAVES_QUOTE = (
    "Eaves Housing for Women argued that routes out of prostitution need long-term funding."
)


@dataclass(frozen=True)
class Quote:
    """One piece of evidence as the test records it, and what it should be verified as."""

    document: str
    organisation: str
    role: str
    source: str
    quote: str
    status: str  # VERIFIED, UNVERIFIED or MISMATCH, as the register should answer
    locator: str = ""  # blank: filled from where the quote is found
    url: str | None = None  # only where no text of the source is stored


# Organisations: slug, name. The first twelve through the API, the rest through the import.
API_ORGANISATIONS = [
    ("home-affairs-committee", "House of Commons Home Affairs Committee"),
    ("home-office", "Home Office"),
    ("english-collective-of-prostitutes", "English Collective of Prostitutes"),
    ("national-ugly-mugs", "National Ugly Mugs"),
    ("national-police-chiefs-council", "National Police Chiefs' Council"),
    ("amnesty-international-uk", "Amnesty International UK"),
    ("royal-college-of-nursing", "Royal College of Nursing"),
    ("care", "CARE (Christian Action Research and Education)"),
    ("anti-slavery-international", "Anti-Slavery International"),
    ("ecpat-uk", "ECPAT UK"),
    ("kalayaan", "Kalayaan"),
    ("salvation-army", "The Salvation Army"),
]
IMPORTED_ORGANISATIONS = [
    ("association-of-chief-police-officers", "Association of Chief Police Officers"),
    ("barnardos", "Barnardo's"),
    ("local-government-association", "Local Government Association"),
    ("eaves-housing-for-women", "Eaves Housing for Women"),
    ("terrence-higgins-trust", "Terrence Higgins Trust"),
    ("uk-network-of-sex-work-projects", "UK Network of Sex Work Projects"),
    ("unseen", "Unseen"),
    ("childrens-commissioner", "Children's Commissioner for England"),
    ("scot-pep", "SCOT-PEP"),
    ("crown-prosecution-service", "Crown Prosecution Service"),
]

# Through the API, after the texts are attached: quotes found in the report's PDF.
API_QUOTES = [
    Quote(
        REPORT,
        "english-collective-of-prostitutes",
        "GAVE_ORAL_EVIDENCE",
        REPORT,
        # Typed with a line break where the page breaks its line: forgiven.
        "The English Collective of Prostitutes told us that sex workers should be able to "
        "work together for safety without being prosecuted for brothel-keeping.",
        "VERIFIED",
    ),
    Quote(
        REPORT,
        "national-ugly-mugs",
        "GAVE_ORAL_EVIDENCE",
        REPORT,
        "National Ugly Mugs told us that fewer than one in four sex workers who reported a "
        "crime to the scheme wanted to report it to the police.",
        "VERIFIED",
    ),
    Quote(
        REPORT,
        "national-police-chiefs-council",
        "GAVE_ORAL_EVIDENCE",
        REPORT,
        # A straight apostrophe where the page prints a curly one: forgiven.
        "The National Police Chiefs' Council told us that its guidance treats sex workers as "
        "potential victims rather than offenders.",
        "VERIFIED",
    ),
    Quote(
        REPORT,
        "amnesty-international-uk",
        "SUBMITTED_WRITTEN_EVIDENCE",
        REPORT,
        # The page hyphenates "decriminalisation" across two lines: forgiven.
        "Amnesty International UK submitted written evidence in support of decriminalisation "
        "of consensual adult sex work.",
        "VERIFIED",
    ),
    Quote(
        STRATEGY,
        "home-office",
        "AUTHOR",
        STRATEGY,
        "Paying the Price received 861 responses from organisations and individuals.",
        "VERIFIED",
    ),
]
# Through `footprint import`: a new document (the consultation paper) and consultations added
# to the strategy, which is already in the database with its stored text.
IMPORTED_QUOTES = [
    Quote(
        PAPER,
        "home-office",
        "AUTHOR",
        PAPER,
        "Paying the Price: a consultation paper on prostitution.",
        "UNVERIFIED",
        "title page",
        "https://webarchive.nationalarchives.gov.uk/paying-the-price",
    ),
    Quote(
        PAPER,
        "association-of-chief-police-officers",
        "CONSULTED",
        STRATEGY,
        "The Association of Chief Police Officers supported a coordinated approach to "
        "tackling street prostitution.",
        "VERIFIED",
    ),
    Quote(
        PAPER,
        "barnardos",
        "CONSULTED",
        STRATEGY,
        "Barnardo's stressed that children involved in prostitution must be treated as "
        "victims of abuse.",
        "VERIFIED",
    ),
    Quote(
        PAPER,
        "local-government-association",
        "CONSULTED",
        STRATEGY,
        "The Local Government Association called for local flexibility in dealing with "
        "prostitution.",
        "VERIFIED",
    ),
    # Verified when imported; the strategy's revised text no longer holds it.
    Quote(PAPER, "eaves-housing-for-women", "CONSULTED", STRATEGY, EAVES_QUOTE, "MISMATCH"),
    Quote(
        PAPER,
        "terrence-higgins-trust",
        "CONSULTED",
        PAPER,
        "Paying the Price asks for views from all those with an interest in prostitution.",
        "UNVERIFIED",
        "foreword",
        "https://webarchive.nationalarchives.gov.uk/paying-the-price",
    ),
]
# Through `footprint import-csv consultations`: the bill's list of witnesses (no stored text)
# and the report's written evidence (its PDF, a page given as the locator).
WITNESSES_URL = "https://publications.parliament.uk/pa/cm201415/cmpublic/modernslavery/witnesses"
CSV_QUOTES = [
    Quote(
        BILL,
        organisation,
        "GAVE_ORAL_EVIDENCE",
        BILL,
        f"Witnesses: {name}.",
        "UNVERIFIED",
        "Tuesday 9 September 2014",
        WITNESSES_URL,
    )
    for organisation, name in [
        ("anti-slavery-international", "Anti-Slavery International"),
        ("ecpat-uk", "ECPAT UK"),
        ("kalayaan", "Kalayaan"),
        ("salvation-army", "The Salvation Army"),
        ("unseen", "Unseen"),
        ("childrens-commissioner", "Children's Commissioner for England"),
    ]
] + [
    Quote(
        REPORT,
        "royal-college-of-nursing",
        "SUBMITTED_WRITTEN_EVIDENCE",
        REPORT,
        "The Royal College of Nursing said in its written evidence that criminalisation deters "
        "sex workers from seeking health care.",
        "VERIFIED",
        "page 3",
    ),
    Quote(
        REPORT,
        "care",
        "SUBMITTED_WRITTEN_EVIDENCE",
        REPORT,
        "CARE argued in its written evidence for a law that makes paying for sex an offence.",
        "VERIFIED",
        "page 3",
    ),
]
ALL_QUOTES = API_QUOTES + IMPORTED_QUOTES + CSV_QUOTES

ORGANISATION = """mutation($input: OrganisationInput!) { createOrganisation(input: $input) {
    __typename ... on EditRefused { errors { message } } } }"""
DOCUMENT = """mutation($input: DocumentInput!) { createDocument(input: $input) {
    __typename ... on EditRefused { errors { message } } } }"""
CONSULTATION = """mutation($input: ConsultationInput!) { createConsultation(input: $input) {
    __typename ... on EditRefused { errors { message } } } }"""
ATTACH = """mutation($document: String!, $input: SourceTextInput!) {
    attachSourceText(document: $document, input: $input) { __typename
    ... on SourceTextSaved { verifiedCount mismatched { quote verification { status } } }
    ... on EditRefused { errors { message } } } }"""
WHO_WAS_CONSULTED = """query($slug: String!) { document(slug: $slug) { title
    consultations(first: 100) { nodes { role organisation { slug name } evidence {
    source { slug } locator quote verification { status page url retrievedOn } } } } } }"""


def page_of(quote: str) -> int:
    """The printed page of the report holding the quote (its words, typography aside)."""

    def words(text: str) -> str:
        text = text.replace("\u2019", "'").replace("-\n", "").replace("\n", " ")
        return " ".join(text.split())

    pages = [
        n for n, lines in enumerate(REPORT_PAGES, 1) if words(quote) in words("\n".join(lines))
    ]
    assert len(pages) == 1, quote
    return pages[0]


async def mutate(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    (answer,) = body["data"].values()
    assert answer["__typename"] != "EditRefused", answer
    return dict(answer)


def evidence_input(quote: Quote) -> dict[str, Any]:
    given: dict[str, Any] = {"source": quote.source, "quote": quote.quote}
    if quote.locator:
        given["locator"] = quote.locator
    if quote.url:
        given |= {"url": quote.url, "readOn": READ_ON}
    return given


def import_folder(directory: Path) -> Path:
    """The folder `footprint import` reads: new organisations, the consultation paper, and
    consultations added to the strategy, which the database already holds."""
    directory.mkdir()
    organisations = [{"slug": slug, "name": name} for slug, name in IMPORTED_ORGANISATIONS]
    (directory / "organisations.yaml").write_text(yaml.safe_dump(organisations, sort_keys=False))
    consultations = []
    for quote in IMPORTED_QUOTES:
        evidence: dict[str, Any] = {
            "source": quote.source,
            "locator": quote.locator or "summary of responses",
            "quote": quote.quote,
            "confidence": "STATED",
        }
        if quote.url:
            evidence |= {"url": quote.url, "read_on": READ_ON}
        consultations.append(
            {"organisation": quote.organisation, "role": quote.role, "evidence": [evidence]}
        )
    paper = {
        "slug": PAPER,
        "title": "Paying the Price: a consultation paper on prostitution",
        "kind": "CONSULTATION_PAPER",
        "publisher": "home-office",
        "published": "2004-07",
        "consultations": consultations,
    }
    (directory / "documents").mkdir()
    (directory / "documents" / f"{PAPER}.yaml").write_text(yaml.safe_dump(paper, sort_keys=False))
    return directory


def sheet(path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["document", "organisation", "role", "source", "URL", "read_on", "locator", "quote"]
    )
    for quote in CSV_QUOTES:
        writer.writerow(
            [
                quote.document,
                quote.organisation,
                quote.role.lower(),  # as a spreadsheet might: any case
                quote.source,
                quote.url or "",
                READ_ON if quote.url else "",
                quote.locator,
                quote.quote,
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def expected_register() -> dict[str, dict[tuple[str, str], list[tuple[Any, ...]]]]:
    """Each document: who was consulted in what role, with each quote's source, verification
    status, page, URL and day read, as the test recorded them."""
    expected: dict[str, dict[tuple[str, str], list[tuple[Any, ...]]]] = {}
    for quote in ALL_QUOTES:
        page = page_of(quote.quote) if quote.source == REPORT else None
        shown = (
            quote.source,
            quote.quote,
            quote.status,
            page,
            quote.url,
            READ_ON if quote.url else None,
        )
        by_party = expected.setdefault(quote.document, {})
        by_party.setdefault((quote.organisation, quote.role), []).append(shown)
    return expected


async def who_was_consulted(
    http: httpx.AsyncClient,
) -> dict[str, dict[tuple[str, str], list[tuple[Any, ...]]]]:
    answered: dict[str, dict[tuple[str, str], list[tuple[Any, ...]]]] = {}
    for slug in (REPORT, STRATEGY, BILL, PAPER):
        response = await http.post(
            "/graphql", json={"query": WHO_WAS_CONSULTED, "variables": {"slug": slug}}
        )
        body = response.json()
        assert "errors" not in body, body
        for node in body["data"]["document"]["consultations"]["nodes"]:
            for evidence in node["evidence"]:
                verification = evidence["verification"]
                if verification["page"] is not None:
                    # A quote found on a page says so in its locator, whoever wrote it.
                    assert evidence["locator"].startswith(f"page {verification['page']}")
                answered.setdefault(slug, {}).setdefault(
                    (node["organisation"]["slug"], node["role"]), []
                ).append(
                    (
                        evidence["source"]["slug"],
                        evidence["quote"],
                        verification["status"],
                        verification["page"],
                        verification["url"],
                        verification["retrievedOn"],
                    )
                )
    return answered


async def test_a_real_shaped_register_goes_in_every_way_and_round_trips(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "report.pdf").write_bytes(text_pdf(REPORT_PAGES))
    (work / "strategy.html").write_text(STRATEGY_PAGE, encoding="utf-8")
    assert len({slug for slug, _ in API_ORGANISATIONS + IMPORTED_ORGANISATIONS}) >= 20
    (tmp_path / "original").mkdir()
    (tmp_path / "copy").mkdir()
    with empty_database(tmp_path / "original") as url, empty_database(tmp_path / "copy") as copy:
        engine = create_engine(url)
        async with create_sessionmaker(engine).begin() as session:
            token = (await tokens.issue(session, "analyst", TokenRole.EDITOR, None)).token
        await engine.dispose()
        app = create_app(settings_for(url))
        transport = httpx.ASGITransport(app=app)
        headers = {"authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://footprint.test", headers=headers
            ) as http:
                # 1. Through the API: organisations and three documents.
                for slug, name in API_ORGANISATIONS:
                    await mutate(http, ORGANISATION, {"input": {"slug": slug, "name": name}})
                for document in [
                    {
                        "slug": REPORT,
                        "title": "Prostitution: Third Report of Session 2016-17",
                        "kind": "COMMITTEE_REPORT",
                        "publisher": "home-affairs-committee",
                        "publishedOn": "2016-07-01",
                        "url": "https://publications.parliament.uk/pa/cm201617/cmselect/"
                        "cmhaff/26/26.pdf",
                    },
                    {
                        "slug": STRATEGY,
                        "title": "A Coordinated Prostitution Strategy and a summary of "
                        "responses to Paying the Price",
                        "kind": "CONSULTATION_ANALYSIS",
                        "publisher": "home-office",
                        "publishedOn": "2006-01-01",
                        "publishedPrecision": "MONTH",
                    },
                    {
                        "slug": BILL,
                        "title": "Modern Slavery Bill: list of witnesses",
                        "kind": "BILL",
                        "url": WITNESSES_URL,
                    },
                ]:
                    await mutate(http, DOCUMENT, {"input": document})

                # 2. The texts, from the PDF and the web page, as `footprint source add` reads them.
                for slug, name, address in [
                    (REPORT, "report.pdf", "https://publications.parliament.uk/report.pdf"),
                    (STRATEGY, "strategy.html", "https://www.gov.uk/strategy"),
                ]:
                    added = footprint(
                        url,
                        work,
                        "source",
                        "add",
                        slug,
                        name,
                        "--url",
                        address,
                        "--retrieved",
                        READ_ON,
                    )
                    assert added.returncode == 0, added.stderr
                    assert "Quotes verified: 0; no longer matching: 0." in added.stdout

                # 3. Through the API: consultations quoting those texts.
                for quote in API_QUOTES:
                    consultation = {
                        "document": quote.document,
                        "organisation": quote.organisation,
                        "role": quote.role,
                        "evidence": [evidence_input(quote)],
                    }
                    await mutate(http, CONSULTATION, {"input": consultation})

                # 4. Through `footprint import`: more organisations and a document.
                folder = import_folder(tmp_path / "folder")
                imported = footprint(url, work, "import", str(folder), "--actor", "analyst")
                assert imported.returncode == 0, imported.stderr

                # 5. Through `footprint import-csv consultations`.
                path = sheet(tmp_path / "witnesses.csv")
                sheeted = footprint(url, work, "import-csv", "consultations", str(path))
                assert sheeted.returncode == 0, sheeted.stderr

                # 6. The strategy's page is revised: its new text drops one quote.
                revised = await mutate(
                    http,
                    ATTACH,
                    {
                        "document": STRATEGY,
                        "input": {
                            "text": REVISED_TEXT,
                            "url": "https://www.gov.uk/strategy",
                            "retrievedOn": "2026-11-28",
                        },
                    },
                )
                still = [q for q in ALL_QUOTES if q.source == STRATEGY and q.status == "VERIFIED"]
                assert revised["verifiedCount"] == len(still)
                assert revised["mismatched"] == [
                    {"quote": EAVES_QUOTE, "verification": {"status": "MISMATCH"}}
                ]

                expected = expected_register()
                assert await who_was_consulted(http) == expected
        finally:
            await app.state.engine.dispose()

        # 7. Exported, and imported into an empty database: the same register, row for row.
        exported = footprint(url, work, "export", "--output", "export")
        assert exported.returncode == 0, exported.stderr
        files = read_folder(work / "export")
        assert {f"sources/{REPORT}.txt", f"sources/{STRATEGY}.txt"} <= set(files)
        assert files[f"sources/{STRATEGY}.txt"].decode() == REVISED_TEXT
        assert b"verification: MISMATCH" in files[f"documents/{PAPER}.yaml"]
        loaded = footprint(copy, work, "import", "export")
        assert loaded.returncode == 0, loaded.stderr
        original, copied = await register_rows(url), await register_rows(copy)
        assert len(original["organisation"]) == 22 and len(original["document"]) == 4
        for name in original:
            assert copied[name] == original[name], name

        # 8. The copy answers who was consulted on each document, each quote as verified.
        copy_app = create_app(settings_for(copy))
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=copy_app), base_url="http://footprint.test"
            ) as reader:
                assert await who_was_consulted(reader) == expected
        finally:
            await copy_app.state.engine.dispose()


async def test_wrong_pages_of_a_text_are_reported_and_nothing_is_written(
    fresh_database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "folder"
    (folder / "documents").mkdir(parents=True)
    (folder / "sources").mkdir()
    (folder / "sources" / f"{REPORT}.txt").write_text("Page one.\n\nPage two.", encoding="utf-8")
    for slug, pages in [(REPORT, "[5, 2]"), ("hasc-2", "[0, x]")]:
        (folder / "documents" / f"{slug}.yaml").write_text(
            f"slug: {slug}\ntitle: Prostitution\nkind: COMMITTEE_REPORT\n"
            f"text:\n  file: sources/{REPORT}.txt\n  pages: {pages}\n",
            encoding="utf-8",
        )
    with pytest.raises(SeedError) as raised:
        await seed_database(fresh_database_url, folder, actor="analyst")
    assert sorted(raised.value.problems) == [
        "documents/hasc-2.yaml:6: each entry of 'pages' must be a whole number",
        f"documents/{REPORT}.yaml:6: 'pages' must start at 0 and rise, each within the text "
        "(in characters)",
    ]
    engine = create_engine(fresh_database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(Document)) == 0
    finally:
        await engine.dispose()
