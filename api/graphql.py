"""The GraphQL endpoint: Strawberry's ASGI view with our context, orjson and JSON errors."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import orjson
from cross_web import HTTPException
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.auth import Unauthenticated, authenticate
from api.logs import request_id_var
from api.responses import error_response
from api.web.pages import graphiql_page
from schema.compiled import Plans, compiled_request
from schema.context import Context

BAD_REQUEST = "BAD_REQUEST"
UNAUTHENTICATED = "UNAUTHENTICATED"


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: object,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        graphiql: bool,
        assets_dir: Path,
        compiled_reads: bool = False,
    ) -> None:
        """`compiled_reads`: answer the queries `schema.compiled` knows with one statement."""
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
        )
        self.sessionmaker = sessionmaker
        self.assets_dir = assets_dir
        # Reads run one statement per session (the compiled path, each loader batch): with
        # autocommit they spare a BEGIN and a ROLLBACK round trip each.
        self.read_engine: AsyncEngine = sessionmaker.kw["bind"].execution_options(
            isolation_level="AUTOCOMMIT"
        )
        self.read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.plans = Plans(self.schema._schema) if compiled_reads else None  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await self._compiled(request)
        if body is not None:
            await Response(body, media_type="application/json")(scope, receive, send)
            return
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = error_response(error.status_code, error.reason, BAD_REQUEST)
        except Unauthenticated as error:
            response = error_response(401, str(error), UNAUTHENTICATED)
            response.headers["www-authenticate"] = "Bearer"
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, from local files: Strawberry's own loads GraphiQL from a CDN.
        return graphiql_page(self.assets_dir)

    async def _compiled(self, request: Request) -> bytes | None:
        """The answer by the compiled path (one SQL statement), or None to go the usual way."""
        if self.plans is None or request.method != "POST" or "authorization" in request.headers:
            return None
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None
        query = compiled_request(await request.body())  # kept: the usual path reads it again
        statement = self.plans.get(query) if query is not None else None
        if statement is None:
            return None
        try:
            async with self.read_engine.connect() as connection:
                answer = (await connection.exec_driver_sql(statement)).scalar_one()
        except (SQLAlchemyError, OSError):
            # The usual path meets the same trouble and answers it with its masked error.
            return None
        return str(answer).encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            sessionmaker=self.sessionmaker,
            request_id=request_id_var.get() or uuid.uuid4().hex,
            actor=await authenticate(request.headers.get("authorization"), self.sessionmaker),
            read_sessionmaker=self.read_sessionmaker,
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            # Also raised for bytes that are not UTF-8, which the json module lets escape.
            raise json.JSONDecodeError("not JSON", "", 0) from error

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
