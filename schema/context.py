"""What every resolver can reach: the request id and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.loaders import Loaders


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]
    request_id: str
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.sessionmaker)


Info = strawberry.Info[Context, None]


def loaders(info: Info) -> Loaders:
    """The loaders for the field being resolved."""
    return info.context.loaders.at(info.path.as_list())
