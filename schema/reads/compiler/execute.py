"""Running a compiled read: the request's query, operation name and variables (POST JSON or
GET), the parameters' values checked as the resolvers check them, and the one statement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.errors import UserInputError
from schema.ids import decode_cursor, encode_cursor, global_id
from schema.reads.compiler.sql import Statement
from schema.reads.pagination import DEFAULT_PAGE, MAX_PAGE

SQLITE_FUNCTIONS = "footprint_compiler_functions"


@dataclass(frozen=True)
class Request:
    query: str
    operation_name: str | None
    variables: dict[str, Any]


def _request(data: object) -> Request | None:
    if not isinstance(data, dict) or not set(data) <= {"query", "variables", "operationName"}:
        return None
    query = data.get("query")
    name = data.get("operationName")
    variables = data.get("variables")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return Request(query, name or None, variables or {})


def post_request(body: bytes) -> Request | None:
    """The query, operation name and variables of a POST body; None for anything else
    (extensions, a batch, malformed JSON): the usual path answers those."""
    try:
        return _request(orjson.loads(body))
    except orjson.JSONDecodeError:
        return None


def get_request(params: dict[str, str]) -> Request | None:
    """The same from a GET request's query string (variables as JSON text)."""
    data: dict[str, Any] = dict(params)
    if "variables" in data:
        try:
            data["variables"] = orjson.loads(data["variables"])
        except orjson.JSONDecodeError:
            return None
    return _request(data)


def parameters(statement: Statement, variables: VariableValues) -> tuple[Any, ...] | None:
    """The statement's parameter values, or None where the resolvers would refuse one (a page
    size out of range, a malformed cursor): the usual path then answers with its error."""
    values: dict[str, Any] = {}
    for param in statement.params:
        try:
            value = get_argument_values(param.field, param.node, variables).get(param.argument)
        except GraphQLError:
            return None
        if param.kind == "first":
            value = DEFAULT_PAGE if value is None else value
            if not isinstance(value, int) or not 1 <= value <= MAX_PAGE:
                return None
        elif param.kind == "after":
            try:
                after = decode_cursor(value)
            except UserInputError:
                return None
            value = -1 if after is None else after  # ids start at 1: -1 is "from the start"
        elif not isinstance(value, str):
            return None
        values[param.name] = value
    return tuple(values[name] for name in statement.order)


def _sqlite_global_id(prefix: str, pk: int | None) -> str | None:
    if pk is None:
        return None
    return encode_cursor(pk) if prefix == "cursor" else global_id(prefix, pk)


def _install_functions(sync_connection: Any) -> None:
    raw = sync_connection.connection
    # Global ids and cursors are made by schema.ids, here as on the usual path.
    raw.dbapi_connection.create_function("fp_global_id", 2, _sqlite_global_id, deterministic=True)
    raw.info[SQLITE_FUNCTIONS] = True


async def run(connection: AsyncConnection, statement: Statement, values: tuple[Any, ...]) -> str:
    """The response body the statement builds."""
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        if not raw.info.get(SQLITE_FUNCTIONS):
            await connection.run_sync(_install_functions)
    result = await connection.exec_driver_sql(statement.sql, values)
    return str(result.scalar_one())
