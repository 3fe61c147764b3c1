"""Create and update mutations for principles, influences, groups, versions, expectations,
impact assessments, relations, FOI requests and questions, and topics: each checked, versioned,
idempotent and audited the same way."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEntry
from tests.editing_fixtures import Register

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
QUOTE = "In addition, National Ugly Mugs due to their work with Police were involved."
EVIDENCE = [{"source": "npcc-foi-059-19", "locator": "Answer to question 9", "quote": QUOTE}]


@dataclass
class Case:
    type: str  # the GraphQL type: createX, updateX, XInput, XChanges, XSaved
    entity: str  # as the audit trail names it
    fields: str  # selected on the saved record; always with version
    new: dict[str, Any]  # "<principle>" and "<foi>" stand for ids read from the register
    changes: dict[str, Any]
    bad: dict[str, Any]
    bad_fields: set[str]
    key: str = "id"  # or "slug"
    evidence: bool = field(default=False)

    @property
    def saved(self) -> str:
        return self.type[0].lower() + self.type[1:]

    def create_document(self) -> str:
        return f"""mutation($input: {self.type}Input!, $key: String) {{
            create{self.type}(input: $input, idempotencyKey: $key) {{ __typename
            ... on {self.type}Saved {{ {self.saved} {{ {self.fields} }} }}
            ... on EditRefused {{ errors {{ field code message }} }} }} }}"""

    def update_document(self) -> str:
        key_type = "String!" if self.key == "slug" else "ID!"
        return f"""mutation($key: {key_type}, $version: Int!, $changes: {self.type}Changes!) {{
            update{self.type}({self.key}: $key, expectedVersion: $version, changes: $changes) {{
            __typename ... on {self.type}Saved {{ {self.saved} {{ {self.fields} }} }}
            ... on EditRefused {{ errors {{ field code message }} }} }} }}"""


CASES = [
    Case(
        "Principle",
        "principle",
        "id version position title text document { slug }",
        {"document": GUIDANCE, "position": 99, "title": "New", "text": "Kept  as\nwritten. "},
        {"text": "Changed."},
        {"document": "nobody", "position": 0, "text": " "},
        {"input.document", "input.position", "input.text"},
    ),
    Case(
        "Influence",
        "influence",
        "id version effect summary organisation { slug } principle { position }",
        {
            "organisation": "home-office",
            "principle": "<principle>",
            "effect": "AMENDED",
            "evidence": EVIDENCE,
        },
        {"summary": "Amended it."},
        {"organisation": "nobody", "principle": "bad", "effect": "SHAPED", "evidence": []},
        {"input.organisation", "input.principle", "input.evidence"},
        evidence=True,
    ),
    Case(
        "StakeholderGroup",
        "stakeholder_group",
        "slug name version parent { slug }",
        {"slug": "faith-groups", "name": "Faith groups", "parent": "voluntary-sector"},
        {"name": "Faith organisations", "parent": None},
        {"slug": "Bad Slug", "name": "", "parent": "nobody"},
        {"input.slug", "input.name", "input.parent"},
        key="slug",
    ),
    Case(
        "DocumentVersion",
        "document_version",
        "id version label changes author",
        {"document": GUIDANCE, "label": "V9.9", "changes": "A test version."},
        {"author": "Someone"},
        {"document": "nobody", "label": "x" * 51, "position": 0},
        {"input.document", "input.label", "input.position"},
    ),
    Case(
        "Expectation",
        "expectation",
        "id version basis reason group { slug } organisation { slug }",
        {
            "document": GUIDANCE,
            "group": "health",
            "basis": "DUTY",
            "reason": "Health partners.",
            "evidence": EVIDENCE,
        },
        {"reason": "Changed.", "basis": "OTHER"},
        {
            "document": GUIDANCE,
            "group": "health",
            "organisation": "home-office",
            "basis": "DUTY",
            "reason": " ",
            "evidence": [],
        },
        {"input.group", "input.reason", "input.evidence"},
        evidence=True,
    ),
    Case(
        "ImpactAssessment",
        "impact_assessment",
        "id version kind undertaken outcome datePrecision",
        {"document": GUIDANCE, "kind": "EIA", "undertaken": False, "evidence": EVIDENCE},
        {"outcome": "LOW", "undertaken": True},
        {
            "document": "nobody",
            "kind": "",
            "undertaken": True,
            "outcome": "x" * 201,
            "evidence": EVIDENCE,
        },
        {"input.document", "input.kind", "input.outcome"},
        evidence=True,
    ),
    Case(
        "DocumentRelation",
        "document_relation",
        "id version kind note document { slug }",
        {
            "document": "beyond-the-gaze",
            "kind": "CITES",
            "target": "npcc-prostitution-strategy",
            "evidence": EVIDENCE,
        },
        {"note": "Cites it."},
        {"document": GUIDANCE, "kind": "CITES", "target": GUIDANCE, "evidence": []},
        {"input.target", "input.evidence"},
        evidence=True,
    ),
    Case(
        "FoiRequest",
        "foi_request",
        "id version reference receivedOn respondedOn summary authority { slug }",
        {
            "reference": "123/26",
            "authority": "home-office",
            "receivedOn": "2026-01-02",
            "respondedOn": "2026-02-01",
        },
        {"summary": "Answered."},
        {
            "reference": "",
            "authority": "nobody",
            "receivedOn": "2026-02-01",
            "respondedOn": "2026-01-01",
            "subject": "nobody",
        },
        {"input.reference", "input.authority", "input.respondedOn", "input.subject"},
    ),
    Case(
        "FoiQuestion",
        "foi_question",
        "id version number text answer outcome",
        {"request": "<foi>", "number": 99, "text": "Who was consulted?", "outcome": "NOT_HELD"},
        {"answer": "None held."},
        {"request": "bad", "number": 0, "text": "", "outcome": "NOT_HELD"},
        {"input.request", "input.number", "input.text"},
    ),
    Case(
        "Topic",
        "topic",
        "slug name description version",
        {"slug": "housing", "name": "Housing"},
        {"description": "Where people live."},
        {"slug": "-", "name": " "},
        {"input.slug", "input.name"},
        key="slug",
    ),
]


async def _ids(register: Register) -> dict[str, str]:
    query = """query($d: String!) { document(slug: $d) { principles { id } }
        foiRequest(reference: "059/19") { id } }"""
    data = (await register.send(query, {"d": GUIDANCE}, "anonymous")).json()["data"]
    return {
        "<principle>": data["document"]["principles"][0]["id"],
        "<foi>": data["foiRequest"]["id"],
    }


async def _input(register: Register, values: dict[str, Any]) -> dict[str, Any]:
    ids = await _ids(register)
    return {k: ids.get(v, v) if isinstance(v, str) else v for k, v in values.items()}


async def _create(
    register: Register, case: Case, values: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    variables = {"input": await _input(register, values), "key": key}
    body = (await register.send(case.create_document(), variables)).json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][f"create{case.type}"]
    return payload


async def _update(
    register: Register, case: Case, key: str, version: int, changes: dict[str, Any]
) -> dict[str, Any]:
    variables = {"key": key, "version": version, "changes": changes}
    body = (await register.send(case.update_document(), variables)).json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][f"update{case.type}"]
    return payload


async def _audit(register: Register, entity: str) -> list[AuditEntry]:
    async with register.sessionmaker() as session:
        statement = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        return list(await session.scalars(statement))


def _ids_of(cases: list[Case]) -> list[str]:
    return [case.type for case in cases]


@pytest.mark.parametrize("case", CASES, ids=_ids_of(CASES))
async def test_create_update_conflict_and_audit(register: Register, case: Case) -> None:
    created = await _create(register, case, case.new)
    assert created["__typename"] == f"{case.type}Saved", created
    record = created[case.saved]
    assert record["version"] == 1
    key = record[case.key]

    updated = await _update(register, case, key, 1, case.changes)
    assert updated["__typename"] == f"{case.type}Saved", updated
    assert updated[case.saved]["version"] == 2
    for name, value in case.changes.items():
        if name in updated[case.saved] and not isinstance(updated[case.saved][name], dict):
            assert updated[case.saved][name] == value

    before = await register.table_counts()
    stale = await _update(register, case, key, 1, case.changes)
    assert [e["code"] for e in stale["errors"]] == ["CONFLICT"]
    assert "version 2" in stale["errors"][0]["message"]
    assert await register.table_counts() == before

    unknown = "nothing-here" if case.key == "slug" else "bm90aGluZzox"
    missing = await _update(register, case, unknown, 1, case.changes)
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]

    create, update = await _audit(register, case.entity)
    assert (create.action.value, create.actor, create.before) == ("CREATE", "editor", None)
    assert create.after is not None and create.after["version"] == 1
    assert (update.action.value, update.before) == ("UPDATE", create.after)
    assert update.after is not None and update.after["version"] == 2
    if case.evidence:
        assert [e["quote"] for e in create.after["evidence"]] == [QUOTE]
        assert update.after["evidence"] == create.after["evidence"]


@pytest.mark.parametrize("case", CASES, ids=_ids_of(CASES))
async def test_an_idempotency_key_creates_once(register: Register, case: Case) -> None:
    first = await _create(register, case, case.new, key=f"{case.entity}-1")
    assert first["__typename"] == f"{case.type}Saved", first
    after_first = await register.table_counts()
    assert await _create(register, case, case.new, key=f"{case.entity}-1") == first
    assert await register.table_counts() == after_first
    other = await _create(register, case, case.bad, key=f"{case.entity}-1")
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await register.table_counts() == after_first


@pytest.mark.parametrize("case", CASES, ids=_ids_of(CASES))
async def test_every_problem_is_reported_and_nothing_is_written(
    register: Register, case: Case
) -> None:
    before = await register.table_counts()
    refused = await _create(register, case, case.bad)
    assert refused["__typename"] == "EditRefused"
    assert case.bad_fields <= {e["field"] for e in refused["errors"]}, refused["errors"]
    assert await register.table_counts() == before


# Several expectations or impact assessments of one kind may be recorded on a document.
UNIQUE = [case for case in CASES if case.type not in ("Expectation", "ImpactAssessment")]


@pytest.mark.parametrize("case", UNIQUE, ids=_ids_of(UNIQUE))
async def test_a_repeat_create_is_a_duplicate(register: Register, case: Case) -> None:
    assert (await _create(register, case, case.new))["__typename"] == f"{case.type}Saved"
    before = await register.table_counts()
    again = await _create(register, case, case.new)
    assert {e["code"] for e in again["errors"]} == {"DUPLICATE"}, again
    assert await register.table_counts() == before


# ---------------------------------------------------------------- what each area adds

BY_TYPE = {case.type: case for case in CASES}
PRINCIPLE, GROUP, VERSION = (
    BY_TYPE["Principle"],
    BY_TYPE["StakeholderGroup"],
    BY_TYPE["DocumentVersion"],
)
EXPECTATION, RELATION = BY_TYPE["Expectation"], BY_TYPE["DocumentRelation"]
FOI_REQUEST = BY_TYPE["FoiRequest"]


async def test_a_principle_keeps_its_text_verbatim_and_its_position_unique(
    register: Register,
) -> None:
    created = (await _create(register, PRINCIPLE, PRINCIPLE.new))["principle"]
    assert created["text"] == "Kept  as\nwritten. "
    other = await _create(register, PRINCIPLE, {**PRINCIPLE.new, "position": 98})
    moved = await _update(register, PRINCIPLE, other["principle"]["id"], 1, {"position": 99})
    assert [(e["field"], e["code"]) for e in moved["errors"]] == [("changes.position", "DUPLICATE")]
    nulls = await _update(register, PRINCIPLE, created["id"], 1, {"text": None, "position": None})
    assert {e["field"] for e in nulls["errors"]} == {"changes.text", "changes.position"}


async def test_a_group_cannot_be_moved_below_itself(register: Register) -> None:
    version = (
        await register.send('{ stakeholderGroup(slug: "policing") { version } }', {}, "anonymous")
    ).json()["data"]["stakeholderGroup"]["version"]
    before = await register.table_counts()
    for parent in ("policing", "police-forces"):
        refused = await _update(register, GROUP, "policing", version, {"parent": parent})
        assert [e["field"] for e in refused["errors"]] == ["changes.parent"]
    assert await register.table_counts() == before
    moved = await _update(register, GROUP, "police-forces", version, {"parent": "government"})
    assert moved["stakeholderGroup"]["parent"] == {"slug": "government"}


async def test_document_versions_go_after_the_last_one(register: Register) -> None:
    await _create(register, VERSION, VERSION.new)
    query = f'{{ document(slug: "{GUIDANCE}") {{ versions {{ label }} }} }}'
    labels = (await register.send(query, {}, "anonymous")).json()["data"]["document"]["versions"]
    assert labels[-1] == {"label": "V9.9"}


async def test_an_expectation_is_of_a_group_or_an_organisation(register: Register) -> None:
    neither = {**EXPECTATION.new, "group": None}
    refused = await _create(register, EXPECTATION, neither)
    assert [e["field"] for e in refused["errors"]] == ["input.group"]
    of_organisation = {**EXPECTATION.new, "group": None, "organisation": "nelson-trust"}
    saved = (await _create(register, EXPECTATION, of_organisation))["expectation"]
    assert (saved["group"], saved["organisation"]) == (None, {"slug": "nelson-trust"})


async def test_a_relation_shows_on_both_documents(register: Register) -> None:
    await _create(register, RELATION, RELATION.new)
    query = """{ document(slug: "npcc-prostitution-strategy") {
        relatedFrom { kind document { slug } evidence { quote } } } }"""
    related = (await register.send(query, {}, "anonymous")).json()["data"]["document"]
    assert {
        "kind": "CITES",
        "document": {"slug": "beyond-the-gaze"},
        "evidence": [{"quote": QUOTE}],
    } in related["relatedFrom"]


async def test_an_foi_response_cannot_come_before_the_request(register: Register) -> None:
    saved = (await _create(register, FOI_REQUEST, FOI_REQUEST.new))["foiRequest"]
    refused = await _update(register, FOI_REQUEST, saved["id"], 1, {"respondedOn": "2025-12-31"})
    assert [e["field"] for e in refused["errors"]] == ["changes.respondedOn"]


async def test_a_bad_quote_is_refused_for_every_claim(register: Register) -> None:
    wrong = [{"source": "npcc-foi-059-19", "locator": "Q9", "quote": "Never said."}]
    for case in CASES:
        if case.evidence:
            refused = await _create(register, case, {**case.new, "evidence": wrong})
            assert [e["field"] for e in refused["errors"]] == ["input.evidence[0].quote"]


# ---------------------------------------------------------------- drafts, history, retraction

NODE = """query($id: ID!) { node(id: $id) { __typename ... on %s {
    version published history { action actor requestId } } } }"""


async def _node(register: Register, case: Case, node_id: str, who: str) -> dict[str, Any]:
    body: dict[str, Any] = (await register.send(NODE % case.type, {"id": node_id}, who)).json()
    return body


def _retract_document(case: Case) -> str:
    key_type = "String!" if case.key == "slug" else "ID!"
    return f"""mutation($key: {key_type}, $version: Int!, $reason: String!) {{
        retract{case.type}({case.key}: $key, expectedVersion: $version, reason: $reason) {{
        __typename ... on {case.type}Saved {{ {case.saved} {{ version published }} }}
        ... on EditRefused {{ errors {{ field code message }} }} }} }}"""


async def _retract(
    register: Register, case: Case, key: str, version: int, reason: str
) -> dict[str, Any]:
    variables = {"key": key, "version": version, "reason": reason}
    body = (await register.send(_retract_document(case), variables)).json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][f"retract{case.type}"]
    return payload


@pytest.mark.parametrize("case", CASES, ids=_ids_of(CASES))
async def test_a_draft_is_for_editors_until_published_then_retracted_for_readers(
    register: Register, case: Case
) -> None:
    created = await _create(register, case, {**case.new, "published": False})
    assert created["__typename"] == f"{case.type}Saved", created
    key = created[case.saved][case.key]
    node_id = created[case.saved].get("id")
    if node_id is None:  # groups and topics answer their slug: read the id by it
        field = "stakeholderGroup" if case.type == "StakeholderGroup" else "topic"
        lookup = f'{{ {field}(slug: "{key}") {{ id }} }}'
        node_id = (await register.send(lookup, {}, "editor")).json()["data"][field]["id"]

    assert (await _node(register, case, node_id, "anonymous"))["data"] == {"node": None}
    seen = (await _node(register, case, node_id, "editor"))["data"]["node"]
    assert (seen["published"], seen["version"]) == (False, 1)
    assert [h["action"] for h in seen["history"]] == ["CREATE"]

    published = await _update(register, case, key, 1, {"published": True})
    assert published["__typename"] == f"{case.type}Saved", published
    read = await _node(register, case, node_id, "anonymous")
    assert read["data"]["node"] is None and read["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    ), "the record is public now, but its history is for editors"
    public = (
        await register.send(
            f"query($id: ID!) {{ node(id: $id) {{ ... on {case.type} {{ published }} }} }}",
            {"id": node_id},
            "anonymous",
        )
    ).json()["data"]["node"]
    assert public == {"published": True}

    before = await register.table_counts()
    blank = await _retract(register, case, key, 2, " ")
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("reason", "BAD_USER_INPUT")]
    stale = await _retract(register, case, key, 1, "Entered twice.")
    assert [(e["field"], e["code"]) for e in stale["errors"]] == [("expectedVersion", "CONFLICT")]
    unknown = "nothing-here" if case.key == "slug" else "bm90aGluZzox"
    missing = await _retract(register, case, unknown, 2, "Entered twice.")
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    assert await register.table_counts() == before

    retracted = await _retract(register, case, key, 2, "Entered twice.")
    assert retracted[case.saved]["version"] == 3, retracted
    assert (await _node(register, case, node_id, "anonymous"))["data"] == {"node": None}
    # Editors still open it by its id, with its history.
    withdrawn = (await _node(register, case, node_id, "editor"))["data"]["node"]
    assert [h["action"] for h in withdrawn["history"]] == ["CREATE", "UPDATE", "RETRACT"]
    again = await _retract(register, case, key, 3, "Entered twice.")
    assert [e["code"] for e in again["errors"]] == ["CONFLICT"]
    after = await register.table_counts()
    assert after[case.entity] == before[case.entity], "retraction deletes nothing"
    assert after["audit_entry"] == before["audit_entry"] + 1
    entries = await _audit(register, case.entity)
    assert [e.action.value for e in entries] == ["CREATE", "UPDATE", "RETRACT"]
    assert entries[-1].after is not None
    assert entries[-1].after["retraction_reason"] == "Entered twice."
    assert all(e.request_id and e.actor == "editor" for e in entries)
