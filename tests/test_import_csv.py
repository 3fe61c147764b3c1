"""Spreadsheet entry: `footprint import-csv consultations FILE`, with the import's rules, all or
nothing, every problem reported by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from seeds.csv_import import load_consultations_csv
from seeds.errors import SeedError
from seeds.loader import seed_database
from tests.editing_fixtures import Register
from tests.test_export_import import footprint

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
HEADER = ["document", "organisation", "role", "source", "URL", "locator", "quote", "confidence"]
# A quote from the stored text of the NPCC's FOI answer, with straight apostrophes as written.
IN_TEXT = "Which organisations or individuals were used as advisors during the development"

CONSULTATIONS = """{ document(slug: "%s") { consultations(first: 100) { nodes {
    organisation { slug } role evidence { source { slug } locator quote } } } } }"""


def sheet(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def row(
    organisation: str,
    role: str = "INVITED",
    *,
    document: str = GUIDANCE,
    source: str = "beyond-the-gaze",
    locator: str = "page 1",
    quote: str = "Some words.",
    confidence: str = "",
) -> list[str]:
    return [
        document,
        organisation,
        role,
        source,
        "https://example.org/page",
        locator,
        quote,
        confidence,
    ]


async def test_rows_become_consultations_with_their_evidence(
    register: Register, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path / "consultations.csv",
        [
            row("nelson-trust", "GAVE_ORAL_EVIDENCE"),
            # The same organisation and role again: a second piece of evidence.
            row("nelson-trust", "gave_oral_evidence", locator="page 2", quote="More words."),
            row(
                "sex-worker-forum",
                "SUBMITTED_WRITTEN_EVIDENCE",
                source="npcc-foi-059-19",
                locator="Question 9",
                quote=IN_TEXT,
                confidence="INFERRED",
            ),
        ],
    )
    before = await register.table_counts()
    report = await load_consultations_csv(register.sessionmaker, path, actor="analyst")
    after = await register.table_counts()
    assert after["consultation"] == before["consultation"] + 2
    assert after["evidence"] == before["evidence"] + 3
    assert after["document"] == before["document"]
    assert report.table("consultation").inserted == 2

    body = (await register.send(CONSULTATIONS % GUIDANCE, {})).json()
    consultations = {
        (c["organisation"]["slug"], c["role"]): [e["locator"] for e in c["evidence"]]
        for c in body["data"]["document"]["consultations"]["nodes"]
    }
    assert consultations[("nelson-trust", "GAVE_ORAL_EVIDENCE")] == ["page 1", "page 2"]
    assert consultations[("sex-worker-forum", "SUBMITTED_WRITTEN_EVIDENCE")] == ["Question 9"]

    # The same sheet again changes nothing.
    again = await load_consultations_csv(register.sessionmaker, path, actor="analyst")
    assert (again.inserted, again.updated) == (0, 0)


async def test_every_problem_is_reported_by_line_and_nothing_is_written(
    register: Register, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path / "broken.csv",
        [
            row("nelson-trust"),  # line 2: fine
            row("nobody-we-know"),  # line 3
            row("nelson-trust", "CHATTED"),  # line 4
            row(
                "sex-worker-forum",
                source="npcc-foi-059-19",
                quote="This sentence is not in the report at all.",
            ),  # line 5
            row("home-office", quote=""),  # line 6
            row("national-ugly-mugs"),  # line 7
            row("national-ugly-mugs"),  # line 8: the same evidence again
            row("home-office", document="no-such-document"),  # line 9
        ],
    )
    before = await register.table_counts()
    with pytest.raises(SeedError) as raised:
        await load_consultations_csv(register.sessionmaker, path)
    assert await register.table_counts() == before
    problems = raised.value.problems
    by_line = {int(problem.split(":")[1]): problem for problem in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 8, 9], problems
    assert "unknown organisation 'nobody-we-know'" in by_line[3]
    assert "'CHATTED' is not a role" in by_line[4]
    assert "quote not found in the stored text of 'npcc-foi-059-19'" in by_line[5]
    assert "'quote' is empty" in by_line[6]
    assert "duplicate evidence" in by_line[8]
    assert "unknown document 'no-such-document'" in by_line[9]
    codes = {int(p.split(":")[1]): getattr(p, "code", None) for p in problems}
    assert (codes[3], codes[5], codes[8], codes[9]) == (
        "UNKNOWN_REFERENCE",
        "QUOTE_NOT_IN_SOURCE",
        "DUPLICATE_EVIDENCE",
        "UNKNOWN_REFERENCE",
    )


async def test_a_sheet_without_the_columns_is_refused(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("document,organisation,colour\nx,y,blue\n", encoding="utf-8")
    with pytest.raises(SeedError) as raised:
        await load_consultations_csv(register.sessionmaker, path)
    problems = raised.value.problems
    assert any("unknown column 'colour'" in p for p in problems)
    assert any("the column 'quote' is missing" in p for p in problems)


async def test_the_command_imports_a_sheet_or_lists_its_problems(
    fresh_database_url: str, tmp_path: Path
) -> None:
    await seed_database(fresh_database_url)
    broken = sheet(tmp_path / "broken.csv", [row("nelson-trust"), row("nobody-we-know")])
    refused = footprint(fresh_database_url, tmp_path, "import-csv", "consultations", str(broken))
    assert refused.returncode == 1
    assert "broken.csv:3: unknown organisation 'nobody-we-know' [UNKNOWN_REFERENCE]" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr

    good = sheet(tmp_path / "good.csv", [row("nelson-trust")])
    dry = footprint(
        fresh_database_url, tmp_path, "import-csv", "consultations", str(good), "--dry-run"
    )
    assert dry.returncode == 0, dry.stderr
    assert f"+ consultation {GUIDANCE} nelson-trust INVITED" in dry.stdout
    done = footprint(fresh_database_url, tmp_path, "import-csv", "consultations", str(good))
    assert done.returncode == 0, done.stderr
    assert "1 inserted" in done.stdout or "consultation +1" in done.stdout
