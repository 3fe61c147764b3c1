"""The coverage matrix as one PostgreSQL subquery, for readers: the group tree, the closure of
each group with the groups below it, and the status of every (document, group) cell."""

from __future__ import annotations

from collections.abc import Callable

from db.coverage import gap_case_sql, not_source_only_sql, roles_sql, status_case_sql
from schema.reads.compiler.shapes import Matrix, Shape


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
  AND d.id > {{after}}
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


def matrix_statement(
    matrix: Matrix,
    first: str,
    after: str,
    shape: Callable[[Shape, str], str],
    page_info: Callable[[str, str], str],
) -> str:
    """The SQL text of a scalar subquery answering the matrix's JSON object: `first` and
    `after` are the parameters; `shape` renders an object of a row (document, group) and
    `page_info` the pageInfo of the documents on the page (`docs`) and after `after`."""
    typenames = dict(matrix.typenames)
    cell_values = {**_CELL_VALUES, "__typename": f"'{typenames.get('cell')}'"}
    cell_pairs = [
        (key, shape(matrix.group, "g") if part == "group" else cell_values[part])
        for key, part in matrix.cells
    ]
    cells = (
        f"(SELECT coalesce(json_agg({_sql_object(cell_pairs)} ORDER BY c.path), '[]'::json) "
        "FROM cells c JOIN stakeholder_group g ON g.id = c.group_id WHERE c.document_id = d.id)"
    )
    row_values = {"cells": cells, "__typename": f"'{typenames.get('row')}'"}
    row_pairs = [
        (key, shape(matrix.document, "d") if part == "document" else row_values[part])
        for key, part in matrix.rows
    ]
    after_rows = (
        f"FROM document later WHERE {_shown('later')} AND {not_source_only_sql('later.kind')} "
        f"AND later.id > {after} ORDER BY later.id"
    )
    values = {
        "__typename": f"'{typenames['matrix']}'",
        "totalCount": f"(SELECT count(*) FROM document d WHERE {_shown('d')} "
        f"AND {not_source_only_sql('d.kind')})",
        "columns": f"(SELECT coalesce(json_agg({shape(matrix.columns, 'g')} ORDER BY t.path), "
        "'[]'::json) FROM tree t JOIN stakeholder_group g ON g.id = t.id)",
        "rows": f"(SELECT coalesce(json_agg({_sql_object(row_pairs)} ORDER BY d.id), '[]'::json) "
        "FROM docs d)",
        "pageInfo": page_info("FROM docs AS d", after_rows),
    }
    answer = _sql_object([(key, values[part]) for key, part in matrix.parts])
    facts = _MATRIX_FACTS.format(first=first, after=after)
    return f"({facts}\nSELECT {answer})"
