"""Compiled reads: a whole GraphQL answer built by PostgreSQL in one statement.

`schema.reads.compiled` describes what a query asks for as a tree of `Shape`s; `json_statement`
turns the tree into one SELECT whose single value is the response body's JSON text, built with
json_build_object and json_agg. Every table it reads carries the readers' visibility rules
(`db.visibility.visible`), so it sees exactly what the field-by-field path sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from db.coverage import gap_case_sql, not_source_only_sql, roles_sql, status_case_sql
from db.models import Base
from db.visibility import Audience, visible

READERS = Audience.READERS


@dataclass(frozen=True)
class Scalar:
    """A column, answered under `key`."""

    key: str
    column: str


@dataclass(frozen=True)
class One:
    """The row the parent's `foreign_key` points at (visible whenever the parent is)."""

    key: str
    model: type[Base]
    foreign_key: str
    shape: Shape


@dataclass(frozen=True)
class Many:
    """The visible rows whose `parent_key` is the parent's id, ordered by `order_by`: the
    first `limit` of them (the list field's bound), or all when `limit` is None."""

    key: str
    model: type[Base]
    parent_key: str
    order_by: tuple[str, ...]
    shape: Shape
    limit: int | None = None


@dataclass(frozen=True)
class Connection:
    """A page of visible rows in id order, as {totalCount, nodes} under the asked keys."""

    key: str
    model: type[Base]
    parent_key: str | None  # None at the root: every row of the model
    first: int
    fields: tuple[tuple[str, str], ...]  # (response key, "totalCount" | "nodes")
    shape: Shape  # of each node


@dataclass(frozen=True)
class BySlug:
    """The visible row with this slug, or null (root lookups)."""

    key: str
    model: type[Base]
    slug: str
    shape: Shape


def _object(row: Any, shape: Shape) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for field in shape:
        arguments += [literal(field.key), _value(row, field)]
    return func.json_build_object(*arguments)


def _rows(model: type[Base], parent_key: str | None, parent: Any) -> Any:
    entity: Any = aliased(model)
    # Read from a visible parent, the link to it needs no second check.
    statement = select(entity).where(visible(entity, READERS, through=parent_key))
    if parent_key is not None:
        statement = statement.where(getattr(entity, parent_key) == parent.id).correlate(parent)
    return entity, statement


def _list(items: Any) -> ColumnElement[Any]:
    return func.coalesce(items, cast(literal("[]"), postgresql.JSON))


def _value(row: Any, field: Field) -> Any:
    if isinstance(field, Scalar):
        return getattr(row, field.column)
    if isinstance(field, One):
        entity: Any = aliased(field.model)
        return (
            select(_object(entity, field.shape))
            .where(entity.id == getattr(row, field.foreign_key), visible(entity, READERS))
            .scalar_subquery()
        )
    if isinstance(field, Many):
        entity, statement = _rows(field.model, field.parent_key, row)
        order = [getattr(entity, name) for name in field.order_by]
        if field.limit is None:
            aggregate = func.json_agg(aggregate_order_by(_object(entity, field.shape), *order))
            return statement.with_only_columns(_list(aggregate)).scalar_subquery()
        # LATERAL, as for a connection's page: the limit applies per parent row.
        page = statement.order_by(*order).limit(field.limit).lateral()
        item: Any = aliased(field.model, page)
        in_order = [getattr(item, name) for name in field.order_by]
        aggregate = func.json_agg(aggregate_order_by(_object(item, field.shape), *in_order))
        return select(_list(aggregate)).select_from(page).scalar_subquery()
    if isinstance(field, Connection):
        return _connection(field, row)
    if isinstance(field, Matrix):
        return literal_column(matrix_statement(field))
    entity, statement = _rows(field.model, None, None)
    return (
        statement.with_only_columns(_object(entity, field.shape))
        .where(entity.slug == field.slug)
        .scalar_subquery()
    )


def _connection(field: Connection, parent: Any) -> ColumnElement[Any]:
    entity, statement = _rows(field.model, field.parent_key, parent)
    arguments: list[Any] = []
    for key, part in field.fields:
        if part == "totalCount":
            value: Any = statement.with_only_columns(func.count()).scalar_subquery()
        else:
            # LATERAL: the page refers to the parent row of the enclosing query.
            page = statement.order_by(entity.id).limit(field.first).lateral()
            node: Any = aliased(field.model, page)
            aggregate = func.json_agg(aggregate_order_by(_object(node, field.shape), node.id))
            value = select(_list(aggregate)).select_from(page).scalar_subquery()
        arguments += [literal(key), value]
    return func.json_build_object(*arguments)


def json_statement(shape: Shape) -> str:
    """The SQL text of one statement answering `{"data": {...}}` for the root `shape`."""
    data = func.json_build_object(
        literal("data"),
        func.json_build_object(
            *(part for field in shape for part in (literal(field.key), _value(None, field)))
        ),
    )
    statement = select(cast(data, Text))
    compiled = statement.compile(
        dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
        compile_kwargs={"literal_binds": True},
    )
    return str(compiled)


# ---------------------------------------------------------------- the coverage matrix


