"""Bearer tokens for editors and admins: random, prefixed, stored only as a SHA-256 hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, cast, extract, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.enums import TokenRole
from db.models import ApiToken

TOKEN_PREFIX = "fp_"
_SECRET_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)


@dataclass(frozen=True)
class IssuedToken:
    name: str
    role: TokenRole
    token: str  # shown once, never stored
    expires_at: dt.datetime | None


class TokenNameTaken(ValueError):
    pass


class UnknownToken(LookupError):
    pass


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def issue(
    session: AsyncSession, name: str, role: TokenRole, expires_at: dt.datetime | None
) -> IssuedToken:
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenNameTaken(f"a token named '{name}' exists already")
    token = new_token()
    session.add(
        ApiToken(
            name=name,
            role=role,
            prefix=token[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(token),
            created_at=now(),
            expires_at=expires_at,
        )
    )
    return IssuedToken(name, role, token, expires_at)


async def all_tokens(session: AsyncSession) -> list[ApiToken]:
    return list(await session.scalars(select(ApiToken).order_by(ApiToken.id)))


async def revoke(session: AsyncSession, name: str) -> None:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise UnknownToken(f"no active token is named '{name}'")


def status(row: ApiToken) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and _aware(row.expires_at) <= now():
        return "expired"
    return "active"


async def valid_token(session: AsyncSession, token: str) -> ApiToken | None:
    """The token's record if it exists, is not revoked and has not expired; else None."""
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return row if row is not None and status(row) == "active" else None


def _allowance_now(per_minute: int) -> ColumnElement[float]:
    """The changes in a token's bucket now: what was left, refilled since at `per_minute`, up
    to `per_minute` (a token that never changed anything has a full bucket)."""
    capacity = float(per_minute)
    elapsed = cast(extract("epoch", func.now() - ApiToken.allowance_at), Float)
    refilled = func.coalesce(ApiToken.allowance + elapsed * (per_minute / 60), capacity)
    return func.least(capacity, refilled)


async def spend_allowance(
    connection: AsyncConnection, name: str, changes: int, per_minute: int
) -> float:
    """Take `changes` from the token's bucket in one statement, atomic across every process
    (PostgreSQL): 0.0 if they were there, else the seconds until they will be (none taken)."""
    available = _allowance_now(per_minute)
    taken = await connection.execute(
        update(ApiToken)
        .where(ApiToken.name == name, available >= changes)
        .values(allowance=available - changes, allowance_at=func.now())
        .returning(ApiToken.id)
    )
    if taken.first() is not None:
        return 0.0
    left = await connection.scalar(select(available).where(ApiToken.name == name))
    missing = changes - float(left if left is not None else 0.0)
    return max(missing * 60 / per_minute, 0.001)


async def note_write(connection: AsyncConnection, name: str) -> None:
    """Record where the primary's WAL stands, after the token's changes were committed."""
    position: ColumnElement[int] = literal_column("(pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
    await connection.execute(
        update(ApiToken).where(ApiToken.name == name).values(last_write_lsn=position)
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
