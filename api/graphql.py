"""The GraphQL endpoint: Strawberry's ASGI view with our context, orjson and JSON errors."""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext, suppress
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import InvalidOperationTypeError

from api.auth import Unauthenticated, authenticate
from api.backpressure import DatabaseBreaker, HeavyLane, LaneFull
from api.logs import request_id_var
from api.metrics import current_record
from api.responses import error_response
from api.web.pages import graphiql_page
from db.faults import is_pool_exhausted, is_unavailable
from db.replicas import Database, ReadReplicas
from db.visibility import Audience
from schema.context import Context
from schema.errors import (
    BUSY_MESSAGE,
    DB_UNAVAILABLE,
    HTTP_STATUS,
    INTERNAL,
    OVERLOADED,
    UNAVAILABLE_MESSAGE,
    UNEXPECTED_MESSAGE,
    error_codes,
)
from schema.reads.compiler import Plans, get_request, parameters, post_request, run
from schema.reads.limits import QueryLimits, request_cost

log = logging.getLogger("footprint.errors")

BAD_REQUEST = "BAD_REQUEST"
UNAUTHENTICATED = "UNAUTHENTICATED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"


class RequestRefused(Exception):
    """A request refused before any GraphQL runs: its HTTP status, message and code."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    too_large = RequestRefused(
        413, f"The request body is over the limit of {limit} bytes.", PAYLOAD_TOO_LARGE
    )
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _lower_media_type(scope: Scope) -> None:
    """Media types are case-insensitive (`Application/JSON` is JSON); Strawberry and the
    compiled path compare them as written, so they are given them in lower case."""
    headers = []
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type, separator, parameters = value.partition(b";")
            value = media_type.strip().lower() + separator + parameters
        headers.append((name, value))
    scope["headers"] = headers


def _check_media_type(request: Request) -> None:
    # text/plain and forms are what a browser may send cross-site without asking first.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestRefused(
            415,
            "Send the query as JSON, with 'Content-Type: application/json'.",
            UNSUPPORTED_MEDIA_TYPE,
        )


def refusal(status: int, message: str, code: str, **extensions: object) -> Response:
    """An HTTP error answered before or around GraphQL, counted under its code."""
    current_record().error_codes.append(code)
    return error_response(status, message, code, **extensions)


def failure(error: Exception) -> Response:
    """An exception outside any resolver: 503 if the database is out of reach or no pooled
    connection came free in time (OVERLOADED: it opens no breaker), else masked."""
    if is_pool_exhausted(error):
        log.warning("no pooled connection came free in time")
        response = refusal(503, BUSY_MESSAGE, OVERLOADED)
        response.headers["retry-after"] = "1"
        return response
    if is_unavailable(error):
        log.warning("database unavailable", extra={"error": type(error).__name__})
        response = refusal(503, UNAVAILABLE_MESSAGE, DB_UNAVAILABLE)
        response.headers["retry-after"] = "1"
        return response
    log.error("unexpected error", exc_info=error)
    return refusal(500, UNEXPECTED_MESSAGE, INTERNAL, requestId=request_id_var.get())


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: object,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        graphiql: bool,
        assets_dir: Path,
        compiled_reads: bool = False,
        query_limits: QueryLimits | None = None,
        max_body_bytes: int = 1_048_576,
        breaker: DatabaseBreaker | None = None,
        replicas: ReadReplicas | None = None,
        heavy_lane: HeavyLane | None = None,
    ) -> None:
        """`compiled_reads`: answer what `schema.reads.compiler` compiles with one statement.
        `heavy_lane`: where requests the cost rule counts as heavy take turns."""
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
        )
        self.sessionmaker = sessionmaker
        self.assets_dir = assets_dir
        self.replicas = replicas or ReadReplicas(sessionmaker.kw["bind"])
        # The compiled path answers anonymous readers only: it checks their limits.
        anonymous = query_limits.for_reader(anonymous=True) if query_limits else None
        self.plans = Plans(self.schema._schema, anonymous) if compiled_reads else None  # type: ignore[attr-defined]
        self.query_limits = query_limits
        self.heavy_lane = heavy_lane
        self.max_body_bytes = max_body_bytes
        self.breaker = breaker or DatabaseBreaker()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        _lower_media_type(scope)
        try:
            request = Request(scope, receive)
            if request.method == "POST":
                _check_media_type(request)
                # Starlette's Request keeps a body read once here; Strawberry reads it from there.
                request._body = await read_body(scope, receive, self.max_body_bytes)
            async with self._lane(await self._cost(request)):
                body = await self._compiled(request)
                if body is not None:
                    await Response(body, media_type="application/json")(scope, receive, send)
                    return
                response = await self.run(request)
        except LaneFull:
            response = refusal(503, BUSY_MESSAGE, OVERLOADED)
            response.headers["retry-after"] = "1"
        except RequestRefused as refused:
            response = refusal(refused.status, str(refused), refused.code)
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                response = refusal(405, "Mutations must be sent with POST.", METHOD_NOT_ALLOWED)
                response.headers["allow"] = "POST"
            else:
                response = refusal(error.status_code, error.reason, BAD_REQUEST)
        except Unauthenticated as error:
            response = refusal(401, str(error), UNAUTHENTICATED)
            response.headers["www-authenticate"] = "Bearer"
        except Exception as error:  # before or around GraphQL: never a stack trace to the client
            response = failure(error)
            if DB_UNAVAILABLE in current_record().error_codes:
                self.breaker.failed()
        await response(scope, receive, send)

    def _lane(self, cost: int) -> AbstractAsyncContextManager[None]:
        return self.heavy_lane.admitted(cost) if self.heavy_lane else nullcontext()

    async def _cost(self, request: Request) -> int:
        """The cost rule's count for the request, before it runs (0 if it cannot be read:
        the usual path then refuses it with its own error)."""
        if self.heavy_lane is None or self.query_limits is None:
            return 0
        if request.method == "POST":
            try:
                data = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                return 0
        else:
            data = dict(request.query_params)
            with suppress(orjson.JSONDecodeError):
                data["variables"] = orjson.loads(data.get("variables") or "null")
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return 0
        variables = data.get("variables")
        name = data.get("operationName")
        return request_cost(
            self.schema._schema,  # type: ignore[attr-defined]
            data["query"],
            variables if isinstance(variables, dict) else None,
            name if isinstance(name, str) else None,
            self.query_limits,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, from local files: Strawberry's own loads GraphiQL from a CDN.
        return graphiql_page(self.assets_dir)

    async def _compiled(self, request: Request) -> bytes | None:
        """The answer by the compiled path (one SQL statement), or None to go the usual way."""
        if self.plans is None:
            return None
        if request.method == "GET":
            asked = get_request(dict(request.query_params))
        elif request.headers.get("content-type", "").startswith("application/json"):
            asked = post_request(await request.body())  # kept: the usual path reads it again
        else:
            return None
        plan = self.plans.get(asked.query, asked.operation_name) if asked else None
        variables = plan.variables(asked.variables) if plan and asked else None
        if plan is None or variables is None:
            return None
        # An unknown token is refused here as on the usual path; editors see drafts.
        actor = await authenticate(request.headers.get("authorization"), self.sessionmaker)
        audience = Audience.READERS if actor is None else Audience.EDITORS
        dialect = self.sessionmaker.kw["bind"].dialect.name
        statement = plan.statement(dialect, audience, variables)
        values = parameters(statement, variables) if statement else None
        if statement is None or values is None:
            return None
        reader = self.replicas.reader(actor.last_write_lsn if actor else None)

        async def answer_on(database: Database) -> str:
            async with database.read_engine.connect() as connection:
                return await run(connection, statement, values)

        try:
            answer = await reader.run(answer_on)
        except (SQLAlchemyError, OSError) as error:
            if is_pool_exhausted(error):
                raise  # OVERLOADED now, rather than a second wait on the usual path
            # The usual path meets the same trouble and answers it with its masked error.
            return None
        record = current_record()  # for the access log and metrics, as the usual path reports
        record.database = reader.database.name
        record.operation = plan.name or "anonymous"
        record.operation_type = "query"
        record.error_codes = []
        self.breaker.succeeded()
        return answer.encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        actor = await authenticate(request.headers.get("authorization"), self.sessionmaker)
        reader = self.replicas.reader(actor.last_write_lsn if actor else None)

        def report(name: str | None, kind: str | None, errors: list[GraphQLError]) -> None:
            record = current_record()
            record.database = reader.database.name
            record.operation = name or "anonymous"
            record.operation_type = kind
            record.error_codes = error_codes(errors)
            status = max((HTTP_STATUS.get(code, 200) for code in record.error_codes), default=200)
            if DB_UNAVAILABLE in record.error_codes:
                self.breaker.failed()
            elif kind is not None and OVERLOADED not in record.error_codes:
                self.breaker.succeeded()
            if status != 200 and isinstance(response, Response):
                response.status_code = status
                response.headers["retry-after"] = str(_retry_after(errors))

        return Context(
            sessionmaker=self.sessionmaker,
            request_id=request_id_var.get() or uuid.uuid4().hex,
            actor=actor,
            reader=reader,
            report=report,
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            # Also raised for bytes that are not UTF-8, which the json module lets escape.
            raise json.JSONDecodeError("not JSON", "", 0) from error
        if isinstance(decoded, list):
            message = "Send one operation per request; batches are not accepted."
            raise RequestRefused(400, message, BATCHING_NOT_SUPPORTED)
        return decoded

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _retry_after(errors: list[GraphQLError]) -> int:
    hints: list[Any] = [(e.extensions or {}).get("retryAfter") for e in errors]
    return max((h for h in hints if isinstance(h, int)), default=1)
