"""From a plan (`shapes`) to one SQL statement whose single value is the response body.

PostgreSQL builds the JSON with json_build_object and json_agg; SQLite with json_object and
json_group_array (a JSON value read back from a subquery is wrapped in json() there, or SQLite
would quote it as text). Every table read carries `db.visibility.visible` for the request's
audience, so the statement sees exactly what the field-by-field path sees; a row read through
its visible parent skips the check of that link. Parameters are markers, numbered per dialect
by `finish`.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased

from db import models
from db.visibility import BELONGS_TO, Audience, visible
from schema.reads.compiler.matrix import matrix_statement
from schema.reads.compiler.selection import NotCompiled
from schema.reads.compiler.shapes import (
    Constant,
    Field,
    GlobalId,
    Link,
    Lookup,
    Matrix,
    Page,
    Param,
    Part,
    Scalar,
    Shape,
)

_MARKER = re.compile("\x00(p[0-9]+)\x00")
_DIALECTS: dict[str, Dialect] = {
    "postgresql": postgresql.dialect(),  # type: ignore[no-untyped-call]
    "sqlite": sqlite.dialect(),
}


@dataclass(frozen=True)
class Statement:
    """The SQL text, in the driver's parameter style, and the parameter behind each place."""

    sql: str
    order: tuple[str, ...]
    params: tuple[Param, ...]


def _too_deep_for_sqlite(sql: str) -> bool:
    """Whether SQLite's parser, whose stack is fixed, cannot read the statement (a query
    nested too deep); parsing needs no tables, so an empty database tells."""
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        try:
            connection.execute(sql, (None,) * sql.count("?"))
        except sqlite3.Error as error:
            return "parser stack overflow" in str(error)
    return False


