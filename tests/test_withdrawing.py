"""Drafts and retraction across the register: every Node type is hidden as a draft or a
retraction from readers, and opened by node(id:) by editors; nothing a reader reaches points at something hidden; groups
in use cannot be retracted; evidence is added, corrected and retracted after its claim."""

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from db import models
from schema.ids import global_id
from schema.types.query import NODE_TYPES
from tests.editing_fixtures import Register

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
FOI = "npcc-foi-059-19"
QUOTE = "In addition, National Ugly Mugs due to their work with Police were involved."
HOME_OFFICE_QUOTE = (
    "Police Force areas with experience of this area, were engaged in the process as were "
    "academic partners and the Home Office."
)


async def _data(register: Register, query: str, who: str, **variables: Any) -> dict[str, Any]:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.mark.parametrize("type_name", sorted(NODE_TYPES))
async def test_every_node_type_hides_drafts_and_retractions_from_readers_not_editors(
    register: Register, type_name: str
) -> None:
    model = NODE_TYPES[type_name][0]
    async with register.sessionmaker() as session:
        row_id = await session.scalar(select(model.id).order_by(model.id).limit(1))
    assert row_id is not None, f"the seeds hold no {type_name}"
    node_id = global_id(type_name, row_id)
    query = f"""query($id: ID!) {{ node(id: $id) {{ __typename
        ... on {type_name} {{ published version history {{ action }} }} }} }}"""
    shown = "query($id: ID!) { node(id: $id) { __typename } }"

    async def mark(**values: Any) -> None:
        async with register.sessionmaker.begin() as session:
            await session.execute(update(model).where(model.id == row_id).values(**values))

    assert (await _data(register, shown, "anonymous", id=node_id))["node"] is not None
    await mark(published=False)
    assert (await _data(register, shown, "anonymous", id=node_id)) == {"node": None}
    seen = (await _data(register, query, "editor", id=node_id))["node"]
    assert (seen["__typename"], seen["published"]) == (type_name, False)
    assert isinstance(seen["history"], list)
    await mark(published=True, retracted_at=dt.datetime.now(dt.UTC))
    assert (await _data(register, shown, "anonymous", id=node_id)) == {"node": None}
    # An editor opens the retracted record by its id, with its history.
    seen = (await _data(register, query, "editor", id=node_id))["node"]
    assert (seen["__typename"], seen["published"]) == (type_name, True)
    assert isinstance(seen["history"], list)


RETRACT_GROUP = """mutation($slug: String!, $version: Int!) {
    retractStakeholderGroup(slug: $slug, expectedVersion: $version, reason: "Folded in.") {
    __typename ... on EditRefused { errors { field code message } } } }"""
GROUP = """mutation($input: StakeholderGroupInput!) { createStakeholderGroup(input: $input) {
    __typename ... on EditRefused { errors { field code message } } } }"""
UPDATE_GROUP = """mutation($slug: String!, $version: Int!, $changes: StakeholderGroupChanges!) {
    updateStakeholderGroup(slug: $slug, expectedVersion: $version, changes: $changes) {
    __typename ... on EditRefused { errors { field code message } } } }"""


async def _group_version(register: Register, slug: str) -> int:
    query = "query($s: String!) { stakeholderGroup(slug: $s) { version } }"
    version: int = (await _data(register, query, "editor", s=slug))["stakeholderGroup"]["version"]
    return version


