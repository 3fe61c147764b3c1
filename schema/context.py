"""What every resolver can reach: the request id and this request's loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import TokenRole
from db.replicas import PRIMARY, Database, Reader
from db.visibility import Audience
from schema.reads.loaders import Loaders


@dataclass(frozen=True)
class Actor:
    """Who sent a request with a valid bearer token: the token's name and role."""

    name: str
    role: TokenRole
    last_write_lsn: int | None = None  # its reads wait for a replica that has replayed this


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]  # for changes, in transactions
    request_id: str
    actor: Actor | None = None  # None: an anonymous reader
    # Where the loaders read: a replica or the primary (the sessionmaker's database if not given).
    reader: Reader | None = None
    # Told the operation's name, type and final errors, for the HTTP status, logs and metrics.
    report: Callable[[str | None, str | None, list[GraphQLError]], None] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        audience = Audience.READERS if self.actor is None else Audience.EDITORS
        if self.reader is None:
            self.reader = Reader(Database(PRIMARY, self.sessionmaker.kw["bind"]))
        self.loaders = Loaders(self.reader, audience)


Info = strawberry.Info[Context, None]


def loaders(info: Info) -> Loaders:
    """The loaders for the field being resolved."""
    return info.context.loaders.at(info.path.as_list())
