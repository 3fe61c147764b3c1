"""Merging an organisation recorded twice into the one that stays."""

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db import models
from seeds.export import export_database
from seeds.loader import seed_database
from tests.databases import empty_database
from tests.editing_fixtures import Register
from tests.test_export_import import register_rows

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
FOI = "npcc-foi-059-19"
HOME_OFFICE_QUOTE = (
    "Police Force areas with experience of this area, were engaged in the process as were "
    "academic partners and the Home Office."
)
QUOTE = "In addition, National Ugly Mugs due to their work with Police were involved."

MERGE = """mutation($survivor: String!, $merged: String!, $sv: Int!, $mv: Int!, $reason: String!) {
    mergeOrganisations(survivor: $survivor, merged: $merged, survivorVersion: $sv,
        mergedVersion: $mv, reason: $reason) {
    __typename ... on OrganisationSaved { organisation { slug version aliases groups { slug } } }
    ... on EditRefused { errors { field code message } } } }"""


async def _send(register: Register, query: str, who: str = "editor", **variables: Any) -> Any:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    return body["data"]


async def _twin(register: Register) -> None:
    """The Home Office recorded a second time, with links of its own and one it shares."""
    evidence = [{"source": FOI, "locator": "Answer to question 9", "quote": HOME_OFFICE_QUOTE}]
    steps = [
        (
            """mutation($input: OrganisationInput!) { createOrganisation(input: $input) {
            __typename } }""",
            {
                "slug": "the-home-office",
                "name": "The Home Office",
                "aliases": ["HO"],
                "groups": ["statutory-partners"],
            },
        ),
        # The same consultation the Home Office has: it must fold into that one.
        (
            """mutation($input: ConsultationInput!) { createConsultation(input: $input) {
            __typename } }""",
            {
                "document": GUIDANCE,
                "organisation": "the-home-office",
                "role": "CONSULTED",
                "evidence": [{"source": FOI, "locator": "Q9 again", "quote": QUOTE}],
            },
        ),
        # One the Home Office does not have: it moves.
        (
            """mutation($input: ConsultationInput!) { createConsultation(input: $input) {
            __typename } }""",
            {
                "document": "beyond-the-gaze",
                "organisation": "the-home-office",
                "role": "REVIEWER",
                "evidence": evidence,
            },
        ),
        (
            """mutation($input: ExpectationInput!) { createExpectation(input: $input) {
            __typename } }""",
            {
                "document": "beyond-the-gaze",
                "organisation": "the-home-office",
                "basis": "OTHER",
                "reason": "A test.",
                "evidence": evidence,
            },
        ),
        (
            """mutation($input: FoiRequestInput!) { createFoiRequest(input: $input) {
            __typename } }""",
            {"reference": "1/26", "authority": "the-home-office"},
        ),
    ]
    for query, values in steps:
        data = await _send(register, query, input=values)
        assert next(iter(data.values()))["__typename"].endswith("Saved"), data


async def _versions(register: Register) -> tuple[int, int]:
    query = """{ a: organisation(slug: "home-office") { version }
                 b: organisation(slug: "the-home-office") { version } }"""
    data = await _send(register, query)
    return data["a"]["version"], data["b"]["version"]


async def _merge_twin(register: Register, reason: str) -> Any:
    """The Home Office's twin merged into it, at the versions both are at."""
    sv, mv = await _versions(register)
    return await _send(
        register,
        MERGE,
        "admin",
        survivor="home-office",
        merged="the-home-office",
        sv=sv,
        mv=mv,
        reason=reason,
    )


async def _links(register: Register, organisation_id: int) -> dict[str, int]:
    async with register.sessionmaker() as session:
        found = {}
        for model, column in (
            (models.Consultation, models.Consultation.organisation_id),
            (models.Expectation, models.Expectation.organisation_id),
            (models.FoiRequest, models.FoiRequest.authority_id),
        ):
            count = select(func.count()).select_from(model).where(column == organisation_id)
            found[model.__tablename__] = int(await session.scalar(count) or 0)
        return found


async def _id(register: Register, slug: str) -> int:
    async with register.sessionmaker() as session:
        found = await session.scalar(
            select(models.Organisation.id).where(models.Organisation.slug == slug)
        )
        assert found is not None
        return found


