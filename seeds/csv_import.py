"""Spreadsheet entry: consultations from a CSV file, checked and written like an import.

Each row is one piece of evidence that an organisation took part in a document in a role;
rows naming the same document, organisation and role are one consultation with several pieces
of evidence. The documents, organisations and sources must be in the register already. The rows
become records of the seed format (seeds/records.py), so the import's checks (seeds/checks.py,
the rules of db/rules.py) and its writer apply unchanged: every problem is reported with its
line, and if there is any, nothing is written.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries, rules
from db.engine import create_engine, create_sessionmaker
from db.enums import Confidence, ConsultationRole
from db.models import Document
from seeds.checks import find_problems
from seeds.errors import SeedError
from seeds.loader import SeedWriter, StoredRecords
from seeds.records import (
    ConsultationRecord,
    DocumentRecord,
    EvidenceRecord,
    Origin,
    Problem,
    Ref,
    SeedData,
)
from seeds.report import SeedReport
from seeds.upsert import Upserter
from seeds.yaml_reader import SLUG

CONSULTATION_COLUMNS = (
    "document",
    "organisation",
    "role",
    "source",
    "url",
    "locator",
    "quote",
    "confidence",
)
REQUIRED = ("document", "organisation", "role", "source", "locator", "quote")
CSV_IMPORT_KINDS = ("consultations",)
# The document fields a row does not give: the stored values stay.
DOCUMENT_FIELDS = frozenset({"formality", "publisher", "published", "review_due", "url", "summary"})
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Row:
    """One evidence row: its cells by column, and the line of the file it starts on."""

    line: int
    cells: dict[str, str]


def read_rows(name: str, text: str) -> tuple[list[Row], list[str]]:
    """The rows of a consultations CSV and the problems of its header and cells."""
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [f"{name}:1: the file is empty: it needs a header row"]
    except csv.Error as error:
        return [], [f"{name}:1: not a CSV file ({error})"]
    columns = [cell.strip().lower() for cell in header]
    for column in columns:
        if column not in CONSULTATION_COLUMNS:
            problems.append(
                f"{name}:1: unknown column '{column[:40]}' (the columns are "
                f"{', '.join(CONSULTATION_COLUMNS)})"
            )
    for column in REQUIRED:
        if column not in columns:
            problems.append(f"{name}:1: the column '{column}' is missing")
    if len(set(columns)) != len(columns):
        problems.append(f"{name}:1: a column is given twice")
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(columns):
                    problems.append(f"{name}:{line}: more cells than columns")
                rows.append(Row(line, dict(zip(columns, (c.strip() for c in cells), strict=False))))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                return [], [f"{name}:{line}: at most {MAX_ROWS} rows at a time"]
    except csv.Error as error:
        problems.append(f"{name}:{line}: not a CSV row ({error})")
    if not rows and not problems:
        problems.append(f"{name}:2: the file has a header but no rows")
    return rows, problems


def row_record(
    name: str, row: Row, problems: list[str]
) -> tuple[str, str, ConsultationRole, EvidenceRecord] | None:
    """The document, organisation, role and evidence a row gives; None (with problems) if bad."""
    origin = Origin(name, row.line)
    cell = row.cells.get
    missing = [column for column in REQUIRED if not cell(column)]
    for column in missing:
        problems.append(origin.problem(f"'{column}' is empty"))
    for column in ("document", "organisation", "source"):
        value = cell(column)
        if value and not SLUG.fullmatch(value):
            problems.append(
                origin.problem(f"'{value[:60]}' in '{column}' is not a slug (lower-case words)")
            )
            missing.append(column)
    role = None
    if cell("role"):
        try:
            role = ConsultationRole(cell("role", "").upper())
        except ValueError:
            allowed = ", ".join(r.value for r in ConsultationRole)
            problems.append(origin.problem(f"'{cell('role')}' is not a role (one of: {allowed})"))
    confidence = Confidence.STATED
    if cell("confidence"):
        try:
            confidence = Confidence(cell("confidence", "").upper())
        except ValueError:
            allowed = ", ".join(c.value for c in Confidence)
            problems.append(
                origin.problem(f"'{cell('confidence')}' is not a confidence (one of: {allowed})")
            )
            return None
    url = cell("url")
    if url and not re.fullmatch(r"https?://\S+", url):
        problems.append(origin.problem(f"'{url[:60]}' is not an http(s) address"))
    if missing or role is None:
        return None
    evidence = EvidenceRecord(
        Ref(cell("source", ""), origin), cell("locator", ""), cell("quote", ""), confidence, origin
    )
    return cell("document", ""), cell("organisation", ""), role, evidence


async def read_consultations(
    session: AsyncSession, name: str, text: str
) -> tuple[SeedData, list[str]]:
    """The file's consultations as records of the documents they belong to, and its problems."""
    rows, problems = read_rows(name, text)
    evidence: dict[tuple[str, str, ConsultationRole], list[EvidenceRecord]] = defaultdict(list)
    for row in rows:
        found = row_record(name, row, problems)
        if found is not None:
            document, organisation, role, entry = found
            evidence[document, organisation, role].append(entry)
    documents = await queries.by_slugs(session, Document, sorted({key[0] for key in evidence}))
    by_document: dict[str, list[ConsultationRecord]] = defaultdict(list)
    for (document, organisation, role), entries in evidence.items():
        first = entries[0].origin
        if document not in documents:
            problems.append(
                Problem(
                    first.problem(f"unknown document '{document}'"),
                    rules.UNKNOWN_REFERENCE.code,
                )
            )
            continue
        by_document[document].append(
            ConsultationRecord(
                Ref(organisation, first),
                role,
                None,
                tuple(entries),
                first,
                absent=frozenset({"summary"}),
            )
        )
    records = []
    for slug, consultations in by_document.items():
        stored = documents[slug]
        records.append(
            DocumentRecord(
                slug=slug,
                title=stored.title,
                kind=stored.kind,
                formality=stored.formality,
                publisher=None,
                published=None,
                review_due=None,
                url=None,
                summary=None,
                text=None,
                versions=(),
                principles=(),
                relations=(),
                consultations=tuple(consultations),
                impact_assessments=(),
                expectations=(),
                topics=(),
                topics_not_covered=(),
                absences=(),
                origin=consultations[0].origin,
                absent=DOCUMENT_FIELDS,
            )
        )
    return SeedData((), (), tuple(records), ()), problems


