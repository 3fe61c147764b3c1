"""Reading a document's text out of the file it was published as: PDF (with its pages), a web
page (its main content), a Word file or plain text."""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path


class SourceFileError(ValueError):
    """A file whose text cannot be read; the message says which and why."""


@dataclass(frozen=True)
class ExtractedText:
    text: str
    content_type: str
    pages: list[int] | None  # the offset each page starts at, for a file with pages


PDF = "application/pdf"
HTML = "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAIN = "text/plain"
KINDS = {".pdf": PDF, ".html": HTML, ".htm": HTML, ".docx": DOCX, ".txt": PLAIN, ".md": PLAIN}


def read_source_file(path: Path) -> ExtractedText:
    """The text of the file at `path`, by its extension; SourceFileError if it has none."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(KINDS))
        raise SourceFileError(f"{path}: cannot read a '{path.suffix}' file (known: {known})")
    if kind == PDF:
        found = _pdf(path)
    elif kind == HTML:
        found = _html(path)
    elif kind == DOCX:
        found = _docx(path)
    else:
        try:
            found = ExtractedText(path.read_text(encoding="utf-8"), PLAIN, None)
        except UnicodeDecodeError as error:
            raise SourceFileError(f"{path}: not UTF-8 text: {error}") from None
    if not found.text.strip():
        raise SourceFileError(f"{path}: no text found in it (a scanned PDF needs OCR first)")
    return found


def _pdf(path: Path) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs each repair it makes to a damaged file; what cannot be read is said below.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise SourceFileError(f"{path}: not a readable PDF: {error}") from None
    starts, parts, at = [], [], 0
    for text in pages:
        starts.append(at)
        # Pages are apart by a blank line, so a paragraph never runs across two in the count.
        part = text.strip("\n") + "\n\n"
        parts.append(part)
        at += len(part)
    return ExtractedText("".join(parts), PDF, starts)


def _html(path: Path) -> ExtractedText:
    import trafilatura

    html = path.read_bytes()
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if text is None:
        raise SourceFileError(f"{path}: no main content found in the page")
    # trafilatura gives one paragraph a line: blank lines between them, as paragraphs are counted.
    return ExtractedText(
        "\n\n".join(line for line in text.splitlines() if line.strip()), HTML, None
    )


def _docx(path: Path) -> ExtractedText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, KeyError) as error:
        raise SourceFileError(f"{path}: not a readable Word file: {error}") from None
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    return ExtractedText("\n\n".join(paragraphs), DOCX, None)
