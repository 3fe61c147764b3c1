"""Merging one organisation into another: the same body recorded twice.

Every link to the merged organisation moves to the survivor in one transaction: consultations,
influences, expectations, absences, FOI requests it answered, documents it published, its
aliases (its name becomes one) and group memberships. Where a moved row would duplicate one the
survivor has (both consulted on one document in one role, say), the survivor's row keeps it all:
the merged row's evidence (or an FOI request's questions) moves onto it and the merged row is
retracted. The merged organisation is kept, retracted, and its slug resolves to the survivor.

Merging a draft publishes nothing of it: its name and aliases do not become the survivor's,
nor its group memberships; what moves to the survivor moves as a draft; and its slug
resolves only for editors (db/visibility.py).

Each changed row gets a MERGE entry in the audit trail with its before and after.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncSession

from db import edits, models, queries, rules
from db.enums import AuditAction, TokenRole
from schema.context import Actor, Info
from schema.mutations.editing import (
    CONFLICT,
    INVALID,
    MAX_REASON,
    NOT_FOUND,
    in_transaction,
    refuse,
    require_role,
)
from schema.mutations.organisations import (
    ENTITY,
    OrganisationPayload,
    OrganisationSaved,
    organisation_saved,
    organisation_state,
)
from schema.mutations.validation import Checks


# Each kind of row that points at an organisation: its column, and the other columns of the
# rule (db/rules.py) that keeps it unique (None: no rule, so the row always moves).
def _others(rule: rules.UniqueRule, column: str) -> tuple[str, ...]:
    return tuple(c for c in rule.columns if c != column)


LINKS: list[tuple[type[models.Base], str, tuple[str, ...] | None]] = [
    (
        models.Consultation,
        "organisation_id",
        _others(rules.DUPLICATE_CONSULTATION, "organisation_id"),
    ),
    (models.Influence, "organisation_id", _others(rules.DUPLICATE_INFLUENCE, "organisation_id")),
    (
        models.Expectation,
        "organisation_id",
        _others(rules.DUPLICATE_EXPECTATION, "organisation_id"),
    ),
    (models.Absence, "organisation_id", _others(rules.DUPLICATE_ABSENCE, "organisation_id")),
    (models.FoiRequest, "authority_id", _others(rules.DUPLICATE_FOI_REQUEST, "authority_id")),
    (models.Document, "publisher_id", None),
]

# The evidence a claim holds is unique by these columns (DUPLICATE_EVIDENCE).
EVIDENCE_KEY = ("source_id", "locator", "quote")
# What a duplicate row's own records are, and where they move: (child model, its column,
# the columns of the child's own unique key within the parent).
FOLDED: dict[type[models.Base], tuple[type[models.Base], str, tuple[str, ...]]] = {
    models.Consultation: (models.Evidence, "consultation_id", EVIDENCE_KEY),
    models.Influence: (models.Evidence, "influence_id", EVIDENCE_KEY),
    models.Expectation: (models.Evidence, "expectation_id", EVIDENCE_KEY),
    models.Absence: (models.Evidence, "absence_id", EVIDENCE_KEY),
    models.FoiRequest: (models.FoiQuestion, "request_id", ("number",)),
}


class Merge:
    """One merge, inside the caller's transaction, auditing every row it changes."""

    def __init__(
        self, session: AsyncSession, info: Info, actor: Actor, reason: str, *, draft: bool
    ) -> None:
        """`draft`: the merged organisation is unpublished, so what moves is left unpublished."""
        self.session = session
        self.info = info
        self.actor = actor
        self.reason = reason
        self.draft = draft

    def moved(self, model: type[models.Base], **values: Any) -> dict[str, Any]:
        """`values` for a row moving off the merged organisation: unpublished if that was a
        draft (a document stays as it is: it is not the organisation's to hide)."""
        if self.draft and model is not models.Document:
            return {**values, "published": False}
        return values

    async def change(self, row: Any, **values: Any) -> None:
        """Write `values` to a row, raising its version, with a MERGE entry before and after."""
        model, row_id = type(row), row.id
        before = edits.snapshot(row)
        if not await edits.update_versioned(self.session, model, row_id, row.version, **values):
            raise refuse(None, "Another change got there first; nothing was written.", CONFLICT)
        self.session.expire(row)
        after_row = (await queries.by_ids(self.session, model, [row_id]))[row_id]
        await self.audit(model.__tablename__, row_id, before, edits.snapshot(after_row))

    async def audit(
        self, entity: str, entity_id: int, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        await edits.record_change(
            self.session,
            actor=self.actor.name,
            action=AuditAction.MERGE,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            request_id=self.info.context.request_id,
        )

    async def move_links(self, survivor_id: int, merged_id: int) -> None:
        for model, column, key in LINKS:
            table = model.__table__.c
            rows: list[Any] = await queries.rows_where(
                self.session, model, table[column] == merged_id
            )
            for row in rows:
                twin: Any = None
                if key is not None:
                    same = [table[k] == getattr(row, k) for k in key]
                    twins = await queries.rows_where(
                        self.session, model, and_(table[column] == survivor_id, *same)
                    )
                    twin = twins[0] if twins else None
                if twin is None:
                    await self.change(row, **self.moved(model, **{column: survivor_id}))
                elif twin.retracted_at is not None:
                    raise refuse(
                        "survivor",
                        f"The survivor has a retracted {model.__tablename__.replace('_', ' ')} "
                        f"(number {twin.id}) where one of the merged organisation's would move: "
                        "the two cannot be folded together. Nothing was written.",
                        CONFLICT,
                    )
                elif row.retracted_at is None:
                    await self.fold(row, twin)

    async def fold(self, row: Any, twin: Any) -> None:
        """Move a duplicate row's evidence (or questions) onto the survivor's twin; retract it."""
        child, column, key = FOLDED[type(row)]
        children = child.__table__.c
        kept = await queries.rows_where(self.session, child, children[column] == twin.id)
        taken = {tuple(getattr(c, k) for k in key) for c in kept}
        position = max((getattr(c, "position", 0) for c in kept), default=0) + 1
        moving: list[Any] = await queries.rows_where(
            self.session, child, children[column] == row.id
        )
        for item in sorted(moving, key=lambda c: (getattr(c, "position", 0), c.id)):
            if tuple(getattr(item, k) for k in key) in taken:
                continue  # the twin has this very one: the duplicate stays with `row`
            values: dict[str, Any] = {column: twin.id}
            if hasattr(item, "position"):
                values["position"] = position
                position += 1
            await self.change(item, **self.moved(child, **values))
        await self.change(
            row,
            retracted_at=edits.now(),
            retraction_reason=f"Merged into {row.__tablename__.replace('_', ' ')} {twin.id}: "
            f"{self.reason}",
        )

    async def copy_aliases_and_groups(
        self, survivor: models.Organisation, merged: models.Organisation
    ) -> None:
        if self.draft:
            return  # its names and memberships stay with it, retracted: none is published
        session = self.session
        aliases = await queries.children(
            session,
            models.OrganisationAlias.organisation_id,
            [survivor.id, merged.id],
            models.OrganisationAlias.position,
        )
        held = [a.alias for a in aliases.get(survivor.id, [])]
        wanted = [merged.name, *(a.alias for a in aliases.get(merged.id, []))]
        new = [a for a in dict.fromkeys(wanted) if a not in held and a != survivor.name]
        session.add_all(
            models.OrganisationAlias(organisation_id=survivor.id, alias=alias, position=n)
            for n, alias in enumerate(new, start=len(held) + 1)
        )
        memberships = await queries.memberships_of_organisations(session, [survivor.id, merged.id])
        has = {g.id for _, g in memberships.get(survivor.id, [])}
        # A moved membership keeps where it came from.
        session.add_all(
            models.OrganisationGroup(
                organisation_id=survivor.id, group_id=g.id, basis=m.basis, note=m.note
            )
            for m, g in memberships.get(merged.id, [])
            if g.id not in has
        )
        await session.flush()


async def _organisation(session: AsyncSession, checks: Checks, field: str, slug: str) -> Any:
    found = (await queries.by_slugs(session, models.Organisation, [slug])).get(slug)
    if found is None:
        checks.fail(field, f"No organisation has the slug '{slug[:100]}'.", NOT_FOUND)
    elif found.retracted_at is not None:
        checks.fail(field, f"The organisation '{slug[:100]}' is retracted.", INVALID)
    return found


@strawberry.type
class OrganisationMergeMutation:
    @strawberry.mutation(
        description="Admins only. Merge `merged` into `survivor`, the same body recorded twice: "
        "every link moves to the survivor in one transaction (duplicates are folded together, "
        "keeping their evidence), the merged organisation is retracted and its slug resolves to "
        "the survivor. Merging a draft publishes nothing of it: its names and groups stay with "
        "it, what moves becomes a draft, and its slug resolves for editors only. Each version "
        "is the one you read; a stale one is a CONFLICT."
    )
    async def merge_organisations(
        self,
        info: Info,
        survivor: str,
        merged: str,
        survivor_version: int,
        merged_version: int,
        reason: str,
    ) -> OrganisationPayload:
        require_role(info, TokenRole.ADMIN)

        async def work(session: AsyncSession, actor: Actor) -> OrganisationSaved:
            checks = Checks()
            if not reason.strip() or len(reason) > MAX_REASON:
                checks.fail("reason", f"Say why, in 1 to {MAX_REASON} characters.")
            if survivor == merged:
                checks.broken("merged", rules.MERGED_INTO_ITSELF)
            kept = await _organisation(session, checks, "survivor", survivor)
            gone = await _organisation(session, checks, "merged", merged)
            checks.done()
            for row, expected, field in (
                (kept, survivor_version, "survivorVersion"),
                (gone, merged_version, "mergedVersion"),
            ):
                if row.version != expected:
                    checks.fail(
                        field,
                        f"'{row.slug}' is at version {row.version}, not {expected}: it changed "
                        "since that version was read. Reload and try again.",
                        CONFLICT,
                    )
            checks.done()
            survivor_id, merged_id = kept.id, gone.id
            survivor_slug, merged_slug = kept.slug, gone.slug
            survivor_before = await organisation_state(session, survivor_id)
            merged_before = await organisation_state(session, merged_id)

            merge = Merge(session, info, actor, reason, draft=not gone.published)
            await merge.copy_aliases_and_groups(kept, gone)
            await merge.move_links(survivor_id, merged_id)
            when = edits.now()
            await edits.redirect_organisation(session, merged_id, survivor_id)
            session.add(
                models.OrganisationRedirect(
                    slug=merged_slug,
                    organisation_id=survivor_id,
                    merged_id=merged_id,
                    merged_at=when,
                )
            )
            for row_id, expected, values in (
                (survivor_id, survivor_version, {}),
                (
                    merged_id,
                    merged_version,
                    {
                        "retracted_at": when,
                        "retraction_reason": f"Merged into '{survivor_slug}': {reason}",
                    },
                ),
            ):
                if not await edits.update_versioned(
                    session, models.Organisation, row_id, expected, **values
                ):
                    raise refuse(
                        None, "Another change got there first; nothing was written.", CONFLICT
                    )
            session.expire_all()
            await merge.audit(
                ENTITY,
                survivor_id,
                survivor_before,
                {**await organisation_state(session, survivor_id), "merged": merged_slug},
            )
            await merge.audit(
                ENTITY,
                merged_id,
                merged_before,
                {**await organisation_state(session, merged_id), "mergedInto": survivor_slug},
            )
            return await organisation_saved(session, survivor_id)

        return await in_transaction(info, work)
