"""The editing story end to end, over HTTP: an editor adds a draft document with its principle,
consultation, influence and evidence; readers see none of it until it is published, then all of
it; the audit log holds every change with its actor and request id."""

from typing import Any

from tests.editing_fixtures import Register

FOI = "npcc-foi-059-19"
QUOTE = "In addition, National Ugly Mugs due to their work with Police were involved."
SLUG = "npcc-guidance-2026-draft"

CREATE_DOCUMENT = """mutation($input: DocumentInput!) { createDocument(input: $input) {
    ... on DocumentSaved { document { slug version published } } } }"""
CREATE_PRINCIPLE = """mutation($input: PrincipleInput!) { createPrinciple(input: $input) {
    ... on PrincipleSaved { principle { id } } } }"""
CREATE_CONSULTATION = """mutation($input: ConsultationInput!) { createConsultation(input: $input) {
    ... on ConsultationSaved { consultation { id } } } }"""
CREATE_INFLUENCE = """mutation($input: InfluenceInput!) { createInfluence(input: $input) {
    ... on InfluenceSaved { influence { id } } } }"""
PUBLISH = """mutation($slug: String!, $version: Int!) { updateDocument(slug: $slug,
    expectedVersion: $version, changes: {published: true}) {
    ... on DocumentSaved { document { version published } } } }"""

READ = f"""{{
  document(slug: "{SLUG}") {{
    title
    principles {{ position text shapedBy {{ effect organisation {{ slug }} }} }}
    consultations {{ nodes {{ role organisation {{ slug }} evidence {{ locator quote }} }} }}
  }}
  organisation(slug: "national-ugly-mugs") {{
    consultations(first: 50) {{ nodes {{ document {{ slug }} }} }}
    influences {{ principle {{ document {{ slug }} }} }}
  }}
  search(text: "twenty six") {{ totalCount }}
}}"""


class Editor:
    """Sends each change with a request id of its own, as a client would."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.request_ids: list[str] = []

    async def send(self, query: str, **variables: Any) -> dict[str, Any]:
        request_id = f"story-{len(self.request_ids) + 1}"
        response = await self.register.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={**self.register.headers("editor"), "x-request-id": request_id},
        )
        assert response.headers["x-request-id"] == request_id
        body = response.json()
        assert "errors" not in body, body
        payload: dict[str, Any] = next(iter(body["data"].values()))
        assert payload, body  # an EditRefused would select nothing here
        self.request_ids.append(request_id)
        return payload


async def _read(register: Register, who: str) -> dict[str, Any]:
    body = (await register.send(READ, {}, who)).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _of_this_document(data: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    organisation = data["organisation"]
    consulted = [n for n in organisation["consultations"]["nodes"] if n["document"]["slug"] == SLUG]
    shaped = [i for i in organisation["influences"] if i["principle"]["document"]["slug"] == SLUG]
    return consulted, shaped


async def test_an_editor_adds_a_document_readers_see_it_once_published(
    register: Register,
) -> None:
    editor = Editor(register)
    evidence = [{"source": FOI, "locator": "Answer to question 9", "quote": QUOTE}]
    document = await editor.send(
        CREATE_DOCUMENT,
        input={
            "slug": SLUG,
            "title": "Sex work guidance, twenty twenty six",
            "kind": "GUIDANCE",
            "publisher": "npcc",
            "summary": "Drafted with National Ugly Mugs.",
            "published": False,
        },
    )
    assert document["document"] == {"slug": SLUG, "version": 1, "published": False}
    principle = await editor.send(
        CREATE_PRINCIPLE, input={"document": SLUG, "position": 1, "text": "Safety first."}
    )
    await editor.send(
        CREATE_CONSULTATION,
        input={
            "document": SLUG,
            "organisation": "national-ugly-mugs",
            "role": "CO_DEVELOPER",
            "evidence": evidence,
        },
    )
    await editor.send(
        CREATE_INFLUENCE,
        input={
            "organisation": "national-ugly-mugs",
            "principle": principle["principle"]["id"],
            "effect": "SHAPED",
            "evidence": evidence,
        },
    )

    # An anonymous reader meets none of it: not the document, nor what belongs to it.
    readers = await _read(register, "anonymous")
    assert readers["document"] is None
    assert readers["search"]["totalCount"] == 0
    assert _of_this_document(readers) == ([], [])
    # The editor sees it all, a draft.
    editors = await _read(register, "editor")
    assert editors["document"]["title"] == "Sex work guidance, twenty twenty six"
    assert [len(found) for found in _of_this_document(editors)] == [1, 1]

    published = await editor.send(PUBLISH, slug=SLUG, version=1)
    assert published["document"] == {"version": 2, "published": True}

    readers = await _read(register, "anonymous")
    assert readers["document"] == {
        "title": "Sex work guidance, twenty twenty six",
        "principles": [
            {
                "position": 1,
                "text": "Safety first.",
                "shapedBy": [{"effect": "SHAPED", "organisation": {"slug": "national-ugly-mugs"}}],
            }
        ],
        "consultations": {
            "nodes": [
                {
                    "role": "CO_DEVELOPER",
                    "organisation": {"slug": "national-ugly-mugs"},
                    "evidence": [{"locator": "Answer to question 9", "quote": QUOTE}],
                }
            ]
        },
    }
    assert [len(found) for found in _of_this_document(readers)] == [1, 1]
    assert readers["search"]["totalCount"] == 1

    # Every change is in the audit log, with who made it and the request that carried it.
    log = """{ auditLog(first: 100, filter: {actor: "editor"}) {
        nodes { action entity actor requestId } } }"""
    entries = (await register.send(log, {}, "editor")).json()["data"]["auditLog"]["nodes"]
    assert [(e["action"], e["entity"], e["requestId"]) for e in entries] == [
        ("CREATE", "document", "story-1"),
        ("CREATE", "principle", "story-2"),
        ("CREATE", "consultation", "story-3"),
        ("CREATE", "influence", "story-4"),
        ("UPDATE", "document", "story-5"),
    ]
    assert {e["actor"] for e in entries} == {"editor"}
    # Readers may not read the audit log.
    refused = (await register.send(log, {}, "anonymous")).json()
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
