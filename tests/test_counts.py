"""Every count says how many there are to see: each connection's `totalCount`, paged through,
and the coverage matrix's `organisationCount`, with drafts, retractions and a merge in the
register, for an anonymous reader and for an editor (issue 11, finding 5).

The connections are found by introspection, so a new one is walked without being named here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from schema.ids import global_id
from schema.types.query import NODE_TYPES
from tests.editing_fixtures import Register
from tests.test_merging import GUIDANCE, _merge_twin, _twin

PAGE = 4  # small, so most connections take several pages
LIST_FIELDS = ("nodes", "rows")
# Values for required arguments of connection fields; a new one must be added here.
REQUIRED: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("Query", "search"): [{"text": "police"}, {"text": "home office"}, {"text": "draft"}],
}
# Connections only editors may read: an anonymous reader is refused with these codes.
REFUSED = {"UNAUTHENTICATED", "FORBIDDEN"}

TYPE = "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
INTROSPECT = (
    "{ __schema { types { name kind interfaces { name } fields { name "
    f"{TYPE} args {{ name defaultValue {TYPE} }} }} }} }} }}"
)


async def _send(register: Register, query: str, variables: dict[str, Any], who: str) -> Any:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    return body["data"]


async def _hidden_records(register: Register) -> None:
    """A draft organisation in a group, consulted; a draft consultation; a retracted
    organisation and consultation; a draft document with a consultation; and a merge."""
    create_organisation = """mutation($input: OrganisationInput!) {
        createOrganisation(input: $input) { __typename } }"""
    create_consultation = """mutation($input: ConsultationInput!) {
        createConsultation(input: $input) {
        ... on ConsultationSaved { consultation { id version } } } }"""
    evidence = [{"source": "npcc-foi-059-19", "locator": "Q1", "quote": "In addition"}]
    for slug, published in (("draft-project", False), ("gone-project", True)):
        await _send(
            register,
            create_organisation,
            {
                "input": {
                    "slug": slug,
                    "name": f"The {slug} draft",
                    "groups": ["sex-worker-support"],
                    "published": published,
                }
            },
            "editor",
        )
    consulted = []
    for organisation, published in (
        ("draft-project", True),
        ("gone-project", True),
        ("national-ugly-mugs", False),
        ("home-office", True),
    ):
        data = await _send(
            register,
            create_consultation,
            {
                "input": {
                    "document": GUIDANCE,
                    "organisation": organisation,
                    "role": "REVIEWER",
                    "evidence": evidence,
                    "published": published,
                }
            },
            "editor",
        )
        consulted.append(data["createConsultation"]["consultation"])
    retract_consultation = """mutation($id: ID!, $v: Int!) {
        retractConsultation(id: $id, expectedVersion: $v, reason: "Recorded twice.") {
        __typename } }"""
    await _send(
        register,
        retract_consultation,
        {"id": consulted[3]["id"], "v": consulted[3]["version"]},
        "editor",
    )
    await _send(
        register,
        """mutation { retractOrganisation(slug: "gone-project", expectedVersion: 1,
        reason: "Not a body.") { __typename } }""",
        {},
        "editor",
    )
    await _send(
        register,
        """mutation { createDocument(input: {slug: "draft-guidance", title: "Draft guidance",
        kind: GUIDANCE, published: false}) { __typename } }""",
        {},
        "editor",
    )
    await _send(
        register,
        create_consultation,
        {
            "input": {
                "document": "draft-guidance",
                "organisation": "home-office",
                "role": "CONSULTED",
                "evidence": evidence,
            }
        },
        "editor",
    )
    await _twin(register)
    await _merge_twin(register, "The same body.")


def _named(type_ref: dict[str, Any]) -> tuple[str, bool]:
    """The named type under a reference, and whether the reference is non-null."""
    required = type_ref["kind"] == "NON_NULL"
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref["name"], required


async def _connection_fields(register: Register) -> list[tuple[str, dict[str, Any], str]]:
    """(owner type, field, the connection's list field) for every field returning a connection."""
    types = (await _send(register, INTROSPECT, {}, "editor"))["__schema"]["types"]
    by_name = {t["name"]: t for t in types}

    def list_field(name: str) -> str | None:
        fields = {f["name"] for f in by_name[name].get("fields") or []}
        if not {"totalCount", "pageInfo"} <= fields:
            return None
        return next((f for f in LIST_FIELDS if f in fields), None)

    found = []
    for owner in types:
        if owner["kind"] != "OBJECT" or owner["name"].startswith("__"):
            continue
        for field in owner["fields"]:
            target, _ = _named(field["type"])
            if by_name[target]["kind"] == "OBJECT" and (listed := list_field(target)):
                found.append((owner["name"], field, listed))
    return found


async def _instances(register: Register, owner: str) -> list[str | None]:
    """Every record of a type that has connections, hidden ones too (node() answers null)."""
    if owner == "Query":
        return [None]
    assert owner in NODE_TYPES, f"{owner} has a connection: reach it in this test"
    model = NODE_TYPES[owner][0]
    async with register.sessionmaker() as session:
        ids = list(await session.scalars(select(model.id).order_by(model.id)))
    return [global_id(owner, pk) for pk in ids]


async def _argument_sets(
    register: Register, owner: str, field: dict[str, Any]
) -> list[dict[str, Any]]:
    required = [
        a["name"]
        for a in field["args"]
        if _named(a["type"])[1] and a["defaultValue"] is None and a["name"] not in {"first"}
    ]
    if not required:
        return [{}]
    if (owner, field["name"]) == ("Query", "topicsNotCovered"):
        data = await _send(register, "{ topics { slug } }", {}, "editor")
        return [{"topic": t["slug"]} for t in data["topics"]] + [{"topic": "sex-work"}]
    assert (owner, field["name"]) in REQUIRED, f"{owner}.{field['name']} needs {required}"
    return REQUIRED[(owner, field["name"])]


async def _walk(
    register: Register,
    who: str,
    owner: str,
    field: str,
    listed: str,
    node_id: str | None,
    arguments: dict[str, Any],
) -> tuple[int, int] | None:
    """(totalCount, nodes paged through), or None where the owner or the field is hidden."""
    after: str | None = None
    seen, totals = 0, set()
    while True:
        values = {**arguments, "first": PAGE, **({"after": after} if after else {})}
        argument_text = ", ".join(f"{k}: {json.dumps(v)}" for k, v in values.items())
        selection = (
            f"{field}({argument_text}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
            f"{listed} {{ __typename }} }}"
        )
        query = (
            f"{{ {selection} }}"
            if node_id is None
            else f'{{ node(id: "{node_id}") {{ ... on {owner} {{ {selection} }} }} }}'
        )
        body = (await register.send(query, {}, who)).json()
        if body.get("errors"):
            codes = {e["extensions"]["code"] for e in body["errors"]}
            assert who == "anonymous" and codes <= REFUSED, body["errors"]
            return None
        data = body["data"] if node_id is None else body["data"]["node"]
        if data is None:
            return None
        page = data[field]
        totals.add(page["totalCount"])
        seen += len(page[listed])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(totals) == 1, f"totalCount changed from page to page: {totals}"
    return totals.pop(), seen


@pytest.mark.parametrize("who", ["anonymous", "editor"])
async def test_every_total_count_counts_the_nodes_paged_through(
    register: Register, who: str
) -> None:
    await _hidden_records(register)
    walked: dict[str, int] = {}
    wrong: list[str] = []
    for owner, field, listed in await _connection_fields(register):
        name = f"{owner}.{field['name']}"
        for arguments in await _argument_sets(register, owner, field):
            for node_id in await _instances(register, owner):
                counted = await _walk(
                    register, who, owner, field["name"], listed, node_id, arguments
                )
                if counted is None:
                    continue
                walked[name] = walked.get(name, 0) + counted[1]
                if counted[0] != counted[1]:
                    wrong.append(f"{name} {arguments} on {node_id}: {counted}")
    assert wrong == []
    # Every connection was walked, and found something to count.
    expected = {"Query.documents", "Query.organisations", "StakeholderGroup.organisations"}
    assert expected <= {name for name, seen in walked.items() if seen}, walked


@pytest.mark.parametrize("who", ["anonymous", "editor"])
async def test_finding_5_a_group_counts_only_the_organisations_it_shows(
    register: Register, who: str
) -> None:
    await _hidden_records(register)
    query = """{ stakeholderGroup(slug: "sex-worker-support") {
        organisations { totalCount nodes { slug } } } }"""
    organisations = (await _send(register, query, {}, who))["stakeholderGroup"]["organisations"]
    slugs = {node["slug"] for node in organisations["nodes"]}
    assert organisations["totalCount"] == len(organisations["nodes"])
    assert "gone-project" not in slugs  # retracted
    assert ("draft-project" in slugs) == (who == "editor")


@pytest.mark.parametrize("who", ["anonymous", "editor"])
async def test_the_matrix_counts_the_organisations_the_coverage_report_lists(
    register: Register, who: str
) -> None:
    await _hidden_records(register)
    matrix = """{ coverageMatrix(first: 100) { rows { document { slug coverage {
        groups { group { slug } organisations { slug } } } }
        cells { group { slug } organisationCount } } } }"""
    rows = (await _send(register, matrix, {}, who))["coverageMatrix"]["rows"]
    compared = 0
    for row in rows:
        listed = {
            g["group"]["slug"]: len(g["organisations"])
            for g in row["document"]["coverage"]["groups"]
        }
        for cell in row["cells"]:
            if cell["group"]["slug"] in listed:  # the report lists groups with something to say
                assert cell["organisationCount"] == listed[cell["group"]["slug"]], row
                compared += 1
    assert compared
    slugs = {row["document"]["slug"] for row in rows}
    assert ("draft-guidance" in slugs) == (who == "editor")
