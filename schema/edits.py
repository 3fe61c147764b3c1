"""What every mutation shares: who may edit, typed refusals, one transaction, idempotency."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import edits
from db.enums import TokenRole
from schema.context import Actor, Info
from schema.errors import FootprintError

T = TypeVar("T")

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
CONFLICT = "CONFLICT"
NOT_FOUND = "NOT_FOUND"
DUPLICATE = "DUPLICATE"
INVALID = "BAD_USER_INPUT"
KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(description="One reason a change was refused.")
class FieldError:
    field: str | None = strawberry.field(description='The input at fault, e.g. "input.slug".')
    message: str
    code: str


@strawberry.type(description="The change was refused and nothing was written.")
class EditRefused:
    errors: list[FieldError]


class Refusal(Exception):
    """Raised inside an edit's transaction: it rolls back and the caller gets EditRefused."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__(errors[0].message if errors else "refused")
        self.errors = list(errors)


def refuse(field: str | None, message: str, code: str) -> Refusal:
    return Refusal(FieldError(field=field, message=message, code=code))


def require_role(info: Info, role: TokenRole = TokenRole.EDITOR) -> Actor:
    """The actor, if its token allows `role`'s work; else an error with a code."""
    actor = info.context.actor
    if actor is None:
        raise FootprintError(
            "Changing the register needs an editor's token: send 'Authorization: Bearer <token>'.",
            code=UNAUTHENTICATED,
        )
    if role is TokenRole.ADMIN and actor.role is not TokenRole.ADMIN:
        raise FootprintError("This change needs an admin's token.", code=FORBIDDEN)
    return actor


async def in_transaction(
    info: Info, work: Callable[[AsyncSession, Actor], Awaitable[T]]
) -> T | EditRefused:
    """Run one edit in one transaction: all of it is written, or none of it."""
    actor = require_role(info)
    try:
        async with info.context.sessionmaker.begin() as session:
            return await work(session, actor)
    except Refusal as refusal:
        return EditRefused(errors=refusal.errors)
    except IntegrityError:
        # A concurrent edit took a unique value between our check and our write.
        return EditRefused(
            errors=[
                FieldError(
                    field=None,
                    message="Another change got there first (a duplicate or a record in use); "
                    "nothing was written. Reload and try again.",
                    code=CONFLICT,
                )
            ]
        )


async def idempotently(
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    operation: str,
    request: dict[str, Any],
    create: Callable[[], Awaitable[int]],
) -> int:
    """Create once per idempotency key: a repeat with the same request replays the first id."""
    if key is None:
        return await create()
    if not 1 <= len(key) <= 200:
        raise refuse("idempotencyKey", "An idempotency key has 1 to 200 characters.", INVALID)
    digest = hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()
    earlier = await edits.idempotent_result(session, actor.name, key)
    if earlier is not None:
        if earlier.operation != operation or earlier.request_hash != digest:
            raise refuse(
                "idempotencyKey",
                "This idempotency key was already used for a different request.",
                KEY_REUSED,
            )
        return int(earlier.result["id"])
    created = await create()
    await edits.remember_result(
        session,
        actor=actor.name,
        key=key,
        operation=operation,
        request_hash=digest,
        result={"id": created},
    )
    return created
