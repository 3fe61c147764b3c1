"""Who is asking: anonymous readers, or editors and admins with a bearer token. No cookies."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.tokens import valid_token
from schema.context import Actor

# One message for every bad token, so a caller learns nothing about which tokens exist.
INVALID = "The bearer token is invalid, revoked or expired."
MALFORMED = "The Authorization header must be 'Bearer <token>'."
MAX_HEADER = 512


class Unauthenticated(Exception):
    """A credential was sent and is not acceptable: the request is refused with 401."""


async def authenticate(
    header: str | None, sessionmaker: async_sessionmaker[AsyncSession]
) -> Actor | None:
    """The actor for an Authorization header; None without one (a reader)."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(header) > MAX_HEADER:
        raise Unauthenticated(MALFORMED)
    async with sessionmaker() as session:
        row = await valid_token(session, token)
    if row is None:
        raise Unauthenticated(INVALID)
    return Actor(name=row.name, role=row.role, last_write_lsn=row.last_write_lsn)
