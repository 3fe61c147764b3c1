"""Possible duplicate organisations: what a save warns of, the pairs awaiting an editor's
review, and marking a pair reviewed as distinct (see db/duplicates.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import duplicates, edits, models, queries
from db.enums import AuditAction
from schema.context import Actor, Info, loaders
from schema.errors import UserInputError
from schema.mutations.editing import (
    INVALID,
    NOT_FOUND,
    EditRefused,
    in_transaction,
    refuse,
    require_role,
)
from schema.types.organisations import Organisation

MAX_PAIRS = 500


@strawberry.type(
    description="Another organisation whose name or an alias is close to this one's: perhaps "
    "the same organisation, recorded twice. The save went through all the same."
)
class PossibleDuplicate:
    organisation: Organisation
    name: str = strawberry.field(description="Its name or alias that is close.")
    matched: str = strawberry.field(description="This organisation's name or alias it is close to.")
    reason: str = strawberry.field(
        description="Why: same name apart from spacing and punctuation, acronym, or similar name."
    )
    score: float = strawberry.field(description="How close, out of 100.")


@strawberry.type(description="Two organisations that may be one, awaiting an editor's review.")
class DuplicatePair:
    first: Organisation
    second: Organisation
    first_name: str
    second_name: str
    reason: str
    score: float


@strawberry.type(description="The pair is marked distinct: it is no longer listed for review.")
class PairMarkedDistinct:
    first: Organisation
    second: Organisation


DistinctPayload = Annotated[PairMarkedDistinct | EditRefused, strawberry.union("DistinctPayload")]


async def possible_duplicates(
    session: AsyncSession, organisation_id: int
) -> list[PossibleDuplicate]:
    """The organisations that may be the same as this one, closest first."""
    matches = await duplicates.duplicates_of(session, organisation_id)
    rows = await queries.by_ids(session, models.Organisation, [m.second_id for m in matches])
    return [
        PossibleDuplicate(
            organisation=Organisation.from_row(rows[match.second_id]),
            name=match.second_name,
            matched=match.first_name,
            reason=match.reason,
            score=match.score,
        )
        for match in matches
    ]


@strawberry.type
class DuplicateQuery:
    @strawberry.field(
        description="Pairs of organisations whose names or aliases are close (possible "
        "duplicates) and that no editor has marked distinct, closest first; editors only."
    )
    async def possible_duplicate_organisations(
        self, info: Info, first: int = 100
    ) -> list[DuplicatePair]:
        require_role(info)
        if not 0 <= first <= MAX_PAIRS:
            raise UserInputError(f"first is 0 to {MAX_PAIRS}.")
        matches = (await loaders(info).read(duplicates.pairs_awaiting_review))[:first]
        ids = {i for match in matches for i in (match.first_id, match.second_id)}
        rows = await loaders(info).read(
            lambda session: queries.by_ids(session, models.Organisation, ids)
        )
        return [
            DuplicatePair(
                first=Organisation.from_row(rows[match.first_id]),
                second=Organisation.from_row(rows[match.second_id]),
                first_name=match.first_name,
                second_name=match.second_name,
                reason=match.reason,
                score=match.score,
            )
            for match in matches
        ]


@strawberry.type
class DuplicateMutation:
    @strawberry.mutation(
        description="Mark two organisations, by slug, as reviewed and distinct: they are no "
        "longer listed as possible duplicates of each other."
    )
    async def mark_organisations_distinct(
        self, info: Info, first: str, second: str
    ) -> DistinctPayload:
        async def work(session: AsyncSession, actor: Actor) -> PairMarkedDistinct:
            found = await queries.by_slugs(session, models.Organisation, [first, second])
            for field, slug in (("first", first), ("second", second)):
                if slug not in found:
                    raise refuse(field, f"No organisation has the slug '{slug[:100]}'.", NOT_FOUND)
            if first == second:
                raise refuse("second", "Give two different organisations.", INVALID)
            low, high = sorted((found[first].id, found[second].id))
            if (low, high) not in await duplicates.distinct_pairs(session, [low]):
                row = models.OrganisationDistinctPair(
                    first_id=low, second_id=high, marked_by=actor.name, marked_at=edits.now()
                )
                session.add(row)
                await session.flush()
                await edits.record_change(
                    session,
                    actor=actor.name,
                    action=AuditAction.CREATE,
                    entity=row.__tablename__,
                    entity_id=low,
                    before=None,
                    after=edits.snapshot(row),
                    request_id=info.context.request_id,
                )
            return PairMarkedDistinct(
                first=Organisation.from_row(found[first]),
                second=Organisation.from_row(found[second]),
            )

        return await in_transaction(info, work)
