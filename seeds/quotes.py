"""Finding verbatim quotes in the stored texts of their source documents.

Runs of whitespace count as one space on both sides, because text extracted from a PDF
breaks lines and pages mid-sentence; everything else must match exactly.
"""

from __future__ import annotations

from collections.abc import Mapping


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


class SourceTexts:
    """The stored texts of documents by slug, prepared once for many look-ups."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._collapsed = {slug: collapse_whitespace(text) for slug, text in texts.items()}

    def has_text(self, slug: str) -> bool:
        return slug in self._collapsed

    def contains(self, slug: str, quote: str) -> bool:
        """Whether the document's stored text holds `quote`; call only if it has a text."""
        return collapse_whitespace(quote) in self._collapsed[slug]
