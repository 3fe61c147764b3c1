"""Routes for the browser side: /dashboard, its files under /web, the npm packages' under
/assets, and GraphiQL's page at GET /graphql. None of them touches the database, and the app
routes them apart from the API, so a database that is down (and the admission control that
sheds the API's requests then) never keeps a page or a file from loading."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from api.web.assets import SERVED_PAGES, for_pages
from api.web.files import A_YEAR, REVALIDATE, file_response, read, split_fingerprint
from api.web.pages import FILE_HEADERS, STATIC, dashboard_page
from api.web.vocabulary import vocabulary

if TYPE_CHECKING:
    from api.graphql import GraphQLView


def web_routes(assets_dir: Path, schema: GraphQLSchema) -> list[BaseRoute]:
    # Only the files the lock names for a page are served, whatever else the folder holds.
    packaged = {
        f"{package.folder}/{path}": assets_dir / package.folder / path
        for package in for_pages(*SERVED_PAGES)
        for path in package.files
    }
    own = {path.name: path for path in STATIC.iterdir() if path.is_file()}
    words = vocabulary(schema)

    async def dashboard(request: Request) -> Response:
        return dashboard_page(assets_dir, words)

    async def asset(request: Request) -> Response:
        # Package addresses carry their version, so a browser may keep them for good.
        path = packaged.get(request.path_params["path"])
        if path is None or not path.is_file():
            return PlainTextResponse("Not Found", 404)
        return file_response(request, read(path), A_YEAR, FILE_HEADERS)

    async def web(request: Request) -> Response:
        name, fingerprint = split_fingerprint(request.path_params["name"])
        path = own.get(name)
        if path is None:
            return PlainTextResponse("Not Found", 404)
        file = read(path)
        # An address with an older fingerprint (a page from before an upgrade) gets today's file,
        # which it must not keep.
        cache = A_YEAR if fingerprint == file.fingerprint else REVALIDATE
        return file_response(request, file, cache, FILE_HEADERS)

    return [
        Route("/dashboard", dashboard),
        Route("/assets/{path:path}", asset),
        Route("/web/{name}", web),
    ]


class GraphiQLFirst:
    """/graphql: a browser's GET for the page is GraphiQL, answered from files; everything else
    (queries, mutations) goes on to the API and its admission control."""

    def __init__(self, view: GraphQLView, api: ASGIApp) -> None:
        self.view = view
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.view.graphql_ide:
            request = Request(scope, receive)
            if self.view.should_render_graphql_ide(request):  # type: ignore[arg-type]
                await (await self.view.render_graphql_ide(request))(scope, receive, send)
                return
        await self.api(scope, receive, send)
