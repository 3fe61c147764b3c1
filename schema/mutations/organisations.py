"""Creating and updating organisations, with their aliases and stakeholder groups."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import edits, models, queries, rules
from db.enums import MembershipBasis
from schema.context import Actor, Info
from schema.mutations.editing import (
    NOT_FOUND,
    EditRefused,
    audited_insert,
    audited_update,
    create_once,
    given,
    in_transaction,
    refuse,
    retract_once,
)
from schema.mutations.validation import MAX_NAME, MAX_TEXT, Checks
from schema.types.duplicates import PossibleDuplicate, possible_duplicates
from schema.types.organisations import Organisation

ENTITY = "organisation"


@strawberry.input(description="A stakeholder group an organisation belongs to, and on what basis.")
class GroupMembershipInput:
    group: str = strawberry.field(description="The group's slug.")
    basis: MembershipBasis = MembershipBasis.SOURCE
    note: str | None = strawberry.field(
        default=None,
        description="Required unless the basis is SOURCE: which words of a source, or what "
        "outside knowledge, the membership comes from.",
    )


@strawberry.input(description="A new organisation.")
class OrganisationInput:
    slug: str
    name: str
    named: bool = strawberry.field(
        default=True, description="False for a party a source describes without naming."
    )
    description: str | None = None
    url: str | None = None
    aliases: list[str] = strawberry.field(default_factory=list)
    groups: list[str] = strawberry.field(
        default_factory=list, description="Stakeholder group slugs, each as a source says."
    )
    memberships: list[GroupMembershipInput] = strawberry.field(
        default_factory=list,
        description="Instead of `groups`: each group with where the membership comes from.",
    )
    published: bool = strawberry.field(
        default=True, description="False keeps it a draft, seen by editors only."
    )


@strawberry.input(description="Changes to an organisation: only the fields given change.")
class OrganisationChanges:
    name: str | None = strawberry.UNSET
    named: bool | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every alias."
    )
    groups: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every group membership (slugs)."
    )
    memberships: list[GroupMembershipInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Instead of `groups`: replaces every membership, each with its basis.",
    )
    published: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True publishes a draft; false withdraws it to draft."
    )


@strawberry.type(description="The organisation as it is after the change.")
class OrganisationSaved:
    organisation: Organisation
    possible_duplicates: list[PossibleDuplicate] = strawberry.field(
        default_factory=list,
        description="Organisations whose name or an alias is close to this one's: perhaps the "
        "same one recorded twice. The change is saved all the same; review them, and merge or "
        "mark the pair distinct.",
    )


OrganisationPayload = Annotated[
    OrganisationSaved | EditRefused, strawberry.union("OrganisationPayload")
]


async def _memberships(
    session: AsyncSession,
    checks: Checks,
    field: str,
    groups: list[str] | None,
    memberships: list[GroupMembershipInput] | None,
) -> list[dict[str, Any]] | None:
    """The membership rows `groups` (plain slugs) or `memberships` ask for: None if neither."""
    if groups is not None and memberships is not None:
        checks.fail(f"{field}.memberships", "Give groups or memberships, not both.")
        return None
    if groups is None and memberships is None:
        return None
    wanted = (
        [GroupMembershipInput(group=slug) for slug in groups]
        if groups is not None
        else list(memberships or [])
    )
    path = f"{field}.groups" if groups is not None else f"{field}.memberships"
    checks.items(path, [m.group for m in wanted], MAX_NAME, rules.DUPLICATE_MEMBERSHIP)
    found = await queries.by_slugs(session, models.StakeholderGroup, [m.group for m in wanted])
    rows = []
    for n, membership in enumerate(wanted):
        at = f"{path}[{n}]"
        checks.text(f"{at}.note", membership.note, MAX_TEXT)
        if membership.basis is not MembershipBasis.SOURCE and not (membership.note or "").strip():
            checks.fail(f"{at}.note", "Say where a membership no source states comes from.")
        group = found.get(membership.group)
        if group is None:
            checks.broken(
                at,
                rules.UNKNOWN_REFERENCE,
                f"No stakeholder group has the slug '{membership.group[:100]}'.",
            )
            continue
        rows.append({"group_id": group.id, "basis": membership.basis, "note": membership.note})
    return rows


async def organisation_state(session: AsyncSession, organisation_id: int) -> dict[str, Any]:
    """The organisation with its aliases and groups, as the audit trail records it."""
    row = (await queries.by_ids(session, models.Organisation, [organisation_id]))[organisation_id]
    aliases = await queries.children(
        session,
        models.OrganisationAlias.organisation_id,
        [organisation_id],
        models.OrganisationAlias.position,
    )
    memberships = await queries.memberships_of_organisations(session, [organisation_id])
    return edits.snapshot(
        row,
        aliases=[a.alias for a in aliases.get(organisation_id, [])],
        groups=[g.slug for _, g in memberships.get(organisation_id, [])],
        memberships=[
            {"group": g.slug, "basis": m.basis.value, "note": m.note}
            for m, g in memberships.get(organisation_id, [])
        ],
    )


async def _set_links(
    session: AsyncSession,
    organisation_id: int,
    aliases: list[str] | None,
    memberships: list[dict[str, Any]] | None,
) -> None:
    if aliases is not None:
        await edits.replace_children(
            session,
            models.OrganisationAlias,
            "organisation_id",
            organisation_id,
            [{"alias": alias, "position": n} for n, alias in enumerate(aliases, start=1)],
        )
    if memberships is not None:
        await edits.replace_children(
            session, models.OrganisationGroup, "organisation_id", organisation_id, memberships
        )


async def organisation_saved(session: AsyncSession, organisation_id: int) -> OrganisationSaved:
    row = (await queries.by_ids(session, models.Organisation, [organisation_id]))[organisation_id]
    return OrganisationSaved(
        organisation=Organisation.from_row(row),
        possible_duplicates=await possible_duplicates(session, organisation_id),
    )


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(
        description="Add an organisation. With an idempotency key, a repeat of the same request "
        "returns the organisation the first one created."
    )
    async def create_organisation(
        self, info: Info, input: OrganisationInput, idempotency_key: str | None = None
    ) -> OrganisationPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.slug("input.slug", input.slug)
            checks.text("input.name", input.name, MAX_NAME, required=True)
            checks.text("input.description", input.description, MAX_TEXT)
            checks.url("input.url", input.url)
            checks.items("input.aliases", input.aliases, MAX_NAME, rules.DUPLICATE_ALIAS)
            memberships = await _memberships(
                session, checks, "input", input.groups or None, input.memberships or None
            )
            if await queries.by_slugs(session, models.Organisation, [input.slug]):
                checks.broken(
                    "input.slug", rules.SLUG_TAKEN, "An organisation has this slug already."
                )
            checks.done()
            row = models.Organisation(
                slug=input.slug,
                name=input.name,
                named=input.named,
                description=input.description,
                url=input.url,
                published=input.published,
            )

            async def links(organisation_id: int) -> None:
                await _set_links(session, organisation_id, input.aliases, memberships or [])

            return await audited_insert(
                session, info, actor, ENTITY, row, organisation_state, links
            )

        return await create_once(
            info, idempotency_key, "createOrganisation", asdict(input), create, organisation_saved
        )

    @strawberry.mutation(
        description="Change an organisation. `expectedVersion` is the version you read: if "
        "someone changed it since, nothing is written and the answer says CONFLICT."
    )
    async def update_organisation(
        self, info: Info, slug: str, expected_version: int, changes: OrganisationChanges
    ) -> OrganisationPayload:
        async def work(session: AsyncSession, actor: Actor) -> OrganisationSaved:
            current = (await queries.by_slugs(session, models.Organisation, [slug])).get(slug)
            if current is None:
                raise refuse("slug", f"No organisation has the slug '{slug[:100]}'.", NOT_FOUND)
            # Rows are re-read after the update below: keep the id, not the stale row.
            organisation_id = current.id
            checks = Checks()
            values: dict[str, Any] = {}
            if given(changes.name):
                checks.text("changes.name", changes.name or "", MAX_NAME, required=True)
                values["name"] = changes.name
            if given(changes.named):
                if changes.named is None:
                    checks.fail("changes.named", "named is true or false, not null.")
                values["named"] = changes.named
            if given(changes.description):
                checks.text("changes.description", changes.description, MAX_TEXT)
                values["description"] = changes.description
            if given(changes.url):
                checks.url("changes.url", changes.url)
                values["url"] = changes.url
            if given(changes.published):
                if changes.published is None:
                    checks.fail("changes.published", "published is true or false, not null.")
                values["published"] = changes.published
            aliases = changes.aliases if given(changes.aliases) else None
            checks.items("changes.aliases", aliases, MAX_NAME, rules.DUPLICATE_ALIAS)
            memberships = await _memberships(
                session,
                checks,
                "changes",
                changes.groups if given(changes.groups) else None,
                changes.memberships if given(changes.memberships) else None,
            )
            checks.done()

            async def links(organisation_id: int) -> None:
                await _set_links(session, organisation_id, aliases, memberships)

            await audited_update(
                session,
                info,
                actor,
                ENTITY,
                models.Organisation,
                organisation_id,
                expected_version,
                values,
                organisation_state,
                links,
            )
            return await organisation_saved(session, organisation_id)

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Withdraw an organisation for everyone, saying why. Nothing is deleted: the "
        "record and its history stay in the audit trail."
    )
    async def retract_organisation(
        self, info: Info, slug: str, expected_version: int, reason: str
    ) -> OrganisationPayload:
        async def find(session: AsyncSession) -> int:
            current = (await queries.by_slugs(session, models.Organisation, [slug])).get(slug)
            if current is None:
                raise refuse("slug", f"No organisation has the slug '{slug[:100]}'.", NOT_FOUND)
            return current.id

        return await retract_once(
            info,
            ENTITY,
            models.Organisation,
            expected_version,
            reason,
            find,
            organisation_state,
            organisation_saved,
        )
