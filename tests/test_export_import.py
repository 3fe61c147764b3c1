"""Export in the seed format, import (all or nothing, audited, dry run), and the CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from db.enums import AuditAction
from db.models import (
    AuditEntry,
    Base,
    Consultation,
    Document,
    Evidence,
    FoiQuestion,
    FoiRequest,
    Influence,
    Organisation,
    Principle,
)
from db.visibility import Audience
from seeds.errors import SeedError
from seeds.export import (
    CONSULTATION_HEADER,
    INFLUENCE_HEADER,
    csv_text,
    export_database,
    neutralise,
    read_database,
    read_register,
)
from seeds.loader import load_seeds, seed_database
from seeds.synthetic import generate_into
from tests.databases import empty_database
from tests.test_cli import ROOT, _environment

Sessionmaker = async_sessionmaker[AsyncSession]
# Not the register's content: who may edit, and the trail of edits.
# Redirects exist only after a merge, which retracts an organisation: a register the export
# refuses until the seed format can carry retractions.
# Nor is an editor's review of possible duplicate organisations (pairs marked distinct).
NOT_EXPORTED = {"audit_entry", "api_token", "idempotency_record", "organisation_distinct_pair"}


def read_folder(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


async def register_rows(url: str) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every exported table's rows without ids or versions, each foreign key replaced by the
    row it points at (recursively), so that two databases compare by content alone."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_EXPORTED]
            rows = {
                table.name: [dict(row._mapping) for row in await connection.execute(select(table))]
                for table in tables
            }
    finally:
        await engine.dispose()
    by_id = {
        table.name: {row["id"]: row for row in rows[table.name]}
        for table in tables
        if "id" in table.c
    }

    def content(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
        values: list[Any] = []
        for column in table.c:
            if column.name in ("id", "version"):
                continue
            value = row[column.name]
            target = next(iter(column.foreign_keys), None)
            if target is not None and value is not None:
                referred = target.column.table
                value = content(referred, by_id[referred.name][value])
            values.append((column.name, value))
        return tuple(values)

    return {
        table.name: Counter(content(table, row) for row in rows[table.name]) for table in tables
    }


async def audit_entries(sessionmaker: Sessionmaker) -> list[AuditEntry]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def total_rows(sessionmaker: Sessionmaker) -> int:
    async with sessionmaker() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        ]
    return sum(count or 0 for count in counts)


@pytest.fixture
async def exported(seeded_database_url: str, tmp_path: Path) -> Path:
    """The seeded register, exported."""
    directory = tmp_path / "export"
    await export_database(seeded_database_url, directory)
    return directory


async def test_a_round_trip_loses_nothing(
    seeded_database_url: str, exported: Path, fresh_database_url: str, tmp_path: Path
) -> None:
    files = read_folder(exported)
    assert {"groups.yaml", "organisations.yaml", "topics.yaml"} <= set(files)
    assert "documents/npcc-sex-work-and-prostitution-guidance-2019.yaml" in files
    assert "sources/npcc-foi-059-19.txt" in files
    assert (
        files["sources/npcc-foi-059-19.txt"]
        == (ROOT / "seeds/data/sources/npcc-foi-059-19.txt").read_bytes()
    )

    report = await seed_database(fresh_database_url, exported, actor="import")
    assert report.inserted > 200 and report.updated == 0

    again = tmp_path / "again"
    await export_database(fresh_database_url, again)
    assert read_folder(again) == files
    await export_database(fresh_database_url, again)  # over an earlier export: the same files
    assert read_folder(again) == files

    original, copy = (
        await register_rows(seeded_database_url),
        await register_rows(fresh_database_url),
    )
    assert all(original[name] for name in ("organisation", "evidence", "document_text"))
    for name in original:
        assert copy[name] == original[name], name


async def test_the_export_reads_one_statement_per_table(seeded_database_url: str) -> None:
    engine = create_engine(seeded_database_url)
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda *args: statements.append(args[2]),
    )
    try:
        async with create_sessionmaker(engine)() as session:
            await read_register(session)
    finally:
        await engine.dispose()
    assert len(statements) == len(Base.metadata.sorted_tables) - len(NOT_EXPORTED)


async def test_an_import_audits_every_row_and_a_second_one_changes_nothing(
    exported: Path, fresh_sessionmaker: Sessionmaker
) -> None:
    report = await load_seeds(fresh_sessionmaker, exported, actor="alice")
    entries = await audit_entries(fresh_sessionmaker)
    assert len(entries) == report.inserted
    assert {entry.actor for entry in entries} == {"alice"}
    assert {entry.action for entry in entries} == {AuditAction.CREATE}
    by_table = Counter(entry.entity for entry in entries)
    assert by_table == {
        name: counts.inserted for name, counts in report.tables.items() if counts.inserted
    }
    home_office = next(
        entry
        for entry in entries
        if entry.entity == "organisation" and entry.after and entry.after["slug"] == "home-office"
    )
    assert home_office.before is None
    assert home_office.after is not None and home_office.after["name"] == "Home Office"
    assert home_office.entity_id == home_office.after["id"]

    again = await load_seeds(fresh_sessionmaker, exported, actor="alice")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, report.inserted)
    assert len(await audit_entries(fresh_sessionmaker)) == len(entries)


async def test_a_dry_run_writes_nothing_but_says_what_it_would_do(
    exported: Path, fresh_sessionmaker: Sessionmaker
) -> None:
    dry = await load_seeds(fresh_sessionmaker, exported, actor="import", dry_run=True)
    assert dry.inserted > 200 and dry.updated == 0
    assert await total_rows(fresh_sessionmaker) == 0

    real = await load_seeds(fresh_sessionmaker, exported, actor="import")
    assert real.tables == dry.tables
    rows, entries = (
        await total_rows(fresh_sessionmaker),
        len(await audit_entries(fresh_sessionmaker)),
    )

    organisations = exported / "organisations.yaml"
    organisations.write_text(
        organisations.read_text().replace("name: Home Office", "name: The Home Office", 1)
    )
    dry = await load_seeds(fresh_sessionmaker, exported, actor="import", dry_run=True)
    assert (dry.inserted, dry.updated) == (0, 1)
    assert dry.table("organisation").updated == 1
    assert await total_rows(fresh_sessionmaker) == rows
    assert len(await audit_entries(fresh_sessionmaker)) == entries

    # For real: one UPDATE entry with the row before and after, and a new version.
    await load_seeds(fresh_sessionmaker, exported, actor="import")
    update = (await audit_entries(fresh_sessionmaker))[-1]
    assert (update.action, update.entity, update.actor) == (
        AuditAction.UPDATE,
        "organisation",
        "import",
    )
    assert update.before and update.after
    assert (update.before["name"], update.after["name"]) == ("Home Office", "The Home Office")
    assert (update.before["version"], update.after["version"]) == (1, 2)
    async with fresh_sessionmaker() as session:
        home_office = await session.scalar(
            select(Organisation).where(Organisation.slug == "home-office")
        )
    assert home_office is not None and home_office.version == 2


async def import_problems(sessionmaker: Sessionmaker, folder: Path) -> list[str]:
    """The problems an import of `folder` is refused for."""
    with pytest.raises(SeedError) as raised:
        await load_seeds(sessionmaker, folder, actor="import")
    return raised.value.problems


def assert_reported(problems: list[str], expected: list[tuple[str, str]]) -> None:
    """Each (place, words) is reported: a problem starting with the place names the words."""
    for where, words in expected:
        assert any(p.startswith(where) and words in p for p in problems), (where, problems)


def break_line(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; return the (1-based) line it was on."""
    text = path.read_text()
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


