"""The write side of editing: versioned updates, the audit trail, idempotency records.

Every function here runs inside the caller's transaction, so a change, its audit entry and its
idempotency record are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AuditAction
from db.models import AuditEntry, Base, IdempotencyRecord, OrganisationRedirect
from db.tokens import now as now


def snapshot(row: Base, **extra: Any) -> dict[str, Any]:
    """A JSON-ready copy of a row's columns (and any `extra` facts), for the audit trail."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        values[column.key] = _plain(getattr(row, column.key))
    values.update({key: _plain(value) for key, value in extra.items()})
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


async def record_change(
    session: AsyncSession,
    *,
    actor: str,
    action: AuditAction,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request_id: str | None,
) -> None:
    session.add(
        AuditEntry(
            at=now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            request_id=request_id,
        )
    )


async def update_versioned(
    session: AsyncSession, model: type[Base], row_id: int, expected_version: int, **values: Any
) -> bool:
    """Apply `values` and raise the version, only if the row is still at `expected_version`."""
    columns = model.__table__.c
    result = await session.execute(
        update(model)
        .where(columns.id == row_id, columns.version == expected_version)
        .values(**values, version=columns.version + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def replace_children(
    session: AsyncSession,
    model: type[Base],
    parent_column: str,
    parent_id: int,
    rows: list[dict[str, Any]],
) -> None:
    """Make a parent's rows in a plain child table (aliases, memberships) exactly `rows`."""
    column = model.__table__.c[parent_column]
    await session.execute(delete(model).where(column == parent_id))
    if rows:
        await session.execute(insert(model), [{parent_column: parent_id, **r} for r in rows])


async def idempotent_result(
    session: AsyncSession, actor: str, key: str
) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.actor == actor, IdempotencyRecord.key == key
    )
    return await session.scalar(statement)


async def remember_result(
    session: AsyncSession,
    *,
    actor: str,
    key: str,
    operation: str,
    request_hash: str,
    result: dict[str, Any],
) -> None:
    session.add(
        IdempotencyRecord(
            actor=actor,
            key=key,
            operation=operation,
            request_hash=request_hash,
            result=result,
            created_at=now(),
        )
    )


async def redirect_organisation(session: AsyncSession, merged_id: int, survivor_id: int) -> None:
    """Slugs that led to the merged organisation now lead to the survivor."""
    await session.execute(
        update(OrganisationRedirect)
        .where(OrganisationRedirect.organisation_id == merged_id)
        .values(organisation_id=survivor_id)
    )