async def test_merging_moves_every_link_and_the_old_slug_resolves(register: Register) -> None:
    await _twin(register)
    survivor_id, merged_id = (
        await _id(register, "home-office"),
        await _id(register, "the-home-office"),
    )
    before_links = await _links(register, survivor_id)
    merged_links = await _links(register, merged_id)
    before = await register.table_counts()
    sv, _ = await _versions(register)

    data = await _merge_twin(register, "The same department.")
    saved = data["mergeOrganisations"]["organisation"]
    assert saved["slug"] == "home-office" and saved["version"] == sv + 1
    assert {"The Home Office", "HO"} <= set(saved["aliases"])
    assert {"slug": "statutory-partners"} in saved["groups"]

    after = await register.table_counts()
    for table in ("organisation", "consultation", "evidence", "expectation", "foi_request"):
        assert after[table] == before[table], f"a merge deletes no {table}"
    moved = await _links(register, survivor_id)
    # Everything moved but the duplicate consultation, which stays, retracted, with the merged.
    assert moved == {
        "consultation": before_links["consultation"] + merged_links["consultation"] - 1,
        "expectation": before_links["expectation"] + merged_links["expectation"],
        "foi_request": before_links["foi_request"] + merged_links["foi_request"],
    }

    # The duplicate consultation's evidence is kept, on the survivor's consultation.
    query = """{ organisation(slug: "the-home-office") { slug name
        consultations(first: 50) { nodes { role document { slug } evidence { quote } } }
        } }"""
    for who in ("anonymous", "editor"):
        organisation = (await _send(register, query, who))["organisation"]
        assert organisation["slug"] == "home-office", "the merged slug leads to the survivor"
        nodes = organisation["consultations"]["nodes"]
        on_guidance = [n for n in nodes if n["document"]["slug"] == GUIDANCE]
        assert len(on_guidance) == 1
        assert [e["quote"] for e in on_guidance[0]["evidence"]] == [HOME_OFFICE_QUOTE, QUOTE]
        assert {"role": "REVIEWER", "slug": "beyond-the-gaze"} in [
            {"role": n["role"], "slug": n["document"]["slug"]} for n in nodes
        ]

    log = (
        """{ auditLog(first: 100, filter: {action: MERGE}) { nodes { entity actor requestId } } }"""
    )
    entries = (await _send(register, log))["auditLog"]["nodes"]
    entities = [e["entity"] for e in entries]
    assert entities.count("organisation") == 2
    assert {"consultation", "evidence", "expectation", "foi_request"} <= set(entities)
    assert {e["actor"] for e in entries} == {"admin"}
    assert len({e["requestId"] for e in entries}) == 1


async def test_a_refused_merge_writes_nothing(register: Register) -> None:
    await _twin(register)
    sv, mv = await _versions(register)
    before = await register.table_counts()
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"sv": sv - 1 if sv > 1 else sv + 5, "mv": mv}, [("survivorVersion", "CONFLICT")]),
        ({"sv": sv, "mv": mv + 1}, [("mergedVersion", "CONFLICT")]),
        ({"merged": "home-office"}, [("merged", "BAD_USER_INPUT")]),
        ({"merged": "nobody"}, [("merged", "NOT_FOUND")]),
        ({"reason": " "}, [("reason", "BAD_USER_INPUT")]),
    ]
    for changed, expected in cases:
        variables = {
            "survivor": "home-office",
            "merged": "the-home-office",
            "sv": sv,
            "mv": mv,
            "reason": "Same.",
            **changed,
        }
        payload = (await _send(register, MERGE, "admin", **variables))["mergeOrganisations"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == expected, payload
    assert await register.table_counts() == before
    body = (
        await register.send(
            MERGE,
            {
                "survivor": "home-office",
                "merged": "the-home-office",
                "sv": sv,
                "mv": mv,
                "reason": "Same.",
            },
            "editor",
        )
    ).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await register.table_counts() == before


async def test_merging_twice_keeps_every_old_slug_resolving(register: Register) -> None:
    await _twin(register)
    sv, mv = await _versions(register)
    variables = {"survivor": "home-office", "merged": "the-home-office", "sv": sv, "mv": mv}
    await _send(register, MERGE, "admin", **variables, reason="Same.")
    # The survivor itself is later merged into a third organisation.
    versions = """{ a: organisation(slug: "home-office") { version }
                    b: organisation(slug: "nelson-trust") { version } }"""
    data = await _send(register, versions)
    variables = {
        "survivor": "nelson-trust",
        "merged": "home-office",
        "sv": data["b"]["version"],
        "mv": data["a"]["version"],
    }
    saved = await _send(register, MERGE, "admin", **variables, reason="A test.")
    assert saved["mergeOrganisations"]["organisation"]["slug"] == "nelson-trust"
    query = "query($s: String!) { organisation(slug: $s) { slug } }"
    for slug in ("the-home-office", "home-office", "nelson-trust"):
        assert (await _send(register, query, "anonymous", s=slug)) == {
            "organisation": {"slug": "nelson-trust"}
        }


async def test_a_merge_survives_an_export_and_import(register: Register, tmp_path: Path) -> None:
    await _twin(register)
    await _merge_twin(register, "Recorded twice.")
    url = register.sessionmaker.kw["bind"].url.render_as_string(hide_password=False)
    files = await export_database(url, tmp_path / "export")
    assert "merged_into:" in files["organisations.yaml"]

    with empty_database(tmp_path) as copy_url:
        await seed_database(copy_url, tmp_path / "export")
        original, copy = await register_rows(url), await register_rows(copy_url)
        # The seeds' own merge (answer 5's statutory and voluntary partners) and this one.
        assert sum(copy["organisation_redirect"].values()) == 3
        for name in original:
            assert copy[name] == original[name], name
