"""Finding verbatim quotes in the stored texts of their source documents: the one matcher.

Matching forgives typography only: curly and straight quotes, the kinds of dash, runs of
whitespace and line breaks, soft hyphens, ligatures, and a word hyphenated across a line
break (or a hyphen inside a word, which the same word broken across a line leaves behind).
Letters, words, case and punctuation otherwise must match exactly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from db.enums import VerificationStatus

K = TypeVar("K", bound=Hashable)

# Characters read as another: quotes, dashes, ligatures and the ellipsis PDFs and web pages use.
_SAME_AS = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\u2026": "...",
}
# Characters that are not there at all: the soft hyphen and zero-width spaces and joiners.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def text_sha256(text: str) -> str:
    """The hex SHA-256 of a text's UTF-8 bytes: which text a quote was checked against."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Normalised:
    """A text as the matcher compares it, with the offset in the original of each character."""

    text: str
    offsets: list[int]


def normalise(text: str) -> Normalised:
    """`text` with typography folded (see the module), each character mapped to its origin."""
    chars: list[str] = []
    offsets: list[int] = []
    space_at: int | None = None
    for at, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        if char.isspace():
            if chars and space_at is None:
                space_at = at
            continue
        if space_at is not None:
            chars.append(" ")
            offsets.append(space_at)
            space_at = None
        for folded in _SAME_AS.get(char, char):
            chars.append(folded)
            offsets.append(at)
    # A hyphen between two letters, or between a letter and a line break before a lower-case
    # letter, is the same word hyphenated (or broken across a line): leave it out.
    keep = [True] * len(chars)
    for i, char in enumerate(chars):
        if char != "-" or i == 0 or not chars[i - 1].isalpha() or i + 1 >= len(chars):
            continue
        after = chars[i + 1]
        if after.isalpha():
            keep[i] = False
        elif (
            after == " "
            and i + 2 < len(chars)
            and chars[i + 2].islower()
            and "\n" in text[offsets[i + 1] : offsets[i + 2]]
        ):
            keep[i] = keep[i + 1] = False
    return Normalised(
        "".join(c for c, k in zip(chars, keep, strict=True) if k),
        [o for o, k in zip(offsets, keep, strict=True) if k],
    )


def find_in(text: Normalised, quote: str) -> tuple[int, int] | None:
    """The offsets in the original text, [start, end), where `quote` is first found."""
    wanted = normalise(quote).text.strip()
    at = text.text.find(wanted) if wanted else -1
    if at < 0:
        return None
    return text.offsets[at], text.offsets[at + len(wanted) - 1] + 1


def joined(parts: Normalised, length: int, passage: str) -> tuple[Normalised, int]:
    """`parts` (normalised text `length` characters long) with `passage` after a blank line, as
    `normalise` would give the whole: for a text built a passage at a time."""
    more = normalise(passage)
    if not length:
        return more, len(passage)
    start = length + 2
    return (
        Normalised(
            parts.text + " " + more.text,
            [*parts.offsets, length, *(offset + start for offset in more.offsets)],
        ),
        start + len(passage),
    )


@dataclass(frozen=True)
class Match:
    """Where a quote was found: offsets into the stored text, its page (1-based; None for a
    text without pages) and paragraph on that page (1-based)."""

    start: int
    end: int
    page: int | None
    paragraph: int

    @property
    def locator(self) -> str:
        """e.g. "page 12, paragraph 3", for evidence given without a locator."""
        if self.page is None:
            return f"paragraph {self.paragraph}"
        return f"page {self.page}, paragraph {self.paragraph}"


class StoredText:
    """One stored text, normalised once for many quotes."""

    def __init__(self, text: str, pages: Sequence[int] | None = None) -> None:
        self.text = text
        self.pages = list(pages) if pages else None  # the offset each page starts at
        self._normalised: Normalised | None = None

    def find(self, quote: str) -> Match | None:
        """Where `quote` first appears in the text, forgiving typography only; None if not."""
        if self._normalised is None:
            self._normalised = normalise(self.text)
        found = find_in(self._normalised, quote)
        if found is None:
            return None
        start, end = found
        page, page_start = None, 0
        if self.pages:
            index = bisect.bisect_right(self.pages, start) - 1
            page, page_start = index + 1, self.pages[max(index, 0)]
        return Match(start, end, page, _paragraph(self.text, page_start, start))


def _paragraph(text: str, since: int, at: int) -> int:
    """The number of the paragraph `at` falls in, counted from offset `since`: paragraphs are
    separated by blank lines."""
    return len(_PARAGRAPH_BREAK.findall(text[since:at].lstrip())) + 1


class SourceTexts(Generic[K]):
    """The stored texts of documents by key (a slug or an id), prepared once for many quotes."""

    def __init__(self, texts: Mapping[K, StoredText | str]) -> None:
        self._texts = {
            key: text if isinstance(text, StoredText) else StoredText(text)
            for key, text in texts.items()
        }

    def has_text(self, key: K) -> bool:
        return key in self._texts

    def find(self, key: K, quote: str) -> Match | None:
        """Where `quote` is in the stored text of `key`; call only if it has a text."""
        return self._texts[key].find(quote)

    def contains(self, key: K, quote: str) -> bool:
        return self.find(key, quote) is not None


# The columns of a quote its source's current text does not hold.
MISMATCHED: dict[str, Any] = {
    "verification": VerificationStatus.MISMATCH,
    "match_start": None,
    "match_end": None,
    "page": None,
}


def verification(
    stored: StoredText | None, quote: str, url: str | None, read_on: dt.date | None
) -> dict[str, Any] | None:
    """The verification columns of a new quote: VERIFIED where the source's stored text holds it
    (with where, and `filled_locator` for a blank locator), UNVERIFIED with where it was read
    where no text is stored; None where the stored text does not hold it."""
    if stored is None:
        return {
            "verification": VerificationStatus.UNVERIFIED,
            "match_start": None,
            "match_end": None,
            "page": None,
            "url": url,
            "read_on": read_on,
        }
    match = stored.find(quote)
    if match is None:
        return None
    return {
        "verification": VerificationStatus.VERIFIED,
        "match_start": match.start,
        "match_end": match.end,
        "page": match.page,
        "url": url,
        "read_on": read_on,
        "filled_locator": match.locator,
    }
