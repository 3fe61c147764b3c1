"""The compiled path: reader queries of a known shape answered by one SQL statement.

Field-by-field execution pays a resolver call for every object of every list; for the heaviest
reads (a hundred documents with their principles and who shaped them: thousands of objects)
that is most of the time. A query made only of the fields below (plain columns and the
relations between documents, principles, influences, organisations and consultations; no
variables, fragments, directives or __typename) is instead turned into one PostgreSQL statement
that builds the response body itself (`db.json_reads`). Anything else, any error, SQLite, and
every request with a token go the ordinary way; so do queries that fail validation, which then
get their usual errors. Plans are cached per query text, in a bounded cache.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
)

from db import models
from db.json_reads import (
    BySlug,
    Connection,
    Field,
    Many,
    Matrix,
    One,
    Scalar,
    Shape,
    json_statement,
)
from schema.reads.bounds import list_bound
from schema.reads.limits import QueryLimits, check_operation, parsed, validated
from schema.reads.pagination import DEFAULT_PAGE, MAX_PAGE

# GraphQL field -> column, for each type's plain fields that the compiled path answers.
SCALARS: dict[str, dict[str, str]] = {
    "Document": {
        "slug": "slug",
        "title": "title",
        "kind": "kind",
        "formality": "formality",
        "publishedOn": "published_on",
        "publishedPrecision": "published_precision",
        "reviewDueOn": "review_due_on",
        "reviewDuePrecision": "review_due_precision",
        "url": "url",
        "summary": "summary",
        "version": "version",
        "published": "published",
    },
    "Principle": {"position": "position", "title": "title", "text": "text", "version": "version"},
    "Influence": {"effect": "effect", "summary": "summary", "version": "version"},
    "Organisation": {
        "slug": "slug",
        "name": "name",
        "named": "named",
        "description": "description",
        "url": "url",
        "version": "version",
        "published": "published",
    },
    "Consultation": {
        "role": "role",
        "summary": "summary",
        "version": "version",
        "published": "published",
    },
}


@dataclass(frozen=True)
class Link:
    """A relation field: its kind, the model it reaches and the GraphQL type of that model."""

    kind: type[One] | type[Many] | type[Connection]
    model: type[models.Base]
    type_name: str
    column: str  # the foreign key: on the parent for One, on the child otherwise
    order_by: tuple[str, ...] = ("id",)


# Only relations whose target is visible whenever the parent is (so never a null the
# field-by-field path would answer with an error instead), in the order the resolvers use.
LINKS: dict[str, dict[str, Link]] = {
    "Document": {
        "principles": Link(Many, models.Principle, "Principle", "document_id", ("position",)),
        "consultations": Link(Connection, models.Consultation, "Consultation", "document_id"),
    },
    "Principle": {
        "document": Link(One, models.Document, "Document", "document_id"),
        "shapedBy": Link(Many, models.Influence, "Influence", "principle_id"),
    },
    "Influence": {
        "organisation": Link(One, models.Organisation, "Organisation", "organisation_id"),
        "principle": Link(One, models.Principle, "Principle", "principle_id"),
    },
    "Organisation": {
        "consultations": Link(Connection, models.Consultation, "Consultation", "organisation_id"),
        "influences": Link(Many, models.Influence, "Influence", "organisation_id"),
    },
    "Consultation": {
        "document": Link(One, models.Document, "Document", "document_id"),
        "organisation": Link(One, models.Organisation, "Organisation", "organisation_id"),
    },
}

ROOT_LISTS: dict[str, tuple[type[models.Base], str]] = {"documents": (models.Document, "Document")}
ROOT_LOOKUPS: dict[str, tuple[type[models.Base], str]] = {
    "document": (models.Document, "Document"),
    "organisation": (models.Organisation, "Organisation"),
}
SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")
CACHE_SIZE = 256
# Bounds of their own until the query limits see compiled queries too: deeper or wider
# queries take the usual path, where the limits apply.
MAX_DEPTH = 6
MAX_RELATIONS = 24


class NotCompiled(Exception):
    """The query uses something the compiled path does not answer."""


def _arguments(node: FieldNode) -> dict[str, object]:
    found: dict[str, object] = {}
    for argument in node.arguments or ():
        value = argument.value
        if isinstance(value, IntValueNode):
            found[argument.name.value] = int(value.value)
        elif isinstance(value, StringValueNode):
            found[argument.name.value] = value.value
        else:
            raise NotCompiled
    return found


def _fields(node: FieldNode | OperationDefinitionNode) -> list[FieldNode]:
    if node.selection_set is None:
        raise NotCompiled
    fields = []
    keys = set()
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise NotCompiled
        key = selection.alias.value if selection.alias else selection.name.value
        if key in keys:
            raise NotCompiled  # two fields under one key are merged by GraphQL's rules
        keys.add(key)
        fields.append(selection)
    return fields


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _first(arguments: dict[str, object]) -> int:
    first = arguments.pop("first", DEFAULT_PAGE)
    if arguments or not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        raise NotCompiled  # `after`, a filter, or a page size the resolver refuses
    return first


def _connection(node: FieldNode, link: Link, parent_key: str | None) -> Connection:
    first = _first(_arguments(node))
    parts: list[tuple[str, str]] = []
    shape: Shape = ()
    for field in _fields(node):
        name = field.name.value
        if name == "totalCount" and not field.arguments and field.selection_set is None:
            parts.append((_key(field), "totalCount"))
        elif name == "nodes" and not field.arguments and shape == ():
            shape = _shape(field, link.type_name)
            parts.append((_key(field), "nodes"))
        else:
            raise NotCompiled
    return Connection(_key(node), link.model, parent_key, first, tuple(parts), shape)


def _field(node: FieldNode, type_name: str) -> Field:
    name = node.name.value
    column = SCALARS[type_name].get(name)
    if column is not None:
        if node.arguments or node.selection_set is not None:
            raise NotCompiled
        return Scalar(_key(node), column)
    link = LINKS[type_name].get(name)
    if link is None:
        raise NotCompiled
    if link.kind is Connection:
        return _connection(node, link, link.column)
    if node.arguments:
        raise NotCompiled
    shape = _shape(node, link.type_name)
    if link.kind is One:
        return One(_key(node), link.model, link.column, shape)
    return Many(_key(node), link.model, link.column, link.order_by, shape, _most(type_name, name))


@cache
def _most(type_name: str, name: str) -> int | None:
    """The list field's declared bound (`schema.reads.bounds`): its default `first`."""
    from schema import build_schema

    parent = build_schema(policies=False)._schema.get_type(type_name)
    field = parent.fields[name] if isinstance(parent, GraphQLObjectType) else None
    bound = list_bound(field) if field is not None else None
    return bound.maximum if bound is not None else None


