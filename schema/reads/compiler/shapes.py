"""The plan of a compiled query: a tree of what each response key holds, and the parameters
the SQL takes (each a value the request gives, literally or through a variable)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphql import FieldNode, GraphQLField

from db import models
from schema.reads.compiler.fields import Reads


@dataclass(frozen=True)
class Param:
    """A SQL parameter: the value of `argument` of `field` at `node` (a literal, a variable or
    the default), checked as `kind` asks before the statement runs."""

    name: str
    kind: Literal["first", "after", "text"]
    field: GraphQLField
    node: FieldNode
    argument: str


@dataclass(frozen=True)
class Scalar:
    key: str
    column: str
    boolean: bool  # SQLite stores 0 and 1


@dataclass(frozen=True)
class Constant:
    """`__typename`."""

    key: str
    value: str


@dataclass(frozen=True)
class GlobalId:
    """`id`: the opaque global id of the row (schema.ids)."""

    key: str
    type_name: str


@dataclass(frozen=True)
class Link:
    """A relation read as its field's metadata says (`one` or `many`); a `many` answers at
    most `limit` rows, its field's bound (schema.reads.bounds), when it has one."""

    key: str
    model: type[models.Base]
    reads: Reads
    shape: Shape
    limit: int | None = None


PagePart = Literal[
    "totalCount",
    "nodes",
    "edges",
    "pageInfo",
    "cursor",
    "node",
    "hasNextPage",
    "hasPreviousPage",
    "startCursor",
    "endCursor",
]


@dataclass(frozen=True)
class Part:
    """A field of a connection, an edge or a page info: `shape` for nodes, `parts` for the
    edges and page info, `value` for a `__typename`."""

    key: str
    kind: PagePart | Literal["typename"]
    shape: Shape = ()
    parts: tuple[Part, ...] = ()
    value: str = ""


@dataclass(frozen=True)
class Page:
    """A connection: a page of visible rows in id order, after the cursor `after`."""

    key: str
    model: type[models.Base]
    parent_column: str | None  # None at the root: every visible row of the model
    first: Param
    after: Param
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Lookup:
    """The visible row with this slug, or null; for organisations, a merged-away slug leads to
    the survivor."""

    key: str
    model: type[models.Base]
    slug: Param
    redirects: bool
    shape: Shape


@dataclass(frozen=True)
class Matrix:
    """`coverageMatrix(first:)` over every visible document that is more than a source of
    evidence (db.coverage.SOURCE_ONLY_KINDS) and every group, as asked:
    `parts` are (response key, "totalCount" | "columns" | "rows" | "pageInfo" |
    "__typename"); `rows` and
    `cells` are the (key, field) pairs of a row and of a cell."""

    key: str
    first: Param
    after: Param
    parts: tuple[tuple[str, str], ...]
    columns: Shape = ()
    rows: tuple[tuple[str, str], ...] = ()  # (key, "document" | "cells")
    document: Shape = ()
    cells: tuple[tuple[str, str], ...] = ()  # (key, status|expected|gap|organisationCount|group)
    group: Shape = ()
    page_info: tuple[Part, ...] = ()
    typenames: tuple[tuple[str, str], ...] = ()  # (the level: matrix, row, cell; its type name)


Field = Scalar | Constant | GlobalId | Link | Page | Lookup | Matrix
Shape = tuple[Field, ...]