@dataclass(frozen=True)
class Matrix:
    """`coverageMatrix(first:)` over every visible document that is more than a source of
    evidence (db.coverage.SOURCE_ONLY_KINDS) and every group, as asked:
    `parts` are (response key, "totalCount" | "columns" | "rows"); `rows` and `cells` are the
    (key, field) pairs of a row and of a cell; group and document fields are Scalars."""

    key: str
    first: int
    parts: tuple[tuple[str, str], ...]
    columns: tuple[Scalar, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()  # (key, "document" | "cells")
    document: tuple[Scalar, ...] = ()
    cells: tuple[tuple[str, str], ...] = ()  # (key, status|expected|gap|organisationCount|group)
    group: tuple[Scalar, ...] = ()


def _shown(alias: str) -> str:
    # db.visibility's rule for readers, for tables without parents (or read through them).
    return f"{alias}.published AND {alias}.retracted_at IS NULL"


# The group tree in GroupTree's order (parents first, siblings by position then id), the
# closure (every group with each group below it), and the facts of one page of documents;
# the roles that count, the status and the gap come from db.enums and db.coverage, not restated.
_MATRIX_FACTS = f"""
WITH RECURSIVE tree AS (
  SELECT g.id, ARRAY[g.position, g.id] AS path FROM stakeholder_group g
  WHERE g.parent_id IS NULL AND {_shown("g")}
  UNION ALL
  SELECT g.id, t.path || g.position || g.id FROM stakeholder_group g
  JOIN tree t ON g.parent_id = t.id WHERE {_shown("g")}),
closure AS (
  SELECT id AS ancestor, id AS member FROM tree
  UNION ALL
  SELECT c.ancestor, g.id FROM closure c JOIN stakeholder_group g ON g.parent_id = c.member
  WHERE {_shown("g")}),
docs AS (SELECT d.* FROM document d WHERE {_shown("d")} AND {not_source_only_sql("d.kind")}
  ORDER BY d.id LIMIT {{first}}),
took_part AS (
  SELECT c.document_id, cl.ancestor AS group_id, count(DISTINCT c.organisation_id) AS organisations
  FROM consultation c
  JOIN organisation o ON o.id = c.organisation_id AND {_shown("o")}
  JOIN organisation_group og ON og.organisation_id = c.organisation_id
  JOIN closure cl ON cl.member = og.group_id
  WHERE c.document_id IN (SELECT id FROM docs) AND {_shown("c")} AND {roles_sql("c.role")}
  GROUP BY 1, 2),
absent AS (
  SELECT DISTINCT a.document_id, cl.member AS group_id FROM absence a
  JOIN closure cl ON cl.ancestor = a.group_id
  WHERE a.document_id IN (SELECT id FROM docs) AND {_shown("a")}),
expected AS (
  SELECT DISTINCT e.document_id, e.group_id FROM expectation e
  WHERE e.document_id IN (SELECT id FROM docs) AND e.group_id IS NOT NULL AND {_shown("e")}),
cells AS (
  SELECT d.id AS document_id, t.id AS group_id, t.path,
    {status_case_sql("tp.group_id IS NOT NULL", "ab.group_id IS NOT NULL")} AS status,
    ex.group_id IS NOT NULL AS expected,
    coalesce(tp.organisations, 0) AS organisations
  FROM docs d CROSS JOIN tree t
  LEFT JOIN took_part tp ON tp.document_id = d.id AND tp.group_id = t.id
  LEFT JOIN absent ab ON ab.document_id = d.id AND ab.group_id = t.id
  LEFT JOIN expected ex ON ex.document_id = d.id AND ex.group_id = t.id)"""

_CELL_VALUES = {
    "status": "c.status",
    "expected": "c.expected",
    "gap": gap_case_sql("c.status", "c.expected"),
    "organisationCount": "c.organisations",
}


def _sql_object(pairs: list[tuple[str, str]]) -> str:
    # Keys are GraphQL names and values come from the tables above: nothing from the client.
    return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def _scalars(alias: str, shape: tuple[Scalar, ...]) -> str:
    return _sql_object([(field.key, f"{alias}.{field.column}") for field in shape])


def matrix_statement(matrix: Matrix) -> str:
    """The SQL text of a scalar subquery answering the matrix's JSON object."""
    cell_pairs = [
        (key, _scalars("g", matrix.group) if part == "group" else _CELL_VALUES[part])
        for key, part in matrix.cells
    ]
    cells = (
        f"(SELECT coalesce(json_agg({_sql_object(cell_pairs)} ORDER BY c.path), '[]'::json) "
        "FROM cells c JOIN stakeholder_group g ON g.id = c.group_id WHERE c.document_id = d.id)"
    )
    row_pairs = [
        (key, _scalars("d", matrix.document) if part == "document" else cells)
        for key, part in matrix.rows
    ]
    values = {
        "totalCount": f"(SELECT count(*) FROM document d WHERE {_shown('d')} "
        f"AND {not_source_only_sql('d.kind')})",
        "columns": f"(SELECT coalesce(json_agg({_scalars('g', matrix.columns)} ORDER BY t.path), "
        "'[]'::json) FROM tree t JOIN stakeholder_group g ON g.id = t.id)",
        "rows": f"(SELECT coalesce(json_agg({_sql_object(row_pairs)} ORDER BY d.id), '[]'::json) "
        "FROM docs d)",
    }
    answer = _sql_object([(key, values[part]) for key, part in matrix.parts])
    return f"({_MATRIX_FACTS.format(first=matrix.first)}\nSELECT {answer})"


Field = Scalar | One | Many | Connection | BySlug | Matrix
Shape = tuple[Field, ...]
