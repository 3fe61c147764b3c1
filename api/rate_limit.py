"""A per-token limit on changes: each mutation field a request asks for is one change, all
counted before any runs. On PostgreSQL the bucket is the token's row, shared by every process
and machine; on SQLite (one machine by definition) it is kept in each process's memory."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Protocol

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from db.tokens import spend_allowance
from schema.errors import RATE_LIMITED

MAX_BUCKETS = 10_000  # tokens are issued by admins, so this is never reached in honest use


class Allowance(Protocol):
    async def spend(self, key: str, changes: int) -> float:
        """Take `changes` for `key`: 0.0 if allowed, else the seconds until they would be."""
        ...


class TokenBuckets:
    """`per_minute` changes a minute for each key, with bursts of up to that many, in this
    process's memory."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    async def spend(self, key: str, changes: int) -> float:
        now = self.clock()
        tokens, then = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.refill_per_second)
        if tokens >= changes:
            if len(self.buckets) >= MAX_BUCKETS and key not in self.buckets:
                self.buckets.clear()  # forgetting buckets only ever lets a change through
            self.buckets[key] = (tokens - changes, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (changes - tokens) / self.refill_per_second


class SharedBuckets:
    """The same buckets kept on the tokens' rows in PostgreSQL, each taken from in one
    statement, so N processes behind a load balancer allow a token its rate, not N times it."""

    def __init__(self, engine: AsyncEngine, per_minute: int) -> None:
        self.engine = engine  # autocommit: the statement is its own transaction
        self.per_minute = per_minute

    async def spend(self, key: str, changes: int) -> float:
        async with self.engine.connect() as connection:
            return await spend_allowance(connection, key, changes, self.per_minute)


def changes_asked(document: DocumentNode, operation_name: str | None) -> int:
    """The root fields of the operation that will run, aliases apart and fragments expanded:
    each is one change. Fields that share a response key run once, so count once."""
    operation = next(
        (
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
            and (operation_name is None or (d.name is not None and d.name.value == operation_name))
        ),
        None,
    )
    if operation is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return len(_response_keys(operation.selection_set, fragments, {}))


def _response_keys(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: dict[str, frozenset[str]],
) -> frozenset[str]:
    keys: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value != "__typename":
                keys.add((selection.alias or selection.name).value)
        elif isinstance(selection, InlineFragmentNode):
            keys |= _response_keys(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen[name] = frozenset()  # validation refused cycles; this only stops a loop
                seen[name] = _response_keys(fragments[name].selection_set, fragments, seen)
            keys |= seen.get(name, frozenset())
    return frozenset(keys)


class MutationRateLimit(SchemaExtension):
    """Answers RATE_LIMITED (429, with `retryAfter` seconds) to a request whose changes would
    take its token over its rate; then none of them runs."""

    def __init__(self, allowance: Allowance, per_minute: int) -> None:
        super().__init__()
        self.allowance = allowance
        self.per_minute = per_minute

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        actor = getattr(execution.context, "actor", None)
        document = execution.graphql_document
        if (
            actor is not None
            and document is not None
            and execution.operation_type is OperationType.MUTATION
        ):
            changes = changes_asked(document, execution.operation_name)
            if changes > self.per_minute:
                message = (
                    f"This request makes {changes} changes; a token may make "
                    f"{self.per_minute} a minute. Send them in smaller requests."
                )
                execution.result = _refusal(message, 60)
            elif changes:
                wait = await self.allowance.spend(actor.name, changes)
                if wait > 0:
                    seconds = max(1, math.ceil(wait))
                    message = f"Too many changes from this token; try again in {seconds} s."
                    execution.result = _refusal(message, seconds)
        yield


def _refusal(message: str, seconds: int) -> ExecutionResult:
    error = GraphQLError(message, extensions={"code": RATE_LIMITED, "retryAfter": seconds})
    return ExecutionResult(data=None, errors=[error])
