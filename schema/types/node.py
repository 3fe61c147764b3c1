"""The Node interface, and what every editable record shows: version, draft flag, history."""

from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from schema.context import Info
from schema.reads.bounds import paged

if TYPE_CHECKING:
    from schema.types.audit import AuditEntry

AuditEntryType = Annotated["AuditEntry", strawberry.lazy("schema.types.audit")]


@strawberry.interface(description="An object with an opaque global id; node(id:) resolves it.")
class Node:
    id: strawberry.ID


@strawberry.type
class Edited:
    """Mixed into every record the register's editors change."""

    AUDIT_ENTITY: ClassVar[str]  # the record's kind, as the audit trail names it
    db_id: strawberry.Private[int]
    version: int = strawberry.field(
        description="Raised by every change; pass it as expectedVersion when you update."
    )
    published: bool = strawberry.field(description="False for a draft, which only editors see.")

    @strawberry.field(
        extensions=[paged(50)],
        description="Every change to this record, oldest first; editors only.",
    )
    async def history(self, info: Info) -> list[AuditEntryType]:
        from schema.types.audit import history_of

        return await history_of(info, self.AUDIT_ENTITY, self.db_id)