def _shape(node: FieldNode, type_name: str) -> Shape:
    return tuple(_field(field, type_name) for field in _fields(node))


def _relations(shape: Shape, depth: int = 1) -> int:
    """How many relations `shape` reads; NotCompiled beyond MAX_DEPTH levels."""
    count = 0
    for field in shape:
        if isinstance(field, Scalar):
            continue
        if depth > MAX_DEPTH:
            raise NotCompiled
        count += 1 if isinstance(field, Matrix) else 1 + _relations(field.shape, depth + 1)
    return count


GROUP_SCALARS = {"slug": "slug", "name": "name", "description": "description", "version": "version"}
CELL_FIELDS = {"status", "expected", "gap", "organisationCount"}


def _scalar_shape(node: FieldNode, columns: dict[str, str]) -> tuple[Scalar, ...]:
    shape = []
    for field in _fields(node):
        column = columns.get(field.name.value)
        if column is None or field.arguments or field.selection_set is not None:
            raise NotCompiled
        shape.append(Scalar(_key(field), column))
    return tuple(shape)


def _matrix(node: FieldNode) -> Matrix:
    """coverageMatrix(first:) without a filter, chosen groups or a cursor."""
    first = _first(_arguments(node))
    parts: list[tuple[str, str]] = []
    rows: list[tuple[str, str]] = []
    cells: list[tuple[str, str]] = []
    columns: tuple[Scalar, ...] = ()
    document: tuple[Scalar, ...] = ()
    group: tuple[Scalar, ...] = ()
    for field in _fields(node):
        name = field.name.value
        if field.arguments or (name == "totalCount") != (field.selection_set is None):
            raise NotCompiled
        if name == "columns" and not columns:
            columns = _scalar_shape(field, GROUP_SCALARS)
        elif name == "rows" and not rows:
            for row_field in _fields(field):
                part = row_field.name.value
                if part == "document" and not document:
                    document = _scalar_shape(row_field, SCALARS["Document"])
                elif part == "cells" and not cells:
                    for cell in _fields(row_field):
                        kind = cell.name.value
                        if kind == "group" and not group:
                            group = _scalar_shape(cell, GROUP_SCALARS)
                        elif kind not in CELL_FIELDS or cell.selection_set or cell.arguments:
                            raise NotCompiled
                        cells.append((_key(cell), kind))
                    if not cells:
                        raise NotCompiled
                else:
                    raise NotCompiled
                rows.append((_key(row_field), part))
        elif name != "totalCount":
            raise NotCompiled
        parts.append((_key(field), name))
    return Matrix(
        _key(node),
        first,
        tuple(parts),
        columns,
        tuple(rows),
        document,
        tuple(cells),
        group,
    )


