"""The audit trail, for editors and admins: every change, who made it, before and after."""

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from db import models, queries
from schema.context import Info, loaders
from schema.mutations.editing import require_role
from schema.reads.pagination import DEFAULT_PAGE, Connection, page_arguments
from schema.types.enums import AuditAction
from schema.types.query import list_of


@strawberry.type(description="One change to the register. Entries are never changed or deleted.")
class AuditEntry:
    at: dt.datetime
    actor: str = strawberry.field(description="The name of the token that made the change.")
    action: AuditAction
    entity: str = strawberry.field(description='The kind of record, e.g. "organisation".')
    entity_id: int = strawberry.field(description="The record's number within its kind.")
    before: JSON | None = strawberry.field(description="The record before; null for a create.")
    after: JSON | None = strawberry.field(description="The record after the change.")
    request_id: str | None

    @classmethod
    def from_row(cls, row: models.AuditEntry) -> "AuditEntry":
        return cls(
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            before=row.before,  # type: ignore[arg-type]  # JSON accepts any JSON value
            after=row.after,  # type: ignore[arg-type]
            request_id=row.request_id,
        )


@strawberry.input
class AuditFilter:
    entity: str | None = None
    entity_id: int | None = None
    actor: str | None = None
    action: AuditAction | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


async def history_of(info: Info, entity: str, entity_id: int) -> list[AuditEntry]:
    """A record's changes, oldest first; editors and admins only."""
    require_role(info)
    rows = await loaders(info).history(entity).load(entity_id)
    return [AuditEntry.from_row(row) for row in rows]


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Every change to the register, oldest first; editors only.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
        filter: AuditFilter | None = None,
    ) -> Connection[AuditEntry]:
        require_role(info)
        first, after_key = page_arguments(first, after)
        given = filter or AuditFilter()
        conditions = queries.audit_conditions(
            entity=given.entity,
            entity_id=given.entity_id,
            actor=given.actor,
            action=given.action,
            since=given.since,
            until=given.until,
        )
        return await list_of(
            info, models.AuditEntry, conditions, AuditEntry.from_row, first, after_key
        )
