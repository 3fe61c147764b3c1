"""Static files as browsers get them: gzip for text, an ETag, and fingerprinted addresses.

A fingerprint is a hash of a file's bytes. An address that carries it
(/web/dashboard.3f9a1c2b7d0e.js) names those bytes for good, so browsers keep it a year; the
plain address is revalidated each time. Files are read and compressed once per version (size and
modification time), not per request.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from api.web.assets import sri

A_YEAR = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Below this, gzip's header costs more than it saves.
MIN_GZIP_BYTES = 512
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<fingerprint>[0-9a-f]{12})(?P<suffix>\.[a-z]+)$")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    media_type: str
    fingerprint: str
    integrity: str  # the Subresource Integrity value a page may give the browser

    @property
    def etag(self) -> str:
        return f'"{self.fingerprint}"'


def read(path: Path) -> StaticFile:
    stat = path.stat()
    return _read(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _read(path: Path, size: int, mtime_ns: int) -> StaticFile:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    compressible = media_type.startswith(TEXT_TYPES) and len(body) >= MIN_GZIP_BYTES
    return StaticFile(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compressible else None,
        media_type=media_type,
        fingerprint=hashlib.sha256(body).hexdigest()[:12],
        integrity=sri(body),
    )


def fingerprinted(name: str, file: StaticFile) -> str:
    """dashboard.js -> dashboard.3f9a1c2b7d0e.js"""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{file.fingerprint}.{suffix}" if dot else f"{name}.{file.fingerprint}"


def split_fingerprint(name: str) -> tuple[str, str | None]:
    """dashboard.3f9a1c2b7d0e.js -> ("dashboard.js", "3f9a1c2b7d0e"); plain: (name, None)."""
    match = _FINGERPRINTED.match(name)
    if match is None:
        return name, None
    return match["stem"] + match["suffix"], match["fingerprint"]


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, parameters = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def file_response(
    request: Request, file: StaticFile, cache_control: str, headers: dict[str, str]
) -> Response:
    """The file, gzipped when the browser takes it, or 304 when the browser has it already."""
    common = {**headers, "cache-control": cache_control, "etag": file.etag}
    if file.gzipped is not None:
        common["vary"] = "accept-encoding"
    if file.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=common)
    if file.gzipped is not None and _accepts_gzip(request):
        common["content-encoding"] = "gzip"
        return Response(file.gzipped, media_type=file.media_type, headers=common)
    return Response(file.body, media_type=file.media_type, headers=common)
