"""What every resolver can reach: the request id and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import TokenRole
from db.visibility import Audience
from schema.loaders import Loaders


@dataclass(frozen=True)
class Actor:
    """Who sent a request with a valid bearer token: the token's name and role."""

    name: str
    role: TokenRole


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]
    request_id: str
    actor: Actor | None = None  # None: an anonymous reader
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        audience = Audience.READERS if self.actor is None else Audience.EDITORS
        self.loaders = Loaders(self.sessionmaker, audience)


Info = strawberry.Info[Context, None]


def loaders(info: Info) -> Loaders:
    """The loaders for the field being resolved."""
    return info.context.loaders.at(info.path.as_list())
