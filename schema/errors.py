"""Expected failures carry a code; anything else is masked to the client and logged in full."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("footprint.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL_SERVER_ERROR"

UNEXPECTED_MESSAGE = "Unexpected error."


class FootprintError(Exception):
    """An expected failure: its message and code reach the client unchanged."""

    code = "FOOTPRINT_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": code or self.code}


class UserInputError(FootprintError):
    """An argument the client sent is malformed or out of range."""

    code = BAD_USER_INPUT


# Messages of graphql-core's checks on argument and variable values (wrong type, unknown enum).
_BAD_VALUE_PREFIXES = (
    "Variable '$",
    "Value '",
    "Expected value of type",
    "Int cannot represent",
    "String cannot represent",
    "Boolean cannot represent",
    "ID cannot represent",
    "Enum '",
)


def _code_for_request_error(error: GraphQLError) -> str:
    # Errors raised before execution carry no original error; tell them apart by message.
    if error.message.startswith("Syntax Error"):
        return PARSE_FAILED
    if error.message.startswith(_BAD_VALUE_PREFIXES):
        return BAD_USER_INPUT
    return VALIDATION_FAILED


def classify(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """Give every error a code; replace unexpected ones with a masked error."""
    original = error.original_error
    # graphql-core's own checks (parse, validation, variable coercion) are safe to show.
    if original is None or isinstance(original, GraphQLError):
        if "code" not in (error.extensions or {}):
            error.extensions = {**(error.extensions or {}), "code": _code_for_request_error(error)}
        return error
    if isinstance(original, FootprintError):
        error.extensions = {**original.extensions, **(error.extensions or {})}
        return error
    log.error(
        "unexpected error in a resolver",
        exc_info=(type(original), original, original.__traceback__),
        extra={"path": list(error.path or []), "request_id": request_id},
    )
    return GraphQLError(
        UNEXPECTED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL, "requestId": request_id},
    )


class ErrorPolicy(SchemaExtension):
    """Applies `classify` to every error of an operation's result."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            request_id = getattr(self.execution_context.context, "request_id", None)
            result.errors = [classify(error, request_id) for error in errors]
