"""Routes for the browser side: /dashboard, its files under /web, GraphiQL's under /assets."""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.assets import load_lock
from api.web.pages import PAGE_HEADERS, STATIC, dashboard

# Asset paths carry the package's version, so a browser may keep them for good.
IMMUTABLE = {
    "cache-control": "public, max-age=31536000, immutable",
    "x-content-type-options": "nosniff",
}


class WithHeaders:
    """Adds fixed headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def web_routes(assets_dir: Path) -> list[BaseRoute]:
    # Only the files the lock names are served, whatever else the folder holds.
    files = {
        f"{package.folder}/{path}": assets_dir / package.folder / path
        for package in load_lock()
        for path in package.files
    }

    async def asset(request: Request) -> Response:
        path = files.get(request.path_params["path"])
        if path is None or not path.is_file():
            return PlainTextResponse("Not Found", 404)
        return FileResponse(path, headers=IMMUTABLE)

    return [
        Route("/dashboard", dashboard),
        Route("/assets/{path:path}", asset),
        Mount("/web", app=WithHeaders(StaticFiles(directory=STATIC), PAGE_HEADERS)),
    ]
