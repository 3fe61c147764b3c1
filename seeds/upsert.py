"""Bringing the rows of one table to what is wanted, matched by natural key, never deleting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.edits import record_change, snapshot
from db.enums import AuditAction
from db.models import Base
from seeds.report import Change, SeedReport

M = TypeVar("M", bound=Base)

Values = dict[str, Any]


@dataclass(frozen=True)
class Keep:
    """A wanted value that leaves an existing row's column as it is; a new row gets `default`."""

    default: Any


# Tables whose rows are audited under another column than their first key.
AUDITED_UNDER = {"organisation_redirect": "merged_id"}
KEEP_PUBLISHED = Keep(True)
KEEP_UNRETRACTED = Keep(None)


def _same(stored: Any, wanted: Any) -> bool:
    """Equal values; SQLite hands back timestamps without their (UTC) offset."""
    if isinstance(stored, dt.datetime) and isinstance(wanted, dt.datetime):
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=dt.UTC)
        return bool(stored == wanted)
    return bool(stored == wanted)


class Upserter:
    """Writes rows and counts them in `report`; with an `actor`, audits every row it inserts
    or updates, in the same transaction."""

    def __init__(self, session: AsyncSession, report: SeedReport, actor: str | None = None) -> None:
        self.session = session
        self.report = report
        self.actor = actor
        # How a key column's value reads in the report (the loader names ids by slug).
        self.describe: Callable[[str, Any], str] = lambda _, value: str(
            getattr(value, "value", value)
        )

    def label(self, model: type[Base], key: Sequence[str], values: Values) -> str:
        """A row as the dry run names it: its table and natural key, ids read as slugs."""
        parts = [
            self.describe(column, values[column]) for column in key if values[column] is not None
        ]
        # A key holding a quote is named by its start; slugs whole.
        short = [part[:57] + "..." if len(part) > 60 and " " in part else part for part in parts]
        return " ".join([model.__tablename__.replace("_", " "), *short])

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
                    name: value
                    for name, value in values.items()
                    if not isinstance(value, Keep) and not _same(getattr(row, name), value)
                }
                before = snapshot(row) if changed and self.actor else None
                if changed:
                    self.report.changes.append(
                        Change(
                            self.label(model, key, values),
                            [(name, getattr(row, name), value) for name, value in changed.items()],
                        )
                    )
                for name, value in changed.items():
                    setattr(row, name, value)
                if changed and "version" in model.__table__.c:
                    # An editor holding the old version must not overwrite what was loaded.
                    row.version += 1  # type: ignore[attr-defined]
                if before is not None:
                    await self.audit(AuditAction.UPDATE, row, before)
                counts.updated += bool(changed)
                counts.unchanged += not changed
            found.append(row)
        missing = [
            {
                name: value.default if isinstance(value, Keep) else value
                for name, value in values.items()
            }
            for values, row in zip(wanted, found, strict=True)
            if row is None
        ]
        if not missing:
            return [row for row in found if row is not None]
        statement = insert(model).returning(model, sort_by_parameter_order=True)
        inserted = (await self.session.scalars(statement, missing)).all()
        counts.inserted += len(missing)
        self.report.added.extend(self.label(model, key, values) for values in missing)
        for row in inserted:
            await self.audit(AuditAction.CREATE, row, None)
        rows = iter(inserted)
        return [row if row is not None else next(rows) for row in found]

    async def audit(self, action: AuditAction, row: Base, before: Values | None) -> None:
        """One audit entry (added to the session, flushed with the rest in one batch).

        A join table without an id of its own (memberships, topics) is recorded under its
        first key column, the record it belongs to; `before` and `after` hold the whole row.
        """
        if self.actor is None:
            return
        # A redirect's key is a slug: it is recorded under the organisation that was merged.
        first_key = (
            AUDITED_UNDER.get(row.__tablename__) or next(iter(row.__table__.primary_key)).key
        )
        await record_change(
            self.session,
            actor=self.actor,
            action=action,
            entity=row.__tablename__,
            entity_id=getattr(row, first_key),
            before=before,
            after=snapshot(row),
            request_id=None,
        )
