"""The browser pages: GraphiQL (from local files, saved questions open) and the dashboard.

Every page is sent with a Content-Security-Policy that allows only this origin, so a page
cannot reach the internet even by mistake, and no inline script runs.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from api.web.assets import INSTALL_COMMAND, Package, load_lock, missing
from api.web.saved_questions import saved_questions

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # GraphiQL's stylesheet embeds its fonts and icons as data: URLs.
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def graphiql_page(assets_dir: Path) -> HTMLResponse:
    """GraphiQL with the saved questions as tabs, or how to install it if its files are absent."""
    lock = load_lock()
    absent = missing(assets_dir, lock)
    if absent:
        names = ", ".join(f"{package.name}@{package.version}" for package in absent)
        page = _template("assets-missing.html").substitute(
            missing=html.escape(names), command=html.escape(INSTALL_COMMAND)
        )
        return HTMLResponse(page, status_code=503, headers=PAGE_HEADERS)
    page = _template("graphiql.html").substitute(
        styles="\n".join(_tags(lock, ".css")),
        scripts="\n".join(_tags(lock, ".js")),
        saved=_script_json([question.as_json() for question in saved_questions()]),
    )
    return HTMLResponse(page, headers=PAGE_HEADERS)


async def dashboard(request: Request) -> Response:
    return FileResponse(STATIC / "dashboard.html", headers=PAGE_HEADERS)


def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _tags(lock: tuple[Package, ...], suffix: str) -> list[str]:
    """<script> or <link> tags in lock order (react before react-dom before graphiql)."""
    tags = []
    for package in lock:
        for path, integrity in package.files.items():
            if not path.endswith(suffix):
                continue
            url = html.escape(package.url(path))
            if suffix == ".js":
                tags.append(f'<script src="{url}" integrity="{integrity}"></script>')
            else:
                tags.append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}">')
    return tags


def _script_json(value: object) -> str:
    # Inside <script type="application/json"> only "</script" or "<!--" could end it early.
    return json.dumps(value).replace("<", "\\u003c")