async def load_consultations_csv(
    sessionmaker: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    actor: str = "import",
    dry_run: bool = False,
) -> SeedReport:
    """Check every row of the file and write its consultations in one transaction.

    Raises `SeedError` listing every problem, each with its line, before writing anything.
    """
    try:
        text = (await asyncio.to_thread(path.read_bytes)).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SeedError([f"{path.name}:1: not UTF-8 text ({error.reason})"]) from None
    report = SeedReport()
    async with sessionmaker() as session:
        data, problems = await read_consultations(session, path.name, text)
        stored = await StoredRecords.read(session, data)
        problems.extend(find_problems(data, stored.known()))
        if problems:
            raise SeedError(sorted(problems, key=_line_order))
        await SeedWriter(Upserter(session, report, actor), stored).write(data)
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return report


def _line_order(problem: str) -> tuple[int, str]:
    """Problems by line, as the rows are in the file."""
    _, line, rest = [*problem.split(":", 2), "", ""][:3]
    return (int(line) if line.isdigit() else 0, rest)


async def import_csv(
    url: str, kind: str, path: Path, *, actor: str = "import", dry_run: bool = False
) -> SeedReport:
    """`footprint import-csv KIND FILE` against the database at `url`."""
    assert kind in CSV_IMPORT_KINDS
    engine = create_engine(url)
    try:
        return await load_consultations_csv(
            create_sessionmaker(engine), path, actor=actor, dry_run=dry_run
        )
    finally:
        await engine.dispose()
