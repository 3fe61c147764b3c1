"""What the compiler knows of each type, read from the schema's own Strawberry types.

A plain field (no resolver) whose Python name is a column of the type's model is that column;
`id` is the type's global id. A relation field says how it reads in its Strawberry metadata,
under its own key (`reads_one`, `reads_many`, `reads_page`); any other field is not compiled.
The model of a type is the table its `AUDIT_ENTITY` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from graphql import GraphQLField, GraphQLObjectType

from db import models

METADATA_KEY = "compiler"  # beside other keys (the query limits keep their own)


@dataclass(frozen=True)
class Reads:
    """How a relation field reads: `one` row the parent's `column` points at (null when that
    row is hidden), `many` rows whose `column` is the parent's id in `order_by` order, or a
    `page` of them in id order (a connection; every visible row at the root, where `column`
    is empty). At the root, `slug` finds one row by its slug (and, with `redirects`, by the
    slug of a row merged into it), and `matrix` is the coverage matrix."""

    kind: Literal["one", "many", "page", "slug", "matrix"]
    column: str = ""
    order_by: tuple[str, ...] = ("id",)
    redirects: bool = False


def reads_one(column: str) -> dict[str, Any]:
    return {METADATA_KEY: Reads("one", column)}


def reads_many(column: str, *order_by: str) -> dict[str, Any]:
    return {METADATA_KEY: Reads("many", column, order_by or ("id",))}


def reads_page(column: str = "") -> dict[str, Any]:
    return {METADATA_KEY: Reads("page", column)}


def reads_slug(*, redirects: bool = False) -> dict[str, Any]:
    return {METADATA_KEY: Reads("slug", redirects=redirects)}


def reads_matrix() -> dict[str, Any]:
    return {METADATA_KEY: Reads("matrix")}


@cache
def _models_by_table() -> dict[str, type[models.Base]]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in models.Base.registry.mappers}


def model_of(graphql_type: GraphQLObjectType) -> type[models.Base] | None:
    """The model whose rows the type shows, if it is one of the register's records."""
    definition = graphql_type.extensions.get("strawberry-definition")
    table = getattr(getattr(definition, "origin", None), "AUDIT_ENTITY", None)
    return _models_by_table().get(table) if isinstance(table, str) else None


def _strawberry(field: GraphQLField) -> Any:
    return field.extensions.get("strawberry-definition")


def column_of(model: type[models.Base], field: GraphQLField) -> str | None:
    """The column a plain field shows, or None (a resolver, or no such column)."""
    definition = _strawberry(field)
    if definition is None or definition.base_resolver is not None:
        return None
    name = definition.python_name
    columns = model.__table__.columns
    return name if name in columns and name != "id" else None


def reads_of(field: GraphQLField) -> Reads | None:
    definition = _strawberry(field)
    found = definition.metadata.get(METADATA_KEY) if definition is not None else None
    return found if isinstance(found, Reads) else None
