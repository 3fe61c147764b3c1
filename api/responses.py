"""JSON responses encoded with orjson."""

from typing import Any

import orjson
from starlette.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_response(status: int, message: str, code: str, **extensions: object) -> OrjsonResponse:
    """An error shaped like a GraphQL response, for failures before any query runs."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return OrjsonResponse(body, status)
