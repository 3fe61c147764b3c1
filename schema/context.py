"""What every resolver can reach: the request id and this request's loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import TokenRole
from db.visibility import Audience
from schema.reads.loaders import Loaders


@dataclass(frozen=True)
class Actor:
    """Who sent a request with a valid bearer token: the token's name and role."""

    name: str
    role: TokenRole


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]  # for changes, in transactions
    request_id: str
    actor: Actor | None = None  # None: an anonymous reader
    # For the loaders' reads: one statement per session, so no transaction to begin and roll
    # back around it (two round trips each); the sessionmaker above when not given.
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    # Told the operation's name, type and final errors, for the HTTP status, logs and metrics.
    report: Callable[[str | None, str | None, list[GraphQLError]], None] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        audience = Audience.READERS if self.actor is None else Audience.EDITORS
        self.loaders = Loaders(self.read_sessionmaker or self.sessionmaker, audience)


Info = strawberry.Info[Context, None]


def loaders(info: Info) -> Loaders:
    """The loaders for the field being resolved."""
    return info.context.loaders.at(info.path.as_list())
