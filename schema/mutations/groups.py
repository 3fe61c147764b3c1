"""Creating, updating and retracting stakeholder groups.

Groups form a tree, so a group's parent can never be itself or a group below it. Readers see a
group only when they can see its parent, and nothing may point at a retracted group; the rules
below keep both true at every write, since one query cannot follow a tree of any depth:

- a published group's parent is published: a published group under a draft is refused, and so
  is taking a group with published groups below it back to draft;
- a group still in use (groups below it, member organisations, expectations or absences naming
  it) cannot be retracted: IN_USE, listing the uses. Move or retract them first.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from schema.context import Actor, Info
from schema.mutations.editing import (
    IN_USE,
    NOT_FOUND,
    RETRACTING,
    EditRefused,
    audited_insert,
    create_once,
    publishing,
    publishing_change,
    refuse,
    retract_once,
    row_state,
    update_once,
)
from schema.mutations.evidence_input import found_by_slug, given_values, slug_id
from schema.mutations.validation import MAX_NAME, MAX_TEXT, Checks
from schema.types.organisations import StakeholderGroup

ENTITY = "stakeholder_group"
MAX_GROUP_POSITION = 10_000
_state = row_state(models.StakeholderGroup)


@strawberry.input(description="A new stakeholder group.")
class StakeholderGroupInput:
    slug: str
    name: str
    description: str | None = None
    parent: str | None = strawberry.field(
        default=None, description="The parent group's slug; null for a group at the top."
    )
    position: int = strawberry.field(default=0, description="Its place among its siblings.")
    published: bool = publishing()


@strawberry.input(description="Changes to a stakeholder group: only the fields given change.")
class StakeholderGroupChanges:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    parent: str | None = strawberry.field(
        default=strawberry.UNSET, description="The parent group's slug; null for the top."
    )
    position: int | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The stakeholder group as it is after the change.")
class StakeholderGroupSaved:
    stakeholder_group: StakeholderGroup


StakeholderGroupPayload = Annotated[
    StakeholderGroupSaved | EditRefused, strawberry.union("StakeholderGroupPayload")
]


def _check(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    if values.get("name") is not None:
        checks.text(f"{prefix}.name", values["name"], MAX_NAME, required=True)
    if "description" in values:
        checks.text(f"{prefix}.description", values["description"], MAX_TEXT)
    position = values.get("position")
    if position is not None and not 0 <= position <= MAX_GROUP_POSITION:
        checks.fail(f"{prefix}.position", f"A position from 0 to {MAX_GROUP_POSITION}.")


async def _makes_cycle(session: AsyncSession, group_id: int, parent_id: int) -> bool:
    """Whether `parent_id` is the group itself or below it."""
    parents = {g.id: g.parent_id for g in await queries.all_groups(session)}
    seen: set[int] = set()
    at: int | None = parent_id
    while at is not None and at not in seen:
        if at == group_id:
            return True
        seen.add(at)
        at = parents.get(at)
    return False


async def _check_parent_published(
    session: AsyncSession, checks: Checks, field: str, parent_id: int
) -> None:
    parent = (await queries.by_ids(session, models.StakeholderGroup, [parent_id]))[parent_id]
    if not parent.published:
        checks.fail(
            field,
            f"The parent '{parent.slug}' is a draft: publish it first, or keep this group a draft.",
        )


async def _saved(session: AsyncSession, group_id: int) -> StakeholderGroupSaved:
    row = (await queries.by_ids(session, models.StakeholderGroup, [group_id]))[group_id]
    return StakeholderGroupSaved(stakeholder_group=StakeholderGroup.from_row(row))


@strawberry.type
class StakeholderGroupMutation:
    @strawberry.mutation(
        description="Add a stakeholder group, at the top or below a parent. An idempotency key "
        "makes repeats safe."
    )
    async def create_stakeholder_group(
        self, info: Info, input: StakeholderGroupInput, idempotency_key: str | None = None
    ) -> StakeholderGroupPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.slug("input.slug", input.slug)
            checks.text("input.name", input.name, MAX_NAME, required=True)
            _check(checks, "input", {"description": input.description, "position": input.position})
            parent_id = None
            if input.parent is not None:
                parent_id = await slug_id(
                    session,
                    checks,
                    models.StakeholderGroup,
                    "input.parent",
                    input.parent,
                    "stakeholder group",
                )
            if await queries.by_slugs(session, models.StakeholderGroup, [input.slug]):
                checks.broken(
                    "input.slug", rules.SLUG_TAKEN, "A stakeholder group has this slug already."
                )
            if input.published and parent_id is not None:
                await _check_parent_published(session, checks, "input.parent", parent_id)
            checks.done()
            row = models.StakeholderGroup(
                slug=input.slug,
                name=input.name,
                description=input.description,
                parent_id=parent_id,
                position=input.position,
                published=input.published,
            )
            return await audited_insert(session, info, actor, ENTITY, row, _state)

        return await create_once(
            info, idempotency_key, "createStakeholderGroup", asdict(input), create, _saved
        )

    @strawberry.mutation(
        description="Change a stakeholder group at the version you read. A parent that is the "
        "group itself or below it is refused."
    )
    async def update_stakeholder_group(
        self, info: Info, slug: str, expected_version: int, changes: StakeholderGroupChanges
    ) -> StakeholderGroupPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = (await queries.by_slugs(session, models.StakeholderGroup, [slug])).get(slug)
            if current is None:
                raise refuse(
                    "slug", f"No stakeholder group has the slug '{slug[:100]}'.", NOT_FOUND
                )
            group_id = current.id
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("name", "position", "published")
            )
            _check(checks, "changes", values)
            if "parent" in values:
                parent = values.pop("parent")
                parent_id = None
                if parent is not None:
                    parent_id = await slug_id(
                        session,
                        checks,
                        models.StakeholderGroup,
                        "changes.parent",
                        parent,
                        "stakeholder group",
                    )
                    if parent_id is not None and await _makes_cycle(session, group_id, parent_id):
                        checks.fail(
                            "changes.parent",
                            "A group cannot be below itself: this parent is the group or one "
                            "of the groups below it.",
                        )
                values["parent_id"] = parent_id
            published = values.get("published", current.published)
            parent_id = values.get("parent_id", current.parent_id)
            if (
                published
                and parent_id is not None
                and ("parent_id" in values or "published" in values)
            ):
                await _check_parent_published(session, checks, "changes.parent", parent_id)
            if values.get("published") is False and await queries.taken(
                session,
                models.StakeholderGroup,
                {"parent_id": group_id, "published": True, "retracted_at": None},
            ):
                checks.fail(
                    "changes.published",
                    "Published groups are below this one: make them drafts first, or readers "
                    "would see groups whose parent they cannot.",
                    IN_USE,
                )
            checks.done()
            return group_id, values

        return await update_once(
            info, ENTITY, models.StakeholderGroup, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(
        description=f"Retract a stakeholder group. {RETRACTING} A group still in use (groups "
        "below it, member organisations, expectations or absences naming it) is refused with "
        "IN_USE: move or retract those first."
    )
    async def retract_stakeholder_group(
        self, info: Info, slug: str, expected_version: int, reason: str
    ) -> StakeholderGroupPayload:
        async def find(session: AsyncSession) -> int:
            group_id = await found_by_slug(models.StakeholderGroup, slug, "stakeholder group")(
                session
            )
            uses = await queries.group_uses(session, group_id)
            if uses:
                raise refuse(
                    "slug",
                    f"The group is still in use ({', '.join(uses)}): move or retract those "
                    "first. Nothing was written.",
                    IN_USE,
                )
            return group_id

        return await retract_once(
            info, ENTITY, models.StakeholderGroup, expected_version, reason, find, _state, _saved
        )
