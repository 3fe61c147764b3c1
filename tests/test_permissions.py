"""Who may call which mutation: every mutation the API serves, found by introspection, is sent
a minimal request by every kind of caller (no token, so a reader; a bad, revoked or expired
token; an editor; an admin), and a refused caller changes nothing at all. A mutation whose
description starts "Admins only." refuses editors with FORBIDDEN."""

import re
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
)
from graphql.pyutils import Undefined

from schema.ids import global_id
from tests.editing_fixtures import Register

BAD_TOKENS = ["unknown", "revoked", "expired"]
EDITORS = ["editor", "admin"]
SCALARS: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Boolean": False,
    "Float": 1.0,
    # A well-formed id of no record: mutations must answer NOT_FOUND, not fail.
    "ID": global_id("Nothing", 1),
    "Date": "2020-01-01",
    "DateTime": "2020-01-01T00:00:00+00:00",
}


async def _served_schema(register: Register) -> GraphQLSchema:
    response = await register.send(get_introspection_query(), {}, "anonymous")
    assert response.status_code == 200, response.text
    return build_client_schema(response.json()["data"])


def _minimal(kind: GraphQLInputType) -> Any:
    """The smallest value of a type: required fields only, empty lists, the first enum value."""
    if isinstance(kind, GraphQLNonNull):
        return _minimal(kind.of_type)
    if isinstance(kind, GraphQLList):
        return []
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: _minimal(field.type)
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    assert isinstance(kind, GraphQLScalarType)
    return SCALARS[kind.name]


def _request(name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """A mutation document sending `field` its required arguments, and their values."""
    required = {
        arg_name: arg
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    }
    declared = ", ".join(f"${n}: {arg.type}" for n, arg in required.items())
    passed = ", ".join(f"{n}: ${n}" for n in required)
    returned = get_named_type(field.type)
    selection = ""
    if isinstance(returned, GraphQLUnionType | GraphQLObjectType):
        selection = "{ __typename ... on EditRefused { errors { field code } } }"
    document = f"mutation{f'({declared})' if declared else ''} {{ {name}"
    document += f"{f'({passed})' if passed else ''} {selection} }}"
    return document, {n: _minimal(arg.type) for n, arg in required.items()}


ADMINS_ONLY = "Admins only."


async def _mutations(register: Register) -> dict[str, tuple[str, dict[str, Any]]]:
    schema = await _served_schema(register)
    assert schema.mutation_type is not None
    found = {name: _request(name, f) for name, f in schema.mutation_type.fields.items()}
    # Every kind of record can be created, updated and retracted; organisations merged.
    assert len(found) >= 43, sorted(found)
    for kind in ("Organisation", "Document", "Consultation", "Influence", "FoiQuestion", "Topic"):
        assert {f"create{kind}", f"update{kind}", f"retract{kind}"} <= set(found), kind
    return found


async def _admins_only(register: Register) -> set[str]:
    schema = await _served_schema(register)
    assert schema.mutation_type is not None
    return {
        name
        for name, field in schema.mutation_type.fields.items()
        if (field.description or "").startswith(ADMINS_ONLY)
    }


@pytest.mark.parametrize("who", BAD_TOKENS)
async def test_a_bad_token_is_refused_every_mutation_with_401(register: Register, who: str) -> None:
    before = await register.table_counts()
    for name, (document, variables) in (await _mutations(register)).items():
        response = await register.send(document, variables, who)
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == "Bearer", name
        codes = [e["extensions"]["code"] for e in response.json()["errors"]]
        assert codes == ["UNAUTHENTICATED"], name
    assert await register.table_counts() == before


async def test_no_token_is_refused_every_mutation(register: Register) -> None:
    before = await register.table_counts()
    for name, (document, variables) in (await _mutations(register)).items():
        response = await register.send(document, variables, "anonymous")
        assert response.status_code == 200, name
        body = response.json()
        assert body["data"] is None, (name, body)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], (
            name,
            body,
        )
    assert await register.table_counts() == before


@pytest.mark.parametrize("who", EDITORS)
async def test_editors_and_admins_may_call_every_mutation(register: Register, who: str) -> None:
    admins_only = await _admins_only(register)
    assert admins_only == {"mergeOrganisations"}
    for name, (document, variables) in (await _mutations(register)).items():
        if who == "editor" and name in admins_only:
            continue  # see test_an_editor_is_refused_what_is_for_admins
        response = await register.send(document, variables, who)
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        # Minimal input is often refused, but for what it says, never for who sent it.
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        assert payload["__typename"].endswith("Saved") or payload["__typename"] == "EditRefused"
        codes = {error["code"] for error in payload.get("errors", [])}
        assert not codes & {"UNAUTHENTICATED", "FORBIDDEN"}, (name, payload)


async def test_an_editor_is_refused_what_is_for_admins(register: Register) -> None:
    mutations = await _mutations(register)
    before = await register.table_counts()
    for name in await _admins_only(register):
        document, variables = mutations[name]
        body = (await register.send(document, variables, "editor")).json()
        assert body["data"] is None, (name, body)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], (name, body)
    assert await register.table_counts() == before


# A field in EditRefused is the GraphQL path of the input at fault, as a client spells it.
INPUT_PATH = re.compile(r"[a-z][A-Za-z]*(\[\d+\])?(\.[a-z][A-Za-z]*(\[\d+\])?)*")


async def test_a_refused_editor_writes_nothing(register: Register) -> None:
    """Each minimal request that is refused leaves every table as it was, and names the input
    at fault as GraphQL spells it."""
    refused = 0
    for name, (document, variables) in (await _mutations(register)).items():
        before = await register.table_counts()
        payload = (await register.send(document, variables, "admin")).json()["data"][name]
        if payload["__typename"] == "EditRefused":
            refused += 1
            assert await register.table_counts() == before, name
            for error in payload["errors"]:
                assert error["field"] is None or INPUT_PATH.fullmatch(error["field"]), (name, error)
    assert refused > 0