async def test_a_group_in_use_cannot_be_retracted(register: Register) -> None:
    before = await register.table_counts()
    for slug, uses in (
        ("voluntary-sector", "groups below it"),
        ("sex-worker-support", "member organisations"),
        ("womens-groups", "expectations"),
    ):
        version = await _group_version(register, slug)
        refused = (await register.send(RETRACT_GROUP, {"slug": slug, "version": version})).json()
        errors = refused["data"]["retractStakeholderGroup"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [("slug", "IN_USE")], errors
        assert uses in errors[0]["message"]
    assert await register.table_counts() == before

    new = {"slug": "unused", "name": "Unused", "parent": "voluntary-sector"}
    assert (await register.send(GROUP, {"input": new})).json()["data"]["createStakeholderGroup"][
        "__typename"
    ] == "StakeholderGroupSaved"
    done = (await register.send(RETRACT_GROUP, {"slug": "unused", "version": 1})).json()
    assert done["data"]["retractStakeholderGroup"]["__typename"] == "StakeholderGroupSaved"
    tree = '{ stakeholderGroup(slug: "voluntary-sector") { children { slug } } }'
    for who in ("anonymous", "editor"):
        children = (await _data(register, tree, who))["stakeholderGroup"]["children"]
        assert {"slug": "unused"} not in children
    # Nothing new may point at a retracted group.
    under = {"slug": "orphan", "name": "Orphan", "parent": "unused"}
    refused = (await register.send(GROUP, {"input": under})).json()["data"]
    assert [e["field"] for e in refused["createStakeholderGroup"]["errors"]] == ["input.parent"]


async def test_a_published_group_never_sits_below_a_draft(register: Register) -> None:
    draft = {"slug": "draft-parent", "name": "Draft parent", "published": False}
    await register.send(GROUP, {"input": draft})
    child = {"slug": "published-child", "name": "Child", "parent": "draft-parent"}
    refused = (await register.send(GROUP, {"input": child})).json()["data"]
    assert [e["field"] for e in refused["createStakeholderGroup"]["errors"]] == ["input.parent"]
    draft_child = {**child, "published": False}
    saved = (await register.send(GROUP, {"input": draft_child})).json()["data"]
    assert saved["createStakeholderGroup"]["__typename"] == "StakeholderGroupSaved"
    # Publishing the child first is refused; the parent first, then the child, works.
    publish = {"published": True}
    early = (
        await register.send(
            UPDATE_GROUP, {"slug": "published-child", "version": 1, "changes": publish}
        )
    ).json()["data"]["updateStakeholderGroup"]
    assert [e["field"] for e in early["errors"]] == ["changes.parent"]
    for slug in ("draft-parent", "published-child"):
        done = (
            await register.send(UPDATE_GROUP, {"slug": slug, "version": 1, "changes": publish})
        ).json()["data"]["updateStakeholderGroup"]
        assert done["__typename"] == "StakeholderGroupSaved", done
    back = (
        await register.send(
            UPDATE_GROUP, {"slug": "draft-parent", "version": 2, "changes": {"published": False}}
        )
    ).json()["data"]["updateStakeholderGroup"]
    assert [(e["field"], e["code"]) for e in back["errors"]] == [("changes.published", "IN_USE")]
    tree = '{ stakeholderGroup(slug: "published-child") { parent { slug } } }'
    shown = await _data(register, tree, "anonymous")
    assert shown == {"stakeholderGroup": {"parent": {"slug": "draft-parent"}}}


async def test_links_to_hidden_records_are_hidden_or_null_for_readers(register: Register) -> None:
    """An expectation of a draft group is hidden with it; a document whose publisher is
    withdrawn has none; an FOI request whose subject is a draft has no subject, for readers."""
    async with register.sessionmaker.begin() as session:
        for model, slug in (
            (models.StakeholderGroup, "womens-groups"),
            (models.Organisation, "npcc"),
            (models.Document, GUIDANCE),
        ):
            await session.execute(update(model).where(model.slug == slug).values(published=False))
    query = """{ foiRequest(reference: "059/19") { subject { slug } authority { slug } } }"""
    assert await _data(register, query, "anonymous") == {"foiRequest": None}
    async with register.sessionmaker.begin() as session:
        await session.execute(
            update(models.Organisation)
            .where(models.Organisation.slug == "npcc")
            .values(published=True)
        )
    readers = await _data(register, query, "anonymous")
    assert readers == {"foiRequest": {"subject": None, "authority": {"slug": "npcc"}}}
    editors = await _data(register, query, "editor")
    assert editors["foiRequest"]["subject"] == {"slug": GUIDANCE}

    async with register.sessionmaker.begin() as session:
        await session.execute(
            update(models.Document).where(models.Document.slug == GUIDANCE).values(published=True)
        )
        await session.execute(
            update(models.Organisation)
            .where(models.Organisation.slug == "npcc")
            .values(published=False)
        )
    query = f"""{{ document(slug: "{GUIDANCE}") {{ publisher {{ slug }}
        expectations {{ group {{ slug }} }} coverage {{ leftOut {{ group {{ slug }} }} }} }} }}"""
    readers = (await register.send(query, {}, "anonymous")).json()
    assert "errors" not in readers, readers
    document = readers["data"]["document"]
    assert document["publisher"] is None
    assert {"group": {"slug": "womens-groups"}} not in document["expectations"]
    editors = await _data(register, query, "editor")
    assert {"group": {"slug": "womens-groups"}} in editors["document"]["expectations"]
    assert editors["document"]["publisher"] == {"slug": "npcc"}


# ---------------------------------------------------------------- evidence after its claim

ADD = """mutation($claim: ID!, $input: EvidenceInput!) { addEvidence(claim: $claim, input: $input) {
    __typename ... on EvidenceSaved { evidence { id version quote locator published } }
    ... on EditRefused { errors { field code message } } } }"""
UPDATE = """mutation($id: ID!, $version: Int!, $changes: EvidenceChanges!) {
    updateEvidence(id: $id, expectedVersion: $version, changes: $changes) {
    __typename ... on EvidenceSaved { evidence { id version quote locator } }
    ... on EditRefused { errors { field code message } } } }"""
RETRACT = """mutation($id: ID!, $version: Int!) {
    retractEvidence(id: $id, expectedVersion: $version, reason: "Wrong answer cited.") {
    __typename ... on EditRefused { errors { field code message } } } }"""
CONSULTATIONS = f"""{{ document(slug: "{GUIDANCE}") {{ consultations(first: 50) {{ nodes {{
    id organisation {{ slug }} evidence {{ id version quote }} }} }} }} }}"""


async def _home_office(register: Register, who: str) -> dict[str, Any]:
    nodes = (await _data(register, CONSULTATIONS, who))["document"]["consultations"]["nodes"]
    found: dict[str, Any] = next(n for n in nodes if n["organisation"]["slug"] == "home-office")
    return found


async def test_evidence_is_added_corrected_and_retracted(register: Register) -> None:
    consultation = await _home_office(register, "editor")
    assert [e["quote"] for e in consultation["evidence"]] == [HOME_OFFICE_QUOTE]
    before = await register.table_counts()
    wrong = {"source": FOI, "locator": "Answer to question 9", "quote": "Never said."}
    refused = await _data(register, ADD, "editor", claim=consultation["id"], input=wrong)
    assert [(e["field"], e["code"]) for e in refused["addEvidence"]["errors"]] == [
        ("input.quote", "BAD_USER_INPUT")
    ]
    not_a_claim = await _data(
        register, ADD, "editor", claim=global_id("Organisation", 1), input=wrong
    )
    assert {e["field"] for e in not_a_claim["addEvidence"]["errors"]} == {"claim", "input.quote"}
    assert await register.table_counts() == before

    draft = {"source": FOI, "locator": "Q9", "quote": QUOTE, "published": False}
    added = (await _data(register, ADD, "editor", claim=consultation["id"], input=draft))[
        "addEvidence"
    ]["evidence"]
    assert (added["version"], added["published"]) == (1, False)
    shown = [e["quote"] for e in (await _home_office(register, "anonymous"))["evidence"]]
    assert shown == [HOME_OFFICE_QUOTE], "readers never see draft evidence"
    shown = [e["quote"] for e in (await _home_office(register, "editor"))["evidence"]]
    assert shown == [HOME_OFFICE_QUOTE, QUOTE]

    changes: dict[str, Any] = {"quote": "Not in the answer.", "locator": "Answer to question 9"}
    bad = await _data(register, UPDATE, "editor", id=added["id"], version=1, changes=changes)
    assert [e["field"] for e in bad["updateEvidence"]["errors"]] == ["changes.quote"]
    changes = {"locator": "Answer to question 9", "published": True}
    fixed = await _data(register, UPDATE, "editor", id=added["id"], version=1, changes=changes)
    assert fixed["updateEvidence"]["evidence"]["locator"] == "Answer to question 9"
    shown = [e["quote"] for e in (await _home_office(register, "anonymous"))["evidence"]]
    assert shown == [HOME_OFFICE_QUOTE, QUOTE]

    stale = await _data(register, RETRACT, "editor", id=added["id"], version=1)
    assert [e["code"] for e in stale["retractEvidence"]["errors"]] == ["CONFLICT"]
    done = await _data(register, RETRACT, "editor", id=added["id"], version=2)
    assert done["retractEvidence"]["__typename"] == "EvidenceSaved"
    shown = [e["quote"] for e in (await _home_office(register, "editor"))["evidence"]]
    assert shown == [HOME_OFFICE_QUOTE]
    # The claim's last evidence stays: a claim without evidence is not a claim.
    last = consultation["evidence"][0]
    kept = await _data(register, RETRACT, "editor", id=last["id"], version=last["version"])
    assert [e["code"] for e in kept["retractEvidence"]["errors"]] == ["IN_USE"]

    # A retracted record is out of every read; its history stays in the audit log.
    log = """{ auditLog(first: 100, filter: {entity: "evidence"}) { nodes { action } } }"""
    entries = (await _data(register, log, "editor"))["auditLog"]["nodes"]
    assert [e["action"] for e in entries] == ["CREATE", "UPDATE", "RETRACT"]


async def test_document_refusals_name_fields_as_graphql_spells_them(register: Register) -> None:
    query = """mutation($changes: DocumentChanges!) { updateDocument(slug: "beyond-the-gaze",
        expectedVersion: 1, changes: $changes) { ... on EditRefused { errors { field } } } }"""
    changes = {"publishedPrecision": None, "reviewDuePrecision": None, "title": ""}
    refused = await _data(register, query, "editor", changes=changes)
    assert {e["field"] for e in refused["updateDocument"]["errors"]} == {
        "changes.publishedPrecision",
        "changes.reviewDuePrecision",
        "changes.title",
    }


async def test_evidence_of_a_retracted_claim_is_out_of_reach(register: Register) -> None:
    query = """{ organisation(slug: "those-directly-involved-in-sex-work-and-prostitution") {
        influences { id version evidence { id } } } }"""
    influence = (await _data(register, query, "editor"))["organisation"]["influences"][0]
    evidence_id = influence["evidence"][0]["id"]
    node = "query($id: ID!) { node(id: $id) { __typename } }"
    assert await _data(register, node, "anonymous", id=evidence_id) == {
        "node": {"__typename": "Evidence"}
    }
    retract = """mutation($id: ID!, $version: Int!) { retractInfluence(id: $id,
        expectedVersion: $version, reason: "Misread the answer.") { __typename } }"""
    done = await _data(
        register, retract, "editor", id=influence["id"], version=influence["version"]
    )
    assert done == {"retractInfluence": {"__typename": "InfluenceSaved"}}
    assert await _data(register, node, "anonymous", id=evidence_id) == {"node": None}
    # An editor may still open it by its id, as any withdrawn record.
    assert await _data(register, node, "editor", id=evidence_id) == {
        "node": {"__typename": "Evidence"}
    }
