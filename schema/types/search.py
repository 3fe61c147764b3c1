"""Search across the register: document titles and texts, principles, organisation names and
aliases, and evidence quotes, ranked, with the text around each match."""

from collections.abc import Callable
from typing import Any

import strawberry

from db import models
from db.queries import Page
from db.search import (
    CANDIDATES,
    SNIPPET_START,
    SNIPPET_STOP,
    Match,
    SearchField,
    search,
    search_terms,
)
from schema.context import Info, loaders
from schema.errors import UserInputError
from schema.ids import encode_cursor
from schema.reads.bounds import within_page
from schema.reads.pagination import DEFAULT_PAGE, Edge, PageInfo, page_arguments, page_info
from schema.reads.resolve import required
from schema.types.consultations import Evidence
from schema.types.enums import define
from schema.types.node import Node
from schema.types.query import NODE_TYPES

MAX_SEARCH_TEXT = 200

define(
    SearchField,
    "Which field of a record a search matched.",
    {
        SearchField.TITLE: "A document's title.",
        SearchField.TEXT: "A document's stored full text.",
        SearchField.PRINCIPLE: "A principle's title or text.",
        SearchField.NAME: "An organisation's name.",
        SearchField.ALIAS: "Another name of an organisation.",
        SearchField.QUOTE: "An evidence quote.",
    },
)

FROM_ROW: dict[type[models.Base], Callable[[Any], Node]] = dict(NODE_TYPES.values())


@strawberry.type(description="A record that matched a search: where, how well, and in what words.")
class SearchHit:
    snippet: str = strawberry.field(
        description=f"The matched text around the match, each matched word marked "
        f"{SNIPPET_START}like this{SNIPPET_STOP}. Long texts are cut to a passage or two."
    )
    matched_in: SearchField = strawberry.field(
        description="The field of the best match: a document's TITLE or TEXT, a PRINCIPLE, an "
        "organisation's NAME or ALIAS, or an evidence QUOTE."
    )
    rank: float = strawberry.field(
        description="How well it matched: higher is better. Compare it only within one search."
    )
    match: strawberry.Private[Match]

    @classmethod
    def from_match(cls, match: Match) -> "SearchHit":
        return cls(snippet=match.snippet, matched_in=match.field, rank=match.rank, match=match)

    @strawberry.field(
        description="What matched: a Document (title or text), Principle, Organisation (name "
        "or alias); for an evidence quote, the claim it backs: its Consultation, the Principle "
        "an influence is on, or else the Document the claim is about. A record is one hit, "
        "however many of its fields match."
    )
    async def node(self, info: Info) -> Node:
        row = await required(loaders(info).by_id(self.match.node), self.match.node_id)
        return FROM_ROW[self.match.node](row)

    @strawberry.field(
        description="The evidence whose quote matched; null unless matchedIn is QUOTE."
    )
    async def evidence(self, info: Info) -> Evidence | None:
        if self.match.field is not SearchField.QUOTE:
            return None
        row = await required(loaders(info).by_id(models.Evidence), self.match.ref_id)
        return Evidence.from_row(row)


@strawberry.type(description="Search hits, best first.")
class SearchResultConnection:
    total_count: int = strawberry.field(
        description="How many records match in all, not just on this page; when approximate, "
        "how many were found among the matches ranked (about this many, or more)."
    )
    approximate: bool = strawberry.field(
        description="True when the words match so much that only the first "
        f"{CANDIDATES} matches were ranked: the hits are the best of those, and totalCount "
        'reads "about N results".'
    )
    page_info: PageInfo
    edges: list[Edge[SearchHit]] = strawberry.field(extensions=[within_page()])
    nodes: list[SearchHit] = strawberry.field(extensions=[within_page()])


def checked_text(text: str) -> str:
    """The search text, or BAD_USER_INPUT if there is nothing to search for or too much."""
    if not text.strip():
        raise UserInputError("Search text must not be empty.")
    if len(text) > MAX_SEARCH_TEXT:
        raise UserInputError(
            f"Search text must be at most {MAX_SEARCH_TEXT} characters; it was {len(text)}."
        )
    if not search_terms(text):
        raise UserInputError("Search text must contain a word or a number.")
    return text


@strawberry.type
class SearchQuery:
    """Full-text search."""

    @strawberry.field(
        description="Records whose words match `text`, best first. Every word must match, in "
        'any form ("judgement" finds "judgements"); "words in double quotes" match as a '
        "phrase. Nothing else is an operator."
    )
    async def search(
        self,
        info: Info,
        text: str,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
    ) -> SearchResultConnection:
        first, after_key = page_arguments(first, after)
        text = checked_text(text)
        # The cursor is a hit's place in the ranked list: the next page starts after it.
        offset = after_key or 0
        found = await loaders(info).read(
            lambda session: search(session, text, limit=first, offset=offset)
        )
        page = Page(list(enumerate(found.matches, start=offset + 1)), found.has_next)
        edges = [
            Edge(cursor=encode_cursor(place), node=SearchHit.from_match(match))
            for place, match in page.rows
        ]
        return SearchResultConnection(
            total_count=found.total,
            approximate=found.approximate,
            page_info=page_info(page, lambda row: row[0], after_key),
            edges=edges,
            nodes=[edge.node for edge in edges],
        )
