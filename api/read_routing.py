"""Read-your-writes with read replicas: a mutation reads its own answer from the primary, and
its token's later reads stay there until a replica has replayed the change."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from db.replicas import ReadReplicas


class ReadsAfterWrites(SchemaExtension):
    def __init__(self, replicas: ReadReplicas) -> None:
        super().__init__()
        self.replicas = replicas

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        mutation = execution.operation_type is OperationType.MUTATION
        if mutation:
            context.reader.pin_primary()
        yield
        ran = getattr(execution.result, "data", None) is not None  # not refused before running
        if mutation and ran and context.actor is not None:
            # Every change of the request is committed by now: note where the WAL stands.
            await self.replicas.note_write(context.actor.name)
