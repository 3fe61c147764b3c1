"""Expected failures carry a code; anything else is masked to the client and logged in full."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from db.faults import is_pool_exhausted, is_unavailable, is_unstorable_text

log = logging.getLogger("footprint.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL_SERVER_ERROR"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
DB_UNAVAILABLE = "DB_UNAVAILABLE"
RATE_LIMITED = "RATE_LIMITED"
OVERLOADED = "OVERLOADED"

# Codes answered with an HTTP status other than 200, so clients and proxies can back off.
HTTP_STATUS = {DB_UNAVAILABLE: 503, OVERLOADED: 503, RATE_LIMITED: 429}

UNEXPECTED_MESSAGE = "Unexpected error."
UNAVAILABLE_MESSAGE = "The database is unavailable; try again in a few seconds."
BUSY_MESSAGE = "The server is busy; try again in a second."


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
    if error.message.startswith("Syntax Error: Document contains more than"):
        return TOO_MANY_TOKENS
    if error.message.startswith("Syntax Error"):
        return PARSE_FAILED
    if error.message.startswith("GraphQL introspection has been disabled"):
        return INTROSPECTION_DISABLED
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
    if is_unstorable_text(original):
        return GraphQLError(
            "Text may not contain the NUL character (U+0000).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": BAD_USER_INPUT},
        )
    if is_pool_exhausted(original):
        log.warning(
            "no pooled connection came free in time",
            extra={"error": type(original).__name__, "request_id": request_id},
        )
        return GraphQLError(
            BUSY_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": OVERLOADED, "requestId": request_id},
        )
    if is_unavailable(original):
        log.warning(
            "database unavailable",
            extra={"error": type(original).__name__, "request_id": request_id},
        )
        return GraphQLError(
            UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": DB_UNAVAILABLE, "requestId": request_id},
        )
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


def error_codes(errors: list[GraphQLError]) -> list[str]:
    return [str((error.extensions or {}).get("code", INTERNAL)) for error in errors]


def _operation_name(execution: ExecutionContext) -> str | None:
    if execution.operation_name or execution.graphql_document is None:
        return execution.operation_name
    names = [
        d.name.value if d.name else None
        for d in execution.graphql_document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    return names[0] if len(names) == 1 else None


def _operation_type(execution: ExecutionContext) -> str | None:
    try:
        return execution.operation_type.value
    except RuntimeError:  # the document did not parse, or names no such operation
        return None


# graphql-core's hints, "Did you mean 'auditLog'?", name fields and values of the schema.
_SUGGESTION = re.compile(r" ?Did you mean .*\?$", re.DOTALL)


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """`error` with its "Did you mean ...?" left out, which would tell what introspection hides."""
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=error.extensions,
    )


class ErrorPolicy(SchemaExtension):
    """Applies `classify` to every error of an operation's result, and reports the outcome.
    With `suggestions=False` (introspection off) no message suggests a name of the schema."""

    def __init__(self, *, suggestions: bool = True) -> None:
        super().__init__()
        self.suggestions = suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        result = execution.result
        errors = getattr(result, "errors", None)
        context = execution.context
        if result is not None and errors:
            request_id = getattr(context, "request_id", None)
            result.errors = [classify(error, request_id) for error in errors]
            if not self.suggestions:
                result.errors = [without_suggestion(error) for error in result.errors]
        report = getattr(context, "report", None)
        if report is not None:
            final = list(getattr(result, "errors", None) or [])
            report(_operation_name(execution), _operation_type(execution), final)