def _root(node: FieldNode) -> Field:
    name = node.name.value
    if name == "coverageMatrix":
        return _matrix(node)
    if name in ROOT_LISTS:
        model, type_name = ROOT_LISTS[name]
        return _connection(node, Link(Connection, model, type_name, ""), None)
    if name in ROOT_LOOKUPS:
        model, type_name = ROOT_LOOKUPS[name]
        arguments = _arguments(node)
        slug = arguments.pop("slug", None)
        if arguments or not isinstance(slug, str) or not SAFE_SLUG.fullmatch(slug):
            raise NotCompiled
        return BySlug(_key(node), model, slug, _shape(node, type_name))
    raise NotCompiled


def _operation(document: DocumentNode) -> OperationDefinitionNode:
    if len(document.definitions) != 1:
        raise NotCompiled
    (operation,) = document.definitions
    if (
        not isinstance(operation, OperationDefinitionNode)
        or operation.operation is not OperationType.QUERY
        or operation.variable_definitions
        or operation.directives
    ):
        raise NotCompiled
    return operation


@dataclass(frozen=True)
class CompiledQuery:
    """The one statement answering a query, and the query's name for logs and metrics."""

    sql: str
    operation: str | None


def plan(
    schema: GraphQLSchema, query: str, limits: QueryLimits | None = None
) -> CompiledQuery | None:
    """The SQL answering `query`, or None if it is not for the compiled path (a query breaking
    one of the `limits` among them: the usual path refuses it with its code)."""
    limits = limits or QueryLimits()
    try:
        document = parsed(query, limits)
        operation = _operation(document)
        # The limits first: a query over one is refused by the usual path without being
        # validated; a valid one is validated once, for both paths (one shared cache).
        if check_operation(schema, operation, {}, {}, limits):
            return None
        if validated(schema, document, limits):
            return None
        root = tuple(_root(field) for field in _fields(operation))
        if _relations(root) > MAX_RELATIONS:
            return None
    except (GraphQLError, NotCompiled):
        return None
    name = operation.name.value if operation.name else None
    return CompiledQuery(json_statement(root), name)


def compiled_request(body: bytes) -> str | None:
    """The query of a POST body the compiled path may answer: a query without variables,
    operation name or extensions. None for anything else, malformed bodies included."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not set(data) <= {"query", "variables", "operationName"}:
        return None
    query = data.get("query")
    if not isinstance(query, str) or data.get("variables") or data.get("operationName"):
        return None
    return query


class Plans:
    """`plan` with a bounded cache per query text (the misses cached too)."""

    def __init__(
        self, schema: GraphQLSchema, limits: QueryLimits | None = None, size: int = CACHE_SIZE
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.size = size
        self._cache: OrderedDict[str, CompiledQuery | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, query: str) -> CompiledQuery | None:
        if query in self._cache:
            self._cache.move_to_end(query)
            return self._cache[query]
        found = plan(self.schema, query, self.limits)
        self._cache[query] = found
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found
