"""Bringing the rows of one table to what is wanted, matched by natural key, never deleting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.models import Base
from seeds.report import SeedReport

M = TypeVar("M", bound=Base)

Values = dict[str, Any]


class Upserter:
    def __init__(self, session: AsyncSession, report: SeedReport) -> None:
        self.session = session
        self.report = report

    async def upsert(
        self,
        model: type[M],
        key: Sequence[str],
        scope: ColumnElement[bool],
        wanted: Sequence[Values],
    ) -> list[M]:
        """Insert the wanted rows that are missing and update those that differ.

        `key` names the natural-key columns; `scope` selects, in one statement, the existing
        rows that may match. Every wanted row must hold every column. Returns the rows in the
        order they were wanted.
        """
        counts = self.report.table(model.__tablename__)
        if not wanted:
            return []
        existing = {
            tuple(getattr(row, column) for column in key): row
            for row in await queries.rows_where(self.session, model, scope)
        }
        found: list[M | None] = []
        for values in wanted:
            row = existing.get(tuple(values[column] for column in key))
            if row is not None:
                changed = {
                    name: value for name, value in values.items() if getattr(row, name) != value
                }
                for name, value in changed.items():
                    setattr(row, name, value)
                counts.updated += bool(changed)
                counts.unchanged += not changed
            found.append(row)
        missing = [values for values, row in zip(wanted, found, strict=True) if row is None]
        if not missing:
            return [row for row in found if row is not None]
        statement = insert(model).returning(model, sort_by_parameter_order=True)
        inserted = iter((await self.session.scalars(statement, missing)).all())
        counts.inserted += len(missing)
        return [row if row is not None else next(inserted) for row in found]
