"""The browser pages: GraphiQL (from local files, saved questions open) and the dashboard.

Every page is sent with a Content-Security-Policy that allows only this origin, so a page
cannot reach the internet even by mistake, and no inline script runs. Pages and their files
are made from files alone: they never wait on the database.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from starlette.responses import HTMLResponse

from api.web.assets import DASHBOARD, GRAPHIQL, INSTALL_COMMAND, Package, for_pages, missing
from api.web.files import fingerprinted, read
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
FILE_HEADERS = {"x-content-type-options": "nosniff"}
PAGE_HEADERS = {
    **FILE_HEADERS,
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    # A page names its files by fingerprint: a fresh page after an upgrade fetches the new ones.
    "cache-control": "no-cache",
}


def graphiql_page(assets_dir: Path) -> HTMLResponse:
    """GraphiQL with the saved questions as tabs, or how to install it if its files are absent."""
    lock = for_pages(GRAPHIQL)
    absent = missing(assets_dir, lock)
    if absent:
        names = ", ".join(f"{package.name}@{package.version}" for package in absent)
        page = _template("assets-missing.html").substitute(
            missing=html.escape(names), command=html.escape(INSTALL_COMMAND)
        )
        return HTMLResponse(page, status_code=503, headers=PAGE_HEADERS)
    page = _template("graphiql.html").substitute(
        styles="\n".join([*_tags(lock, ".css"), _own_tag("graphiql.css")]),
        scripts="\n".join([*_tags(lock, ".js"), _own_tag("graphiql.js")]),
        saved=_script_json([question.as_json() for question in saved_questions()]),
    )
    return HTMLResponse(page, headers=PAGE_HEADERS)


def dashboard_page(assets_dir: Path, vocabulary: dict[str, dict[str, object]]) -> HTMLResponse:
    """The dashboard, with the schema's vocabulary inlined; without D3's files it still shows
    every table and list, and says how to install them for the pictures."""
    lock = for_pages(DASHBOARD)
    installed = lock if not missing(assets_dir, lock) else ()
    scripts = [
        *_tags(installed, ".js", defer=True),
        _own_tag("pictures.js"),
        _own_tag("dashboard.js"),
    ]
    page = _template("dashboard.html").substitute(
        styles=_own_tag("footprint.css"),
        scripts="\n".join(scripts),
        vocabulary=_script_json(vocabulary),
    )
    return HTMLResponse(page, headers=PAGE_HEADERS)


def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _tags(lock: tuple[Package, ...], suffix: str, *, defer: bool = False) -> list[str]:
    """<script> or <link> tags in lock order (react before react-dom before graphiql)."""
    return [
        _tag(package.url(path), integrity, defer=defer)
        for package in lock
        for path, integrity in package.files.items()
        if path.endswith(suffix)
    ]


def _own_tag(name: str) -> str:
    """A tag for one of our files in static/, by its fingerprinted address (kept a year)."""
    file = read(STATIC / name)
    return _tag(f"/web/{fingerprinted(name, file)}", file.integrity, defer=True)


def _tag(url: str, integrity: str, *, defer: bool) -> str:
    url = html.escape(url)
    if url.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{integrity}">'
    return f'<script src="{url}" integrity="{integrity}"{" defer" if defer else ""}></script>'


def _script_json(value: object) -> str:
    # Inside <script type="application/json"> only "</script" or "<!--" could end it early.
    return json.dumps(value).replace("<", "\\u003c")
