"""Who may call which mutation: every mutation the API serves, found by introspection, is sent
a minimal request by every kind of caller, and a refused caller changes nothing at all."""

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


async def _mutations(register: Register) -> dict[str, tuple[str, dict[str, Any]]]:
    schema = await _served_schema(register)
    assert schema.mutation_type is not None
    found = {name: _request(name, f) for name, f in schema.mutation_type.fields.items()}
    assert len(found) >= 24  # organisations ... topics: a schema without them is not this one
    return found


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
    for name, (document, variables) in (await _mutations(register)).items():
        response = await register.send(document, variables, who)
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        # Minimal input is often refused, but for what it says, never for who sent it.
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        assert payload["__typename"].endswith("Saved") or payload["__typename"] == "EditRefused"
        codes = {error["code"] for error in payload.get("errors", [])}
        assert not codes & {"UNAUTHENTICATED", "FORBIDDEN"}, (name, payload)


async def test_a_refused_editor_writes_nothing(register: Register) -> None:
    """Each minimal request that is refused leaves every table as it was."""
    refused = 0
    for name, (document, variables) in (await _mutations(register)).items():
        before = await register.table_counts()
        payload = (await register.send(document, variables, "editor")).json()["data"][name]
        if payload["__typename"] == "EditRefused":
            refused += 1
            assert await register.table_counts() == before, name
    assert refused > 0
