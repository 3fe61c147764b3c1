"""A per-token limit on mutations: a token bucket per token name, in each worker's memory."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from schema.errors import RATE_LIMITED

MAX_BUCKETS = 10_000  # tokens are issued by admins, so this is never reached in honest use


class TokenBuckets:
    """`per_minute` changes a minute for each key, with bursts of up to that many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def take(self, key: str) -> float:
        """Spend one change for `key`: 0 if allowed, else the seconds until one is allowed."""
        now = self.clock()
        tokens, then = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.refill_per_second)
        if tokens >= 1:
            if len(self.buckets) >= MAX_BUCKETS and key not in self.buckets:
                self.buckets.clear()  # forgetting buckets only ever lets a change through
            self.buckets[key] = (tokens - 1, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / self.refill_per_second


class MutationRateLimit(SchemaExtension):
    """Answers RATE_LIMITED, with `retryAfter` seconds, to a token over its rate; runs nothing."""

    def __init__(self, buckets: TokenBuckets) -> None:
        super().__init__()
        self.buckets = buckets

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        actor = getattr(execution.context, "actor", None)
        if actor is not None and execution.operation_type is OperationType.MUTATION:
            wait = self.buckets.take(actor.name)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                execution.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"Too many changes from this token; try again in {seconds} s.",
                            extensions={"code": RATE_LIMITED, "retryAfter": seconds},
                        )
                    ],
                )
        yield
