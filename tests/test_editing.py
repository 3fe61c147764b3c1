"""Editing the register: who may, what is checked, and that nothing is lost or half-written."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from db import edits
from db.models import AuditEntry, Organisation
from tests.editing_fixtures import Register

CREATE = """mutation($input: OrganisationInput!, $key: String) {
    createOrganisation(input: $input, idempotencyKey: $key) {
        __typename
        ... on OrganisationSaved { organisation { slug name named aliases version groups { slug } } }
        ... on EditRefused { errors { field message code } }
    } }"""

UPDATE = """mutation($slug: String!, $version: Int!, $changes: OrganisationChanges!) {
    updateOrganisation(slug: $slug, expectedVersion: $version, changes: $changes) {
        __typename
        ... on OrganisationSaved { organisation { slug name url aliases version groups { slug } } }
        ... on EditRefused { errors { field message code } }
    } }"""


def new_organisation(slug: str = "womens-aid", **extra: Any) -> dict[str, Any]:
    return {"slug": slug, "name": "Women's Aid", "groups": ["womens-groups"], **extra}


async def _organisation_version(register: Register, slug: str) -> int:
    response = await register.send(
        "query($s: String!) { organisation(slug: $s) { version } }", {"s": slug}, "anonymous"
    )
    version: int = response.json()["data"]["organisation"]["version"]
    return version


# ---------------------------------------------------------------- who may edit


@pytest.mark.parametrize("who", ["unknown", "revoked", "expired", "malformed"])
async def test_a_bad_token_is_refused_with_401_and_nothing_is_written(
    register: Register, who: str
) -> None:
    before = await register.counts()
    requests: list[tuple[str, dict[str, Any]]] = [
        (CREATE, {"input": new_organisation()}),
        (UPDATE, {"slug": "home-office", "version": 1, "changes": {"name": "X"}}),
    ]
    for query, variables in requests:  # a bad token is refused even for reading
        response = await register.send(query, variables, who)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await register.counts() == before


async def test_unknown_revoked_and_expired_tokens_get_the_same_answer(
    register: Register,
) -> None:
    answers = {
        (await register.send(CREATE, {"input": new_organisation()}, who)).text
        for who in ("unknown", "revoked", "expired")
    }
    assert len(answers) == 1


async def test_an_anonymous_reader_cannot_edit(register: Register) -> None:
    before = await register.counts()
    requests: list[tuple[str, dict[str, Any]]] = [
        (CREATE, {"input": new_organisation()}),
        (UPDATE, {"slug": "home-office", "version": 1, "changes": {"name": "X"}}),
    ]
    for query, variables in requests:
        body = (await register.send(query, variables, "anonymous")).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "Bearer" in body["errors"][0]["message"]
    assert await register.counts() == before


@pytest.mark.parametrize("who", ["editor", "admin"])
async def test_editors_and_admins_can_create_and_update(register: Register, who: str) -> None:
    created = (await register.send(CREATE, {"input": new_organisation()}, who)).json()
    organisation = created["data"]["createOrganisation"]["organisation"]
    assert organisation == {
        "slug": "womens-aid",
        "name": "Women's Aid",
        "named": True,
        "aliases": [],
        "version": 1,
        "groups": [{"slug": "womens-groups"}],
    }
    changes = {"url": "https://www.womensaid.org.uk/", "aliases": ["WA"]}
    updated = (
        await register.send(UPDATE, {"slug": "womens-aid", "version": 1, "changes": changes}, who)
    ).json()["data"]["updateOrganisation"]
    assert updated["organisation"]["version"] == 2
    assert updated["organisation"]["aliases"] == ["WA"]
    assert updated["organisation"]["name"] == "Women's Aid"  # untouched fields stay


async def test_mutations_over_get_are_refused(register: Register) -> None:
    response = await register.client.get(
        "/graphql",
        params={
            "query": 'mutation { createOrganisation(input: {slug: "x", name: "X"}) { __typename } }'
        },
        headers=register.headers("editor"),
    )
    assert response.status_code in (400, 405)
    assert await register.counts() == (await register.counts())
    async with register.sessionmaker() as session:
        assert await session.scalar(select(Organisation.id).where(Organisation.slug == "x")) is None


# ---------------------------------------------------------------- what is checked


async def test_every_problem_is_reported_and_nothing_is_written(register: Register) -> None:
    before = await register.counts()
    bad = {
        "slug": "Not A Slug",
        "name": "   ",
        "url": "javascript:alert(1)",
        "aliases": ["same", "same"],
        "groups": ["no-such-group"],
    }
    result = (await register.send(CREATE, {"input": bad})).json()["data"]["createOrganisation"]
    assert result["__typename"] == "EditRefused"
    fields = {error["field"] for error in result["errors"]}
    assert {"input.slug", "input.name", "input.url", "input.aliases", "input.groups[0]"} <= fields
    assert {error["code"] for error in result["errors"]} == {"BAD_USER_INPUT"}
    assert await register.counts() == before


async def test_a_taken_slug_is_a_duplicate(register: Register) -> None:
    before = await register.counts()
    result = (await register.send(CREATE, {"input": new_organisation("home-office")})).json()
    errors = result["data"]["createOrganisation"]["errors"]
    assert errors == [
        {
            "field": "input.slug",
            "message": "An organisation has this slug already.",
            "code": "DUPLICATE",
        }
    ]
    assert await register.counts() == before


async def test_limits_on_lengths_and_list_sizes(register: Register) -> None:
    too_long = new_organisation(name="x" * 301, aliases=[f"a{n}" for n in range(51)])
    result = (await register.send(CREATE, {"input": too_long})).json()["data"]
    fields = {error["field"] for error in result["createOrganisation"]["errors"]}
    assert {"input.name", "input.aliases"} <= fields


async def test_updating_an_unknown_organisation(register: Register) -> None:
    result = (
        await register.send(UPDATE, {"slug": "nobody", "version": 1, "changes": {"name": "X"}})
    ).json()["data"]["updateOrganisation"]
    assert result["errors"][0]["code"] == "NOT_FOUND"


# ---------------------------------------------------------------- concurrency


async def test_a_stale_version_is_a_conflict_not_an_overwrite(register: Register) -> None:
    version = await _organisation_version(register, "home-office")
    first = {"slug": "home-office", "version": version, "changes": {"name": "Home Office (UK)"}}
    assert (await register.send(UPDATE, first)).json()["data"]["updateOrganisation"][
        "organisation"
    ]["name"] == "Home Office (UK)"
    before = await register.counts()
    stale = {"slug": "home-office", "version": version, "changes": {"name": "Overwritten"}}
    result = (await register.send(UPDATE, stale)).json()["data"]["updateOrganisation"]
    assert result["__typename"] == "EditRefused"
    assert result["errors"][0]["code"] == "CONFLICT"
    assert f"version {version + 1}" in result["errors"][0]["message"]
    assert await register.counts() == before
    async with register.sessionmaker() as session:
        name = await session.scalar(
            select(Organisation.name).where(Organisation.slug == "home-office")
        )
    assert name == "Home Office (UK)"


async def test_concurrent_updates_at_one_version_only_one_wins(register: Register) -> None:
    version = await _organisation_version(register, "national-ugly-mugs")
    responses = await asyncio.gather(
        *[
            register.send(
                UPDATE,
                {
                    "slug": "national-ugly-mugs",
                    "version": version,
                    "changes": {"description": f"writer {n}"},
                },
            )
            for n in range(50)
        ]
    )
    kinds = [r.json()["data"]["updateOrganisation"]["__typename"] for r in responses]
    assert kinds.count("OrganisationSaved") == 1
    assert kinds.count("EditRefused") == 49
    assert await _organisation_version(register, "national-ugly-mugs") == version + 1


async def test_an_idempotency_key_replays_the_first_result(register: Register) -> None:
    variables = {"input": new_organisation(), "key": "import-2026-11-23-001"}
    first = (await register.send(CREATE, variables)).json()
    after_first = await register.counts()
    second = (await register.send(CREATE, variables)).json()
    assert second == first
    assert await register.counts() == after_first
    reused = {"input": new_organisation("refuge"), "key": "import-2026-11-23-001"}
    result = (await register.send(CREATE, reused)).json()["data"]["createOrganisation"]
    assert result["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await register.counts() == after_first


async def test_idempotency_keys_belong_to_their_token(register: Register) -> None:
    variables = {"input": new_organisation(), "key": "same-key"}
    await register.send(CREATE, variables, "editor")
    other = (await register.send(CREATE, variables, "admin")).json()
    # The admin's key is its own: the create runs, and finds the slug taken.
    assert other["data"]["createOrganisation"]["errors"][0]["code"] == "DUPLICATE"


# ---------------------------------------------------------------- nothing half-written


async def test_a_failure_in_the_middle_leaves_nothing(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await register.counts()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit store failed")

    monkeypatch.setattr(edits, "record_change", broken)
    body = (await register.send(CREATE, {"input": new_organisation()})).json()
    assert body["errors"][0]["message"] == "Unexpected error."
    assert await register.counts() == before
    async with register.sessionmaker() as session:
        found = await session.scalar(
            select(Organisation.id).where(Organisation.slug == "womens-aid")
        )
    assert found is None


# ---------------------------------------------------------------- the audit trail


async def test_every_change_is_audited_with_actor_before_after_and_request_id(
    register: Register,
) -> None:
    await register.client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": new_organisation(aliases=["WA"])}},
        headers={**register.headers("editor"), "x-request-id": "create-1"},
    )
    await register.client.post(
        "/graphql",
        json={
            "query": UPDATE,
            "variables": {"slug": "womens-aid", "version": 1, "changes": {"named": False}},
        },
        headers={**register.headers("admin"), "x-request-id": "update-1"},
    )
    async with register.sessionmaker() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action.value, e.actor, e.request_id) for e in entries] == [
        ("CREATE", "editor", "create-1"),
        ("UPDATE", "admin", "update-1"),
    ]
    create, change = entries
    assert create.before is None
    assert create.after is not None and create.after["aliases"] == ["WA"]
    assert create.after["groups"] == ["womens-groups"]
    assert change.before == {**create.after}
    assert change.after is not None
    assert (change.after["named"], change.after["version"]) == (False, 2)


async def test_the_audit_log_and_history_are_for_editors(register: Register) -> None:
    await register.send(CREATE, {"input": new_organisation()})
    await register.send(UPDATE, {"slug": "womens-aid", "version": 1, "changes": {"url": None}})
    log_query = """query($f: AuditFilter) { auditLog(first: 10, filter: $f) {
        totalCount nodes { actor action entity entityId before after requestId at } } }"""
    log = (await register.send(log_query, {"f": {"entity": "organisation"}}, "admin")).json()
    entries = log["data"]["auditLog"]
    assert entries["totalCount"] == 2
    assert [e["action"] for e in entries["nodes"]] == ["CREATE", "UPDATE"]
    only_updates = await register.send(log_query, {"f": {"action": "UPDATE"}}, "editor")
    assert only_updates.json()["data"]["auditLog"]["totalCount"] == 1
    history_query = '{ organisation(slug: "womens-aid") { history { action actor after } } }'
    history = (await register.send(history_query, {}, "editor")).json()
    assert [h["action"] for h in history["data"]["organisation"]["history"]] == ["CREATE", "UPDATE"]
    for query in (log_query, history_query):
        refused = (await register.send(query, {}, "anonymous")).json()
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


CREATE_DOCUMENT = """mutation($input: DocumentInput!) { createDocument(input: $input) {
    __typename
    ... on DocumentSaved { document { slug title kind formality publishedOn version publisher { slug } } }
    ... on EditRefused { errors { field code message } } } }"""

UPDATE_DOCUMENT = """mutation($slug: String!, $version: Int!, $changes: DocumentChanges!) {
    updateDocument(slug: $slug, expectedVersion: $version, changes: $changes) {
    __typename
    ... on DocumentSaved { document { title summary version publisher { slug } } }
    ... on EditRefused { errors { field code message } } } }"""

CREATE_CONSULTATION = """mutation($input: ConsultationInput!, $key: String) {
    createConsultation(input: $input, idempotencyKey: $key) {
    __typename
    ... on ConsultationSaved { consultation { id role version document { slug }
        organisation { slug } evidence { source { slug } locator quote confidence } } }
    ... on EditRefused { errors { field code message } } } }"""

UPDATE_CONSULTATION = """mutation($id: ID!, $version: Int!, $changes: ConsultationChanges!) {
    updateConsultation(id: $id, expectedVersion: $version, changes: $changes) {
    __typename
    ... on ConsultationSaved { consultation { role summary version } }
    ... on EditRefused { errors { field code message } } } }"""

QUOTE = "In addition, National Ugly Mugs due to their work with Police were involved."


async def test_an_editor_adds_a_document_with_consultations_and_evidence(
    register: Register,
) -> None:
    document = {
        "slug": "npcc-guidance-2019-commentary",
        "title": "A commentary on the 2019 guidance",
        "kind": "RESEARCH",
        "publisher": "home-office",
        "publishedOn": "2020-02-01",
    }
    created = (await register.send(CREATE_DOCUMENT, {"input": document})).json()
    saved = created["data"]["createDocument"]["document"]
    assert (saved["kind"], saved["formality"], saved["version"]) == ("RESEARCH", "UNKNOWN", 1)
    consultation = {
        "document": "npcc-guidance-2019-commentary",
        "organisation": "national-ugly-mugs",
        "role": "REVIEWER",
        "evidence": [
            {"source": "npcc-foi-059-19", "locator": "Answer to question 9", "quote": QUOTE},
            # A source with no stored text cannot be checked: the quote is taken, UNVERIFIED,
            # with where and when it was read.
            {
                "source": "beyond-the-gaze",
                "locator": "p. 4",
                "quote": "Not stored anywhere.",
                "confidence": "INFERRED",
                "url": "https://example.org/beyond-the-gaze",
                "readOn": "2026-11-01",
            },
        ],
    }
    result = (await register.send(CREATE_CONSULTATION, {"input": consultation})).json()
    recorded = result["data"]["createConsultation"]["consultation"]
    assert recorded["organisation"] == {"slug": "national-ugly-mugs"}
    assert [e["source"]["slug"] for e in recorded["evidence"]] == [
        "npcc-foi-059-19",
        "beyond-the-gaze",
    ]
    readers_view = (
        await register.send(
            '{ document(slug: "npcc-guidance-2019-commentary") { consultations { nodes { role organisation { slug } } } } }',
            {},
            "anonymous",
        )
    ).json()
    assert readers_view["data"]["document"]["consultations"]["nodes"] == [
        {"role": "REVIEWER", "organisation": {"slug": "national-ugly-mugs"}}
    ]
    changed = (
        await register.send(
            UPDATE_CONSULTATION,
            {
                "id": recorded["id"],
                "version": 1,
                "changes": {"role": "ADVISOR", "summary": "Read it."},
            },
        )
    ).json()["data"]["updateConsultation"]["consultation"]
    assert changed == {"role": "ADVISOR", "summary": "Read it.", "version": 2}
    stale = (
        await register.send(
            UPDATE_CONSULTATION, {"id": recorded["id"], "version": 1, "changes": {"summary": "x"}}
        )
    ).json()["data"]["updateConsultation"]
    assert stale["errors"][0]["code"] == "CONFLICT"


async def test_a_quote_not_in_its_stored_source_is_refused(register: Register) -> None:
    before = await register.counts()
    consultation = {
        "document": "npcc-sex-work-and-prostitution-guidance-2019",
        "organisation": "nelson-trust",
        "role": "CONSULTED",
        "evidence": [
            {
                "source": "npcc-foi-059-19",
                "locator": "Answer to question 9",
                "quote": "The Nelson Trust were consulted.",
            },
            {"source": "no-such-source", "locator": "x", "quote": "y"},
        ],
    }
    result = (await register.send(CREATE_CONSULTATION, {"input": consultation})).json()
    errors = result["data"]["createConsultation"]["errors"]
    assert {e["field"] for e in errors} == {"input.evidence[0].quote", "input.evidence[1].source"}
    no_evidence = {**consultation, "evidence": []}
    result = (await register.send(CREATE_CONSULTATION, {"input": no_evidence})).json()
    assert result["data"]["createConsultation"]["errors"][0]["field"] == "input.evidence"
    assert await register.counts() == before


async def test_a_consultation_recorded_twice_is_a_duplicate(register: Register) -> None:
    consultation = {
        "document": "npcc-sex-work-and-prostitution-guidance-2019",
        "organisation": "national-ugly-mugs",
        "role": "CONSULTED",
        "evidence": [
            {"source": "npcc-foi-059-19", "locator": "Answer to question 9", "quote": QUOTE}
        ],
    }
    result = (await register.send(CREATE_CONSULTATION, {"input": consultation})).json()
    assert result["data"]["createConsultation"]["errors"][0]["code"] == "DUPLICATE"


async def test_document_checks_and_updates(register: Register) -> None:
    bad = {"slug": "x", "title": "", "kind": "GUIDANCE", "publisher": "nobody", "url": "ftp://x"}
    errors = (await register.send(CREATE_DOCUMENT, {"input": bad})).json()["data"][
        "createDocument"
    ]["errors"]
    assert {e["field"] for e in errors} == {"input.title", "input.publisher", "input.url"}
    unknown_kind = (
        await register.send(CREATE_DOCUMENT, {"input": {**bad, "kind": "NOVEL"}})
    ).json()
    assert unknown_kind["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    guidance = "npcc-sex-work-and-prostitution-guidance-2019"
    version = (
        await register.send(
            "query($s: String!) { document(slug: $s) { version } }", {"s": guidance}, "anonymous"
        )
    ).json()["data"]["document"]["version"]
    updated = (
        await register.send(
            UPDATE_DOCUMENT,
            {
                "slug": guidance,
                "version": version,
                "changes": {"summary": "Revised summary.", "publisher": None},
            },
        )
    ).json()["data"]["updateDocument"]["document"]
    assert updated == {
        "title": "National Policing Sex Work and Prostitution Guidance",
        "summary": "Revised summary.",
        "version": version + 1,
        "publisher": None,
    }
    null_title = (
        await register.send(
            UPDATE_DOCUMENT, {"slug": guidance, "version": version + 1, "changes": {"title": None}}
        )
    ).json()["data"]["updateDocument"]
    assert null_title["errors"][0]["field"] == "changes.title"


async def test_drafts_are_for_editors_until_published(register: Register) -> None:
    draft = {
        "slug": "draft-guidance",
        "title": "Draft guidance",
        "kind": "GUIDANCE",
        "published": False,
    }
    await register.send(CREATE_DOCUMENT, {"input": draft})
    lookup = """{ document(slug: "draft-guidance") { slug published }
                  documents(first: 100, filter: {text: "draft guidance"}) { totalCount } }"""
    readers = (await register.send(lookup, {}, "anonymous")).json()["data"]
    assert readers == {"document": None, "documents": {"totalCount": 0}}
    editors = (await register.send(lookup, {}, "editor")).json()["data"]
    assert editors == {
        "document": {"slug": "draft-guidance", "published": False},
        "documents": {"totalCount": 1},
    }
    published = (
        await register.send(
            UPDATE_DOCUMENT,
            {"slug": "draft-guidance", "version": 1, "changes": {"published": True}},
        )
    ).json()
    assert published["data"]["updateDocument"]["document"]["version"] == 2
    readers = (await register.send(lookup, {}, "anonymous")).json()["data"]
    assert readers["document"] == {"slug": "draft-guidance", "published": True}


async def test_a_draft_consultation_is_hidden_from_readers_everywhere(
    register: Register,
) -> None:
    consultation = {
        "document": "npcc-sex-work-and-prostitution-guidance-2019",
        "organisation": "nelson-trust",
        "role": "REVIEWER",
        "published": False,
        "evidence": [
            {
                "source": "beyond-the-gaze",
                "locator": "x",
                "quote": "Draft note.",
                "url": "https://example.org/read",
                "readOn": "2026-11-01",
            }
        ],
    }
    await register.send(CREATE_CONSULTATION, {"input": consultation})
    query = """{ organisation(slug: "nelson-trust") { consultations { totalCount } }
                 document(slug: "npcc-sex-work-and-prostitution-guidance-2019") {
                   consultations(first: 100) { nodes { organisation { slug } } } } }"""
    for who, expected in (("anonymous", False), ("editor", True)):
        data = (await register.send(query, {}, who)).json()["data"]
        on_document = {
            n["organisation"]["slug"] for n in data["document"]["consultations"]["nodes"]
        }
        assert ("nelson-trust" in on_document) is expected
        assert data["organisation"]["consultations"]["totalCount"] == (2 if expected else 1)


async def test_retracting_withdraws_for_everyone_keeps_the_row_and_audits(
    register: Register,
) -> None:
    slug = "national-ugly-mugs"
    version = await _organisation_version(register, slug)
    retract = """mutation($slug: String!, $version: Int!, $reason: String!) {
        retractOrganisation(slug: $slug, expectedVersion: $version, reason: $reason) {
        __typename ... on EditRefused { errors { field code } } } }"""
    empty = (await register.send(retract, {"slug": slug, "version": version, "reason": " "})).json()
    assert empty["data"]["retractOrganisation"]["errors"] == [
        {"field": "reason", "code": "BAD_USER_INPUT"}
    ]
    done = await register.send(
        retract, {"slug": slug, "version": version, "reason": "Recorded twice by mistake."}
    )
    assert done.json()["data"]["retractOrganisation"]["__typename"] == "OrganisationSaved"
    for who in ("anonymous", "editor"):
        data = (
            await register.send(
                '{ organisation(slug: "national-ugly-mugs") { slug } organisations(filter: {text: "ugly"}) { totalCount } }',
                {},
                who,
            )
        ).json()["data"]
        assert data == {"organisation": None, "organisations": {"totalCount": 0}}
    async with register.sessionmaker() as session:
        row = await session.scalar(select(Organisation).where(Organisation.slug == slug))
        assert row is not None
        action = await session.scalar(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "organisation", AuditEntry.entity_id == row.id)
            .order_by(AuditEntry.id.desc())
        )
    assert row.retraction_reason == "Recorded twice by mistake."
    assert action is not None and action.value == "RETRACT"


async def test_search_shows_readers_no_drafts_and_nobody_retracted_records(
    register: Register,
) -> None:
    draft = {
        "slug": "zanzibar-protocol",
        "title": "Zanzibar protocol draft",
        "kind": "GUIDANCE",
        "published": False,
    }
    await register.send(CREATE_DOCUMENT, {"input": draft})
    search = (
        '{ search(text: "zanzibar") { totalCount nodes { node { ... on Document { slug } } } } }'
    )
    readers = (await register.send(search, {}, "anonymous")).json()
    assert readers == {"data": {"search": {"totalCount": 0, "nodes": []}}}
    editors = (await register.send(search, {}, "editor")).json()
    assert editors["data"]["search"]["nodes"] == [{"node": {"slug": "zanzibar-protocol"}}]
    retract = """mutation { retractDocument(slug: "zanzibar-protocol", expectedVersion: 1,
        reason: "Entered in error.") { __typename } }"""
    await register.send(retract, {}, "editor")
    editors = (await register.send(search, {}, "editor")).json()
    assert editors == {"data": {"search": {"totalCount": 0, "nodes": []}}}


async def test_children_of_a_draft_are_hidden_from_readers(register: Register) -> None:
    draft = {
        "slug": "draft-with-parts",
        "title": "Draft with parts",
        "kind": "POLICY",
        "published": False,
    }
    await register.send(CREATE_DOCUMENT, {"input": draft})
    consultation = {
        "document": "draft-with-parts",
        "organisation": "home-office",
        "role": "CONSULTED",
        "evidence": [
            {
                "source": "beyond-the-gaze",
                "locator": "x",
                "quote": "Part.",
                "url": "https://example.org/read",
                "readOn": "2026-11-01",
            }
        ],
    }
    await register.send(CREATE_CONSULTATION, {"input": consultation})
    # The consultation is published, but its document is a draft: readers reach neither.
    query = """{ organisation(slug: "home-office") { consultations(first: 100) {
        totalCount nodes { document { slug } } } } }"""
    readers = (await register.send(query, {}, "anonymous")).json()
    assert "errors" not in readers
    slugs = [
        n["document"]["slug"] for n in readers["data"]["organisation"]["consultations"]["nodes"]
    ]
    assert "draft-with-parts" not in slugs
    assert readers["data"]["organisation"]["consultations"]["totalCount"] == len(slugs)
    editors = (await register.send(query, {}, "editor")).json()
    assert "draft-with-parts" in [
        n["document"]["slug"] for n in editors["data"]["organisation"]["consultations"]["nodes"]
    ]
