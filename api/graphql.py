"""The GraphQL endpoint: Strawberry's ASGI view with our context, orjson and JSON errors."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import orjson
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.auth import Unauthenticated, authenticate
from api.logs import request_id_var
from api.responses import error_response
from api.web.pages import graphiql_page
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
    ) -> None:
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
        )
        self.sessionmaker = sessionmaker
        self.assets_dir = assets_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as error:
            response = error_response(error.status_code, error.reason, BAD_REQUEST)
        except Unauthenticated as error:
            response = error_response(401, str(error), UNAUTHENTICATED)
            response.headers["www-authenticate"] = "Bearer"
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, from local files: Strawberry's own loads GraphiQL from a CDN.
        return graphiql_page(self.assets_dir)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            sessionmaker=self.sessionmaker,
            request_id=request_id_var.get() or uuid.uuid4().hex,
            actor=await authenticate(request.headers.get("authorization"), self.sessionmaker),
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            # Also raised for bytes that are not UTF-8, which the json module lets escape.
            raise json.JSONDecodeError("not JSON", "", 0) from error

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
