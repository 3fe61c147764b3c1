"""Import that works with what is already there: a folder of only new records may name records
in the database; a field a file leaves out keeps its stored value and only an explicit null
clears it; the dry run lists each record it would add and each field it would change. And an
export of anything the API accepted imports again, row for row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from db.engine import create_engine, create_sessionmaker
from db.models import Consultation, Document, Organisation
from seeds.export import export_register
from seeds.loader import load_seeds
from tests.databases import empty_database
from tests.editing_fixtures import Register
from tests.test_export_import import register_rows

PLAIN = "beyond-the-gaze"
EVIDENCE = {"source": PLAIN, "locator": "page 2", "quote": "Words we read."}


def write(folder: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        )
    return folder


async def organisation(register: Register, slug: str) -> Organisation:
    async with register.sessionmaker() as session:
        row = await session.scalar(select(Organisation).where(Organisation.slug == slug))
    assert row is not None
    return row


async def test_a_folder_of_only_new_records_names_records_in_the_database(
    register: Register, tmp_path: Path
) -> None:
    folder = write(
        tmp_path / "new",
        {
            "organisations.yaml": [
                {"slug": "scot-pep", "name": "SCOT-PEP", "groups": ["lived-experience"]}
            ],
            "documents/a-committee-report.yaml": {
                "slug": "a-committee-report",
                "title": "A committee report",
                "kind": "COMMITTEE_REPORT",
                "publisher": "home-office",
                "consultations": [
                    {
                        "organisation": "scot-pep",
                        "role": "GAVE_ORAL_EVIDENCE",
                        "evidence": [{**EVIDENCE, "confidence": "STATED"}],
                    },
                    {
                        "organisation": "npcc",
                        "role": "SUBMITTED_WRITTEN_EVIDENCE",
                        "evidence": [{**EVIDENCE, "confidence": "STATED"}],
                    },
                ],
                "expectations": [
                    {
                        "group": "government",
                        "basis": "OTHER",
                        "reason": "It is their policy.",
                        "evidence": [{**EVIDENCE, "confidence": "STATED"}],
                    }
                ],
            },
        },
    )
    before = await register.table_counts()
    report = await load_seeds(register.sessionmaker, folder, actor="import")
    after = await register.table_counts()
    assert after["document"] == before["document"] + 1
    assert after["organisation"] == before["organisation"] + 1
    assert after["consultation"] == before["consultation"] + 2
    assert after["expectation"] == before["expectation"] + 1
    assert report.updated == 0
    async with register.sessionmaker() as session:
        document = await session.scalar(
            select(Document).where(Document.slug == "a-committee-report")
        )
        assert document is not None
        roles = set(
            await session.scalars(
                select(Consultation.role).where(Consultation.document_id == document.id)
            )
        )
    assert {role.value for role in roles} == {"GAVE_ORAL_EVIDENCE", "SUBMITTED_WRITTEN_EVIDENCE"}
    # Importing it again changes nothing.
    again = await load_seeds(register.sessionmaker, folder, actor="import")
    assert (again.inserted, again.updated) == (0, 0)


async def test_left_out_fields_keep_their_values_and_the_dry_run_lists_each_change(
    register: Register, tmp_path: Path
) -> None:
    home_office = await organisation(register, "home-office")
    npcc = await organisation(register, "npcc")
    assert home_office.description and npcc.description and npcc.url
    folder = write(
        tmp_path / "changes",
        {
            "organisations.yaml": [
                # No description: the stored one stays.
                {"slug": "home-office", "name": "The Home Office"},
                # An explicit null clears it.
                {"slug": "npcc", "name": "National Police Chiefs' Council", "description": None},
                {"slug": "new-one", "name": "A New One"},
            ]
        },
    )
    before = await register.table_counts()
    dry = await load_seeds(register.sessionmaker, folder, actor="import", dry_run=True)
    assert await register.table_counts() == before
    lines = dry.details()
    assert "+ organisation new-one" in lines
    assert "~ organisation home-office: name 'Home Office' → 'The Home Office'" in lines
    cleared = [line for line in lines if line.startswith("~ organisation npcc: description ")]
    assert len(cleared) == 1 and cleared[0].endswith("→ None"), lines
    assert not any("home-office: description" in line for line in lines), lines

    await load_seeds(register.sessionmaker, folder, actor="import")
    home_office_after = await organisation(register, "home-office")
    assert home_office_after.name == "The Home Office"
    assert home_office_after.description == home_office.description
    npcc_after = await organisation(register, "npcc")
    assert (npcc_after.description, npcc_after.url) == (None, npcc.url)


CREATE = {
    "createExpectation": "ExpectationInput",
    "createImpactAssessment": "ImpactAssessmentInput",
    "createConsultation": "ConsultationInput",
    "createOrganisation": "OrganisationInput",
    "createDocument": "DocumentInput",
    "createAbsence": "AbsenceInput",
}


async def send(register: Register, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
    query = f"""mutation($input: {CREATE[operation]}!) {{ {operation}(input: $input) {{
        __typename ... on EditRefused {{ errors {{ field code rule }} }} }} }}"""
    body = (await register.send(query, variables)).json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][operation]
    return payload


async def test_an_export_of_what_the_api_accepted_imports_row_for_row(
    register: Register, tmp_path: Path
) -> None:
    evidence = [EVIDENCE]
    accepted: list[tuple[str, dict[str, Any]]] = [
        ("createDocument", {"slug": "a-web-page", "title": "A web page", "kind": "WEB_PAGE"}),
        ("createOrganisation", {"slug": "scot-pep", "name": "SCOT-PEP", "aliases": ["ScotPep"]}),
        (
            "createExpectation",
            {
                "document": "a-web-page",
                "group": "lived-experience",
                "basis": "OTHER",
                "reason": "They are the people it is about.",
                "evidence": evidence,
            },
        ),
        (
            "createImpactAssessment",
            {"document": "a-web-page", "kind": "PSED", "undertaken": False, "evidence": evidence},
        ),
        (
            "createConsultation",
            {
                "document": "a-web-page",
                "organisation": "scot-pep",
                "role": "INVITED",
                "evidence": [EVIDENCE, {**EVIDENCE, "locator": "page 3"}],
            },
        ),
        (
            "createAbsence",
            {
                "document": "a-web-page",
                "organisation": "national-ugly-mugs",
                "summary": "Not on the list.",
                "evidence": evidence,
            },
        ),
    ]
    refused = [
        # What the import would refuse, the API refuses too, so the export stays importable.
        accepted[2],
        accepted[3],
        ("createConsultation", {**accepted[4][1], "role": "CONSULTED", "evidence": [EVIDENCE] * 2}),
    ]
    for operation, values in accepted:
        assert (await send(register, operation, {"input": values}))["__typename"] != "EditRefused"
    for operation, values in refused:
        assert (await send(register, operation, {"input": values}))["__typename"] == "EditRefused"

    folder = tmp_path / "export"
    await export_register(register.sessionmaker, folder)
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        try:
            await load_seeds(create_sessionmaker(engine), folder, actor="import")
        finally:
            await engine.dispose()
        assert await register_rows(url) == await register_rows(register.url)


MERGE = """mutation($survivor: String!, $merged: String!) {
    mergeOrganisations(survivor: $survivor, merged: $merged, survivorVersion: 1,
                       mergedVersion: 1, reason: "Recorded twice.") {
        __typename ... on EditRefused { errors { field code rule } }
    }
}"""


async def test_a_merge_folds_claims_the_rules_allow_once_and_the_export_still_imports(
    register: Register, tmp_path: Path
) -> None:
    for slug in ("ugly-mugs-one", "ugly-mugs-two"):
        await send(register, "createOrganisation", {"input": {"slug": slug, "name": slug}})
        for operation, values in [
            (
                "createExpectation",
                {
                    "organisation": slug,
                    "basis": "OTHER",
                    "reason": "They know.",
                    "evidence": [EVIDENCE],
                },
            ),
            (
                "createAbsence",
                {"organisation": slug, "summary": "Not asked.", "evidence": [EVIDENCE]},
            ),
        ]:
            document = {"document": "npcc-sex-work-and-prostitution-guidance-2019"}
            saved = await send(register, operation, {"input": {**document, **values}})
            assert saved["__typename"] != "EditRefused", saved
    merged = await register.send(
        MERGE, {"survivor": "ugly-mugs-one", "merged": "ugly-mugs-two"}, "admin"
    )
    assert merged.json()["data"]["mergeOrganisations"]["__typename"] == "OrganisationSaved"

    folder = tmp_path / "export"
    await export_register(register.sessionmaker, folder)
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        try:
            await load_seeds(create_sessionmaker(engine), folder, actor="import")
        finally:
            await engine.dispose()
        assert await register_rows(url) == await register_rows(register.url)
