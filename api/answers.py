"""GET /answers/{slug}.md, .html and .docx: the FOI answer to send, as a file.

The text is the GraphQL API's own `consultationAnswer.markdown`, asked for through the schema as
an anonymous reader would ask (so a draft or withdrawn document is not found); the HTML and the
Word letter are made from that text by `api.letters`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from api.graphql import failure
from api.letters import as_docx, as_html
from api.logs import request_id_var
from api.responses import error_response
from api.web.pages import PAGE_HEADERS
from schema.context import Context

NOT_FOUND = "NOT_FOUND"
QUERY = "query($slug: String!) { consultationAnswer(documentSlug: $slug) { markdown } }"
FORMATS: dict[str, tuple[str, Callable[[str], str | bytes]]] = {
    "md": ("text/markdown; charset=utf-8", lambda markdown: markdown),
    "html": ("text/html; charset=utf-8", as_html),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_docx,
    ),
}
FILE = re.compile(r"(?P<slug>[a-z0-9][a-z0-9-]{0,119})\.(?P<format>[a-z]+)")


def answer_endpoint(
    schema: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        found = FILE.fullmatch(request.path_params["file"])
        if found is None or found["format"] not in FORMATS:
            return error_response(
                404,
                "Ask for /answers/SLUG.md, /answers/SLUG.html or /answers/SLUG.docx.",
                NOT_FOUND,
            )
        slug, form = found["slug"], found["format"]
        context = Context(sessionmaker=sessionmaker, request_id=request_id_var.get() or "")
        context.request_id = context.request_id or uuid.uuid4().hex
        result = await schema.execute(QUERY, variable_values={"slug": slug}, context_value=context)
        if result.errors:
            return failure(result.errors[0].original_error or Exception(result.errors[0].message))
        answer = (result.data or {}).get("consultationAnswer")
        if answer is None:
            return error_response(404, f"No published document has the slug '{slug}'.", NOT_FOUND)
        media_type, convert = FORMATS[form]
        headers = dict(PAGE_HEADERS)
        if form == "docx":
            headers["content-disposition"] = f'attachment; filename="{slug}.docx"'
        return Response(convert(answer["markdown"]), media_type=media_type, headers=headers)

    return answer
