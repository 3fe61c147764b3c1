"""The FOI answer's Markdown as an HTML page and as a Word letter: the same text and citations.

Both are made from markdown-it's CommonMark parse of the one Markdown text, so neither can say
more or less than it: HTML through markdown-it's own renderer, Word through python-docx, block
by block (headings, paragraphs, bulleted and numbered items) and run by run (bold, italic).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx import Document as WordDocument
from docx.shared import Pt
from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = MarkdownIt("commonmark")


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """One paragraph of the letter: a heading (level 1-6), a bullet of `depth` 1 or more, an
    item of a numbered list (its number), or plain text (level, depth and number all 0)."""

    runs: list[Run] = field(default_factory=list)
    level: int = 0
    depth: int = 0
    number: int = 0

    @property
    def text(self) -> str:
        prefix = f"{self.number}. " if self.number else ""
        return prefix + "".join(run.text for run in self.runs)


def blocks(markdown: str) -> Iterator[Block]:
    """The letter's paragraphs, in order, with their inline formatting."""
    lists: list[list[int]] = []  # for each open list: [next number] (0 for bullets)
    heading = 0
    item_number = 0
    for token in PARSER.parse(markdown):
        if token.type == "bullet_list_open":
            lists.append([0])
        elif token.type == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            item_number = lists[-1][0]
            if item_number:
                lists[-1][0] += 1
        elif token.type == "heading_open":
            heading = int(token.tag[1])
        elif token.type == "inline":
            depth = sum(1 for opened in lists if not opened[0])
            yield Block(_runs(token), level=heading, depth=depth, number=item_number)
            heading = item_number = 0


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in inline.children or []:
        if child.type == "strong_open" or child.type == "strong_close":
            bold = child.type == "strong_open"
        elif child.type == "em_open" or child.type == "em_close":
            italic = child.type == "em_open"
        elif child.type in ("text", "code_inline", "html_inline"):
            runs.append(Run(child.content, bold, italic))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold, italic))
    return runs


def title_of(markdown: str) -> str:
    return next((block.text for block in blocks(markdown) if block.level == 1), "Answer")


def as_html(markdown: str) -> str:
    """A standalone page: the Markdown rendered by markdown-it, nothing added but its frame."""
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title_of(markdown))}</title>\n</head>\n"
        f"<body>\n<main>\n{PARSER.render(markdown)}</main>\n</body>\n</html>\n"
    )


def as_docx(markdown: str) -> bytes:
    """A Word letter with the same paragraphs, numbers and citations as the Markdown."""
    letter = WordDocument()
    letter.core_properties.title = title_of(markdown)
    for block in blocks(markdown):
        if block.level:
            paragraph = letter.add_heading(level=min(block.level - 1, 9))
        elif block.depth:
            style = "List Bullet" if block.depth == 1 else f"List Bullet {min(block.depth, 3)}"
            paragraph = letter.add_paragraph(style=style)
        else:
            paragraph = letter.add_paragraph()
        if block.number:
            # The number is written out, not left to Word's numbering, so it is exactly the
            # citation number the text uses.
            paragraph.add_run(f"{block.number}. ")
            paragraph.paragraph_format.left_indent = Pt(18)
            paragraph.paragraph_format.first_line_indent = Pt(-18)
        for run in block.runs:
            added = paragraph.add_run(run.text)
            added.bold = run.bold or None
            added.italic = run.italic or None
    buffer = io.BytesIO()
    letter.save(buffer)
    return buffer.getvalue()
