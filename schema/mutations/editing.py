"""What every mutation shares: who may edit, typed refusals, one transaction, idempotency."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import edits, queries
from db.engine import write_transaction
from db.enums import AuditAction, TokenRole
from db.models import Base
from db.rules import Rule
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
IN_USE = "IN_USE"


@strawberry.type(description="One reason a change was refused.")
class FieldError:
    field: str | None = strawberry.field(description='The input at fault, e.g. "input.slug".')
    message: str
    code: str
    rule: str | None = strawberry.field(
        default=None,
        description="The register rule refused, e.g. DUPLICATE_EXPECTATION: the import reports "
        "the same code for the same mistake.",
    )


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


def refuse_rule(field: str | None, rule: Rule, message: str | None = None) -> Refusal:
    """A refusal for breaking one of the register's rules (db/rules.py)."""
    return Refusal(
        FieldError(field=field, message=message or rule.message, code=rule.category, rule=rule.code)
    )


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
        async with write_transaction(info.context.sessionmaker) as session:
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


async def create_once(
    info: Info,
    key: str | None,
    operation: str,
    request: dict[str, Any],
    create: Callable[[AsyncSession, Actor], Awaitable[int]],
    saved: Callable[[AsyncSession, int], Awaitable[T]],
) -> T | EditRefused:
    """A create mutation: in one transaction, once per idempotency key, answering `saved`."""

    async def work(session: AsyncSession, actor: Actor) -> T:
        created = await idempotently(
            session, actor, key, operation, request, lambda: create(session, actor)
        )
        return await saved(session, created)

    return await in_transaction(info, work)


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


State = Callable[[AsyncSession, int], Awaitable[dict[str, Any]]]
Step = Callable[[int], Awaitable[None]]


def row_state(model: type[Base]) -> State:
    """The audit state of a record that is a single row."""

    async def state(session: AsyncSession, row_id: int) -> dict[str, Any]:
        row = (await queries.by_ids(session, model, [row_id]))[row_id]
        return edits.snapshot(row)

    return state


async def audited_insert(
    session: AsyncSession,
    info: Info,
    actor: Actor,
    entity: str,
    row: Base,
    state: State,
    then: Step | None = None,
) -> int:
    """Insert a record (and, through `then`, its parts) and audit its creation."""
    session.add(row)
    await session.flush()
    row_id: int = row.id  # type: ignore[attr-defined]
    if then is not None:
        await then(row_id)
    await edits.record_change(
        session,
        actor=actor.name,
        action=AuditAction.CREATE,
        entity=entity,
        entity_id=row_id,
        before=None,
        after=await state(session, row_id),
        request_id=info.context.request_id,
    )
    return row_id


async def audited_update(
    session: AsyncSession,
    info: Info,
    actor: Actor,
    entity: str,
    model: type[Base],
    row_id: int,
    expected_version: int,
    values: dict[str, Any],
    state: State,
    then: Step | None = None,
    action: AuditAction = AuditAction.UPDATE,
) -> None:
    """Update a record at the version its editor read, or refuse with CONFLICT; audit it."""
    before = await state(session, row_id)
    if not await edits.update_versioned(session, model, row_id, expected_version, **values):
        session.expire_all()
        latest = (await queries.by_ids(session, model, [row_id]))[row_id]
        raise refuse(
            "expectedVersion",
            f"The {entity.replace('_', ' ')} is at version {latest.version}, not "  # type: ignore[attr-defined]
            f"{expected_version}: it changed since that version was read. Reload and try again.",
            CONFLICT,
        )
    if then is not None:
        await then(row_id)
    session.expire_all()
    await edits.record_change(
        session,
        actor=actor.name,
        action=action,
        entity=entity,
        entity_id=row_id,
        before=before,
        after=await state(session, row_id),
        request_id=info.context.request_id,
    )


def publishing() -> Any:
    """The `published` field of a create input."""
    return strawberry.field(
        default=True, description="False keeps it a draft, seen by editors only."
    )


def publishing_change() -> Any:
    """The `published` field of an update's changes."""
    return strawberry.field(
        default=strawberry.UNSET,
        description="True publishes a draft; false takes it back to draft.",
    )


RETRACTING = (
    "Withdraw it for everyone at the version you read, saying why. Nothing is deleted: the "
    "row stays, readers and editors stop seeing it and what belongs to it, and the audit trail "
    "keeps its history."
)


def given(value: object) -> bool:
    """Whether an optional input field was sent at all (null counts as sent)."""
    return value is not strawberry.UNSET


MAX_REASON = 2_000


async def retract_once(
    info: Info,
    entity: str,
    model: type[Base],
    expected_version: int,
    reason: str,
    find: Callable[[AsyncSession], Awaitable[int]],
    state: State,
    saved: Callable[[AsyncSession, int], Awaitable[T]],
) -> T | EditRefused:
    """Withdraw a record for everyone, keeping it and saying why: nothing is deleted."""

    async def work(session: AsyncSession, actor: Actor) -> T:
        if not reason.strip() or len(reason) > MAX_REASON:
            raise refuse("reason", f"Say why, in 1 to {MAX_REASON} characters.", INVALID)
        row_id = await find(session)
        row = (await queries.by_ids(session, model, [row_id]))[row_id]
        if row.retracted_at is not None:  # type: ignore[attr-defined]
            raise refuse(None, f"The {entity.replace('_', ' ')} is retracted already.", CONFLICT)
        values = {"retracted_at": edits.now(), "retraction_reason": reason}
        await audited_update(
            session,
            info,
            actor,
            entity,
            model,
            row_id,
            expected_version,
            values,
            state,
            action=AuditAction.RETRACT,
        )
        return await saved(session, row_id)

    return await in_transaction(info, work)


async def update_once(
    info: Info,
    entity: str,
    model: type[Base],
    expected_version: int,
    prepare: Callable[[AsyncSession], Awaitable[tuple[int, dict[str, Any]]]],
    state: State,
    saved: Callable[[AsyncSession, int], Awaitable[T]],
) -> T | EditRefused:
    """An update mutation: in one transaction, find and check the change (`prepare` gives the
    record's id and its new values), apply it at `expected_version`, audit it, answer `saved`."""

    async def work(session: AsyncSession, actor: Actor) -> T:
        row_id, values = await prepare(session)
        await audited_update(
            session, info, actor, entity, model, row_id, expected_version, values, state
        )
        return await saved(session, row_id)

    return await in_transaction(info, work)