class Builder:
    """Builds the SQL of one plan for one dialect and audience."""

    def __init__(self, dialect: str, audience: Audience) -> None:
        if dialect not in _DIALECTS:
            raise NotCompiled
        self.pg = dialect == "postgresql"
        self.dialect = _DIALECTS[dialect]
        self.audience = audience
        self._aliases = 0

    def _alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def visible(
        self, model: type[models.Base], alias: str, through: str | tuple[str, ...] | None = None
    ) -> str:
        """db.visibility's condition for rows of `model` named `alias`, as SQL text."""
        entity: Any = aliased(model, name=alias)
        statement: Any = select(literal_column("1")).select_from(entity)
        statement = statement.where(visible(entity, self.audience, through=through))
        text = str(statement.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
        return "(" + text.split("\nWHERE ", 1)[1] + ")"

    # ------------------------------------------------------------ JSON, per dialect

    def object(self, pairs: list[tuple[str, str]]) -> str:
        # Keys are GraphQL names (letters, digits, _), never quotes: nothing from the client.
        function = "json_build_object" if self.pg else "json_object"
        return f"{function}(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def json(self, subquery: str) -> str:
        """A scalar subquery giving JSON, as a value inside another JSON object."""
        # SQLite: `-> '$'` marks the text as JSON, and as an operator costs less parser stack.
        return f"({subquery})" if self.pg else f"(({subquery}) -> '$')"

    def array(self, value: str, from_where: str, order: str) -> str:
        """The JSON array of `value` over the rows of `from_where`, in `order` ([] if none)."""
        if self.pg:
            return f"(SELECT coalesce(json_agg({value} ORDER BY {order}), '[]'::json) {from_where})"
        # A window keeps the order without a subquery around `value`: SQLite's parser has a
        # fixed stack, and each level of nesting inside `value` spends some of it.
        window = f"OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        rows = f"SELECT json_group_array({value}) {window} {from_where} LIMIT 1"
        return f"(coalesce(({rows}), '[]') -> '$')"

    def boolean(self, value: str) -> str:
        if self.pg:
            return value
        return f"(CASE {value} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END -> '$')"

    def global_id(self, prefix: str, id_column: str) -> str:
        # schema.ids: unpadded URL-safe base64 of "<prefix>:<id>"; ids are short, so one line.
        if self.pg:
            encoded = f"encode(convert_to('{prefix}:' || {id_column}, 'UTF8'), 'base64')"
            return f"rtrim(translate({encoded}, '+/', '-_'), '=')"
        return f"fp_global_id('{prefix}', {id_column})"

    def cursor(self, id_column: str) -> str:
        return self.global_id("cursor", id_column)

    def param(self, param: Param) -> str:
        marker = f"\x00{param.name}\x00"
        if not self.pg:
            return marker
        return f"{marker}::{'text' if param.kind == 'text' else 'bigint'}"

    # ------------------------------------------------------------ fields

    def shape(self, shape: Shape, alias: str) -> str:
        return self.object([(field.key, self.value(field, alias)) for field in shape])

    def value(self, field: Field, alias: str) -> str:
        if isinstance(field, Scalar):
            column = f"{alias}.{field.column}"
            return self.boolean(column) if field.boolean else column
        if isinstance(field, Constant):
            return f"'{field.value}'"
        if isinstance(field, GlobalId):
            return self.global_id(field.type_name, f"{alias}.id")
        if isinstance(field, Link):
            return self.link(field, alias)
        if isinstance(field, Page):
            return self.page(field, alias or None)
        if isinstance(field, Lookup):
            return self.lookup(field)
        return self.matrix(field)

    def link(self, link: Link, parent: str) -> str:
        alias = self._alias()
        table = link.model.__tablename__
        column = link.reads.column
        if link.reads.kind == "one":
            condition = f"{alias}.id = {parent}.{column} AND {self.visible(link.model, alias)}"
            return self.json(
                f"SELECT {self.shape(link.shape, alias)} FROM {table} AS {alias} WHERE {condition}"
            )
        # Visibility once per row: a parent the rows belong to and the query shows is joined
        # on its own visibility, which then stands for the rows' check of it.
        belongs: dict[Any, Any] = BELONGS_TO
        parents: dict[str, Any] = dict(belongs.get(link.model, ()))
        known = [column]
        joins = ""
        shown: dict[str, str] = {}
        for field in link.shape:
            target = field.reads.column if isinstance(field, Link) else ""
            if (
                isinstance(field, Link)
                and field.reads.kind == "one"
                and parents.get(target) is field.model
                and target not in known
            ):
                joined = self._alias()
                joins += (
                    f" JOIN {field.model.__tablename__} AS {joined} ON {joined}.id = "
                    f"{alias}.{target} AND {self.visible(field.model, joined)}"
                )
                known.append(target)
                shown[field.key] = self.shape(field.shape, joined)
        condition = (
            f"{alias}.{column} = {parent}.id AND {self.visible(link.model, alias, tuple(known))}"
        )
        if link.limit is not None:
            # The field's bound, as the resolvers page it: the first visible rows in order.
            first = self._alias()
            in_order = ", ".join(f"{first}.{name}" for name in link.reads.order_by)
            condition += (
                f" AND {alias}.id IN (SELECT {first}.id FROM {table} AS {first} WHERE "
                f"{first}.{column} = {parent}.id AND {self.visible(link.model, first, (column,))} "
                f"ORDER BY {in_order} LIMIT {link.limit})"
            )
        value = self.object([(f.key, shown.get(f.key) or self.value(f, alias)) for f in link.shape])
        order = ", ".join(f"{alias}.{name}" for name in link.reads.order_by)
        return self.array(value, f"FROM {table} AS {alias}{joins} WHERE {condition}", order)

    def lookup(self, lookup: Lookup) -> str:
        alias = self._alias()
        table = lookup.model.__tablename__
        slug = self.param(lookup.slug)
        shown = self.visible(lookup.model, alias)
        by_slug = (
            f"SELECT {self.shape(lookup.shape, alias)} FROM {table} AS {alias} "
            f"WHERE {alias}.slug = {slug} AND {shown}"
        )
        if not lookup.redirects:
            return self.json(by_slug)
        # As the resolver: a visible row with the slug, else the survivor of a merge.
        other = self._alias()
        shown_other = self.visible(lookup.model, other)
        redirected = (
            f"SELECT {self.shape(lookup.shape, other)} FROM {table} AS {other} "
            f"JOIN organisation_redirect AS r_{other} ON r_{other}.organisation_id = {other}.id "
            f"WHERE r_{other}.slug = {slug} AND {shown_other}"
        )
        if self.audience is not Audience.EDITORS:
            # db.visibility.redirect_visible: merging a draft publishes nothing of it.
            redirected += (
                f" AND EXISTS (SELECT 1 FROM organisation AS m_{other} WHERE "
                f"m_{other}.id = r_{other}.merged_id AND m_{other}.published)"
            )
        return f"coalesce({self.json(by_slug)}, {self.json(redirected)})"

    def page(self, page: Page, parent: str | None) -> str:
        table = page.model.__tablename__
        inner = self._alias()
        column = page.parent_column or None
        condition = self.visible(page.model, inner, column)
        if column is not None:
            condition += f" AND {inner}.{column} = {parent}.id"
        first = self.param(page.first)
        after = self.param(page.after)
        rows = f"FROM {table} AS {inner} WHERE {condition}"
        after_rows = f"{rows} AND {inner}.id > {after} ORDER BY {inner}.id"
        node = self._alias()
        on_page = f"FROM (SELECT * {after_rows} LIMIT {first}) AS {node}"
        pairs: list[tuple[str, str]] = []
        for part in page.parts:
            if part.kind == "typename":
                value = f"'{part.value}'"
            elif part.kind == "totalCount":
                value = f"(SELECT count(*) {rows})"
            elif part.kind == "nodes":
                value = self.array(self.shape(part.shape, node), on_page, f"{node}.id")
            elif part.kind == "edges":
                edge = self.object([(p.key, self._edge_part(p, node)) for p in part.parts])
                value = self.array(edge, on_page, f"{node}.id")
            else:
                info = [
                    (p.key, self._page_info(p, on_page, after_rows, first, after, node))
                    for p in part.parts
                ]
                value = self.object(info)
            pairs.append((part.key, value))
        return self.object(pairs)

    def _edge_part(self, part: Part, node: str) -> str:
        if part.kind == "typename":
            return f"'{part.value}'"
        if part.kind == "cursor":
            return self.cursor(f"{node}.id")
        return self.shape(part.shape, node)

    def _page_info(
        self, part: Part, on_page: str, after_rows: str, first: str, after: str, node: str
    ) -> str:
        if part.kind == "typename":
            return f"'{part.value}'"
        if part.kind == "hasNextPage":
            # One row more than the page: is there any after it?
            more = (
                f"(SELECT count(*) FROM (SELECT 1 AS one {after_rows} LIMIT {first} + 1) AS more)"
            )
            return self.boolean(f"({more} > {first})")
        if part.kind == "hasPreviousPage":
            return self.boolean(f"({after} >= 0)")  # pages only go forward (as the resolvers)
        ends = "min" if part.kind == "startCursor" else "max"
        return f"(SELECT {self.cursor(f'{ends}({node}.id)')} {on_page})"

    def matrix(self, matrix: Matrix) -> str:
        if not self.pg or self.audience is not Audience.READERS:
            raise NotCompiled  # written for PostgreSQL and readers
        first = self.param(matrix.first)
        after = self.param(matrix.after)

        def page_info(on_page: str, after_rows: str) -> str:
            pairs = [
                (p.key, self._page_info(p, on_page, after_rows, first, after, "d"))
                for p in matrix.page_info
            ]
            return self.object(pairs)

        return matrix_statement(matrix, first, after, self.shape, page_info)

    # ------------------------------------------------------------ the statement

    def statement(self, root: Shape, params: list[Param]) -> Statement:
        data = self.object([("data", self.object([(f.key, self.value(f, "")) for f in root]))])
        sql = f"SELECT CAST({data} AS TEXT)" if self.pg else f"SELECT {data}"
        statement = self.finish(sql, params)
        if not self.pg and _too_deep_for_sqlite(statement.sql):
            raise NotCompiled
        return statement

    def finish(self, sql: str, params: list[Param]) -> Statement:
        """Number the parameter markers as the driver wants: $1.. (reused), or ? each time."""
        order: list[str] = []

        def number(found: re.Match[str]) -> str:
            name = found.group(1)
            if self.pg:
                if name not in order:
                    order.append(name)
                return f"${order.index(name) + 1}"
            order.append(name)
            return "?"

        text = _MARKER.sub(number, sql)
        return Statement(text, tuple(order), tuple(params))
