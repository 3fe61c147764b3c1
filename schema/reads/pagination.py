"""Relay-style connections: `first` 1..100, opaque cursors, totalCount, edges and nodes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from db.queries import Page
from schema.errors import UserInputError
from schema.ids import decode_cursor, encode_cursor
from schema.reads.bounds import within_page

DEFAULT_PAGE = 20
MAX_PAGE = 100

NodeT = TypeVar("NodeT")
Row = TypeVar("Row")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    page_info: PageInfo
    edges: list[Edge[NodeT]] = strawberry.field(extensions=[within_page()])
    nodes: list[NodeT] = strawberry.field(extensions=[within_page()])
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match in all, not just on this page.")
    async def total_count(self) -> int:
        return await self.counter()


def page_arguments(first: int | None, after: str | None) -> tuple[int, int | None]:
    """Check `first` (null means the default) and decode `after`, or raise BAD_USER_INPUT."""
    if first is None:
        first = DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise UserInputError(f"first must be between 1 and {MAX_PAGE}; it was {first}.")
    return first, decode_cursor(after)


def page_info(page: Page[Row], key: Callable[[Row], int], after: int | None) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        # Pages only go forward: anything before `after` is the previous page.
        has_previous_page=after is not None,
        start_cursor=encode_cursor(key(page.rows[0])) if page.rows else None,
        end_cursor=encode_cursor(key(page.rows[-1])) if page.rows else None,
    )


def connection(
    page: Page[Row],
    node: Callable[[Row], NodeT],
    key: Callable[[Row], int],
    counter: Callable[[], Awaitable[int]],
    after: int | None,
) -> Connection[NodeT]:
    edges = [Edge(cursor=encode_cursor(key(row)), node=node(row)) for row in page.rows]
    return Connection(
        page_info=page_info(page, key, after),
        edges=edges,
        nodes=[edge.node for edge in edges],
        counter=counter,
    )