async def test_a_broken_folder_is_reported_with_file_and_line_and_nothing_is_written(
    exported: Path, fresh_sessionmaker: Sessionmaker
) -> None:
    guidance = "documents/npcc-sex-work-and-prostitution-guidance-2019.yaml"
    policy = "documents/gloucestershire-prostitution-policy.yaml"
    strategy = "documents/npcc-prostitution-strategy.yaml"
    publisher = break_line(exported / guidance, "publisher: npcc", "publisher: nobody-we-know")
    role = break_line(exported / policy, "role: PARTNER", "role: CHATTED")
    published = break_line(exported / strategy, "slug: ", "published: January 2019\nslug: ")
    named = break_line(exported / "organisations.yaml", "named: false", "named: perhaps")

    assert_reported(
        await import_problems(fresh_sessionmaker, exported),
        [
            (f"{guidance}:{publisher}:", "unknown organisation 'nobody-we-know'"),
            (f"{policy}:{role}:", "'CHATTED' is not a valid role"),
            (f"{strategy}:{published}:", "not an ISO date"),
            (f"organisations.yaml:{named}:", "must be true or false"),
        ],
    )
    assert await total_rows(fresh_sessionmaker) == 0


def footprint(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd,
        env=_environment(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_commands_export_import_and_refuse_cleanly(
    seeded_database_url: str, fresh_database_url: str, tmp_path: Path
) -> None:
    exported = footprint(seeded_database_url, tmp_path, "export")
    assert exported.returncode == 0, exported.stderr
    directory = tmp_path / "footprint-export"
    assert (directory / "groups.yaml").exists()

    dry = footprint(fresh_database_url, tmp_path, "import", str(directory), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "nothing written" in dry.stdout and "inserted" in dry.stdout
    engine = create_engine(fresh_database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        assert await total_rows(sessionmaker) == 0
        done = footprint(fresh_database_url, tmp_path, "import", str(directory), "--actor", "bob")
        assert done.returncode == 0, done.stderr
        entries = await audit_entries(sessionmaker)
        assert entries and {entry.actor for entry in entries} == {"bob"}
    finally:
        await engine.dispose()

    broken = tmp_path / "broken"
    shutil.copytree(directory, broken)
    line = break_line(broken / "topics.yaml", "- slug: ", "- slug: Not A Slug ")
    refused = footprint(fresh_database_url, tmp_path, "import", str(broken))
    assert refused.returncode == 1
    assert f"topics.yaml:{line}: " in refused.stderr
    assert "Traceback" not in refused.stderr

    missing = footprint(fresh_database_url, tmp_path, "import", str(tmp_path / "nowhere"))
    assert missing.returncode == 2  # a usage error, said with the command's usage
    assert f"{tmp_path / 'nowhere'} does not exist: give the folder of an export" in missing.stderr

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("mine")
    foreign = footprint(seeded_database_url, tmp_path, "export", "--output", "mine")
    assert foreign.returncode == 1 and "not part of an export" in foreign.stderr
    assert "Traceback" not in foreign.stderr
    assert (tmp_path / "mine" / "notes.md").read_text() == "mine"


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def test_the_consultations_csv(seeded_database_url: str) -> None:
    register = await read_database(seeded_database_url)
    text = csv_text(register, "consultations")
    assert text.splitlines()[0] == ",".join(CONSULTATION_HEADER)
    rows = parse(text)
    assert len(rows) == len(register.consultations)
    guidance = "npcc-sex-work-and-prostitution-guidance-2019"
    by_organisation = {
        row["organisation_slug"]: row for row in rows if row["document_slug"] == guidance
    }
    assert by_organisation["home-office"] | {"evidence_quotes": ""} == {
        "document_slug": guidance,
        "document_title": "National Policing Sex Work and Prostitution Guidance",
        "organisation_slug": "home-office",
        "organisation_name": "Home Office",
        "named": "yes",
        "role": "CONSULTED",
        "groups": "Government",
        "evidence_sources": "npcc-foi-059-19",
        "evidence_locators": "Answer to question 9",
        "evidence_quotes": "",
        "confidence": "STATED",
    }
    assert (
        "as were academic partners and the Home Office."
        in (by_organisation["home-office"]["evidence_quotes"])
    )
    ugly_mugs = by_organisation["national-ugly-mugs"]
    assert (ugly_mugs["organisation_name"], ugly_mugs["groups"]) == (
        "National Ugly Mugs",
        "Sex worker support and advocacy",
    )
    assert ugly_mugs["evidence_quotes"] == (
        "In addition, National Ugly Mugs due to their work with Police were involved."
    )
    assert by_organisation["academic-partners"]["named"] == "no"


async def test_the_influences_csv(seeded_database_url: str) -> None:
    register = await read_database(seeded_database_url)
    rows = parse(csv_text(register, "influences"))
    assert list(rows[0]) == list(INFLUENCE_HEADER)
    assert len(rows) == len(register.influences)
    first = rows[0]
    assert (first["principle_position"], first["effect"]) == ("1", "CONSULTED_ON")
    assert first["principle_text"].startswith("The sex industry is complex")
    assert first["evidence_locators"] == "Answer to question 5"


def test_formula_looking_cells_are_neutralised() -> None:
    assert [neutralise(cell) for cell in ["=SUM(A1)", "+1", "-2", "@x", "\tx", "plain", ""]] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "plain",
        "",
    ]


async def test_the_csv_command_neutralises_formulas_in_the_data(
    exported: Path, fresh_database_url: str, tmp_path: Path
) -> None:
    organisations = exported / "organisations.yaml"
    break_line(organisations, "name: Home Office", 'name: \'=HYPERLINK("http://x","Home Office")\'')
    await seed_database(fresh_database_url, exported)
    output = tmp_path / "consultations.csv"
    done = footprint(
        fresh_database_url, tmp_path, "export-csv", "consultations", "--output", str(output)
    )
    assert done.returncode == 0, done.stderr
    rows = parse(output.read_text(encoding="utf-8"))
    names = {row["organisation_slug"]: row["organisation_name"] for row in rows}
    assert names["home-office"] == '\'=HYPERLINK("http://x","Home Office")'
    assert names["national-ugly-mugs"] == "National Ugly Mugs"


# (table, a unique condition, the change): drafts and retractions across the kinds of record.
RETRACTED_AT = dt.datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)
WITHDRAWN = {"retracted_at": RETRACTED_AT, "retraction_reason": "Quoted from a superseded copy."}


async def mark_drafts_and_retractions(url: str) -> None:
    """A draft organisation and document, a retracted principle, influence, evidence and FOI
    question, a draft consultation."""
    engine = create_engine(url)
    async with create_sessionmaker(engine).begin() as session:
        changes: list[tuple[Any, Any, dict[str, Any]]] = [
            (Organisation, Organisation.slug == "home-office", {"published": False}),
            (Document, Document.slug == "npcc-prostitution-strategy", {"published": False}),
            (Principle, Principle.position == 2, WITHDRAWN),
            (
                Influence,
                Influence.id == select(func.min(Influence.id)).scalar_subquery(),
                WITHDRAWN,
            ),
            (Evidence, Evidence.id == select(func.max(Evidence.id)).scalar_subquery(), WITHDRAWN),
            (FoiQuestion, FoiQuestion.number == 4, WITHDRAWN),
            (
                Consultation,
                Consultation.id == select(func.min(Consultation.id)).scalar_subquery(),
                {"published": False},
            ),
        ]
        for model, condition, values in changes:
            done = await session.execute(update(model).where(condition).values(**values))
            assert done.rowcount >= 1, model  # type: ignore[attr-defined]
    await engine.dispose()


async def test_drafts_and_retractions_survive_a_round_trip(
    seeded_database_url: str, fresh_database_url: str, tmp_path: Path
) -> None:
    with empty_database(tmp_path) as copy_url:
        await seed_database(fresh_database_url)
        await mark_drafts_and_retractions(fresh_database_url)
        exported = tmp_path / "export"
        files = await export_database(fresh_database_url, exported)
        organisations = files["organisations.yaml"]
        assert "draft: true" in organisations
        assert "reason: Quoted from a superseded copy." in files["foi_requests.yaml"]
        assert "at: '2026-11-02T09:30:15.123456+00:00'" in files["foi_requests.yaml"]

        await seed_database(copy_url, exported)
        original, copy = await register_rows(fresh_database_url), await register_rows(copy_url)
        for name in original:
            assert copy[name] == original[name], name
        again = tmp_path / "again"
        assert await export_database(copy_url, again) == files

        # A reader's view of the copy hides the same records as the original's.
        for url in (fresh_database_url, copy_url):
            readers = await read_database(url, Audience.READERS)
            assert "home-office" not in {row.slug for row in readers.organisations}
            assert "npcc-prostitution-strategy" not in {row.slug for row in readers.documents}
            assert 4 not in {question.number for question in readers.foi_questions}


async def test_a_load_never_publishes_a_draft_or_takes_back_a_retraction(
    fresh_sessionmaker: Sessionmaker, fresh_database_url: str
) -> None:
    await load_seeds(fresh_sessionmaker)
    await mark_drafts_and_retractions(fresh_database_url)
    before = await register_rows(fresh_database_url)

    # The seed files say nothing of drafts or retractions: loading them keeps what editors did.
    report = await load_seeds(fresh_sessionmaker, actor="import")
    assert (report.inserted, report.updated) == (0, 0)
    assert await register_rows(fresh_database_url) == before


async def test_a_bad_draft_or_retraction_is_reported_and_nothing_is_written(
    exported: Path, fresh_sessionmaker: Sessionmaker
) -> None:
    organisations = exported / "organisations.yaml"
    draft = break_line(organisations, "name: Home Office", "name: Home Office\n  draft: maybe")
    requests = exported / "foi_requests.yaml"
    no_offset = break_line(
        requests,
        "      outcome: NOT_HELD",
        "      outcome: NOT_HELD\n      retracted:\n        at: 2026-11-02T09:30:00\n        reason: x",
    )
    guidance = exported / "documents/npcc-sex-work-and-prostitution-guidance-2019.yaml"
    no_reason = break_line(
        guidance, "kind: GUIDANCE", "kind: GUIDANCE\nretracted:\n  at: 2026-11-02T09:30:00Z"
    )

    assert_reported(
        await import_problems(fresh_sessionmaker, exported),
        [
            (f"organisations.yaml:{draft + 1}:", "'draft' must be true or false, not 'maybe'"),
            (f"foi_requests.yaml:{no_offset + 2}:", "is not an ISO date and time with an offset"),
            (
                f"{guidance.relative_to(exported).as_posix()}:{no_reason + 2}:",
                "is missing the required field 'reason'",
            ),
        ],
    )
    assert await total_rows(fresh_sessionmaker) == 0


async def test_an_foi_request_waiting_for_its_response_round_trips(
    fresh_database_url: str, tmp_path: Path
) -> None:
    with empty_database(tmp_path) as copy_url:
        await seed_database(fresh_database_url)
        engine = create_engine(fresh_database_url)
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(update(FoiRequest).values(response_id=None))
        await engine.dispose()
        files = await export_database(fresh_database_url, tmp_path / "export")
        assert "response:" not in files["foi_requests.yaml"]
        await seed_database(copy_url, tmp_path / "export")
        assert await register_rows(copy_url) == await register_rows(fresh_database_url)


async def test_the_csv_holds_what_readers_see(fresh_database_url: str, tmp_path: Path) -> None:
    await seed_database(fresh_database_url)
    everything = csv_text(await read_database(fresh_database_url), "consultations")
    await mark_drafts_and_retractions(fresh_database_url)
    output = tmp_path / "consultations.csv"
    done = footprint(
        fresh_database_url, tmp_path, "export-csv", "consultations", "--output", str(output)
    )
    assert done.returncode == 0, done.stderr
    shown = parse(output.read_text(encoding="utf-8"))
    assert len(shown) < len(parse(everything))
    assert "home-office" not in {row["organisation_slug"] for row in shown}
    assert "npcc-prostitution-strategy" not in {row["document_slug"] for row in shown}


async def test_a_synthetic_register_survives_a_round_trip(
    fresh_database_url: str, tmp_path: Path
) -> None:
    with empty_database(tmp_path) as copy_url:
        await seed_database(fresh_database_url)
        await generate_into(fresh_database_url, documents=60, seed=5)
        await mark_drafts_and_retractions(fresh_database_url)
        files = await export_database(fresh_database_url, tmp_path / "export")
        seeded = len(list((ROOT / "seeds/data/documents").glob("*.yaml")))
        assert len([name for name in files if name.startswith("documents/")]) == seeded + 60

        report = await seed_database(copy_url, tmp_path / "export", actor="import")
        assert report.updated == 0
        original, copy = await register_rows(fresh_database_url), await register_rows(copy_url)
        assert sum(original["foi_request"].values()) > 1
        for name in original:
            assert copy[name] == original[name], name
