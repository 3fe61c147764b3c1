"""Creating and updating topics."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from schema.context import Actor, Info
from schema.mutations.editing import (
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
from schema.mutations.evidence_input import found_by_slug, given_values
from schema.mutations.validation import MAX_NAME, MAX_TEXT, Checks
from schema.types.topics import Topic

ENTITY = "topic"
_state = row_state(models.Topic)


@strawberry.input(description="A new topic.")
class TopicInput:
    slug: str
    name: str
    description: str | None = None
    published: bool = publishing()


@strawberry.input(description="Changes to a topic: only the fields given change.")
class TopicChanges:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The topic as it is after the change.")
class TopicSaved:
    topic: Topic


TopicPayload = Annotated[TopicSaved | EditRefused, strawberry.union("TopicPayload")]


async def _saved(session: AsyncSession, topic_id: int) -> TopicSaved:
    row = (await queries.by_ids(session, models.Topic, [topic_id]))[topic_id]
    return TopicSaved(topic=Topic.from_row(row))


@strawberry.type
class TopicMutation:
    @strawberry.mutation(description="Add a topic. An idempotency key makes repeats safe.")
    async def create_topic(
        self, info: Info, input: TopicInput, idempotency_key: str | None = None
    ) -> TopicPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.slug("input.slug", input.slug)
            checks.text("input.name", input.name, MAX_NAME, required=True)
            checks.text("input.description", input.description, MAX_TEXT)
            if await queries.by_slugs(session, models.Topic, [input.slug]):
                checks.broken("input.slug", rules.SLUG_TAKEN, "A topic has this slug already.")
            checks.done()
            row = models.Topic(
                slug=input.slug,
                name=input.name,
                description=input.description,
                published=input.published,
            )
            return await audited_insert(session, info, actor, ENTITY, row, _state)

        return await create_once(
            info, idempotency_key, "createTopic", asdict(input), create, _saved
        )

    @strawberry.mutation(
        description="Change a topic at the version you read; a stale one is a CONFLICT."
    )
    async def update_topic(
        self, info: Info, slug: str, expected_version: int, changes: TopicChanges
    ) -> TopicPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = (await queries.by_slugs(session, models.Topic, [slug])).get(slug)
            if current is None:
                raise refuse("slug", f"No topic has the slug '{slug[:100]}'.", NOT_FOUND)
            topic_id = current.id
            checks = Checks()
            values = given_values(checks, "changes", changes, required=("name", "published"))
            if values.get("name") is not None:
                checks.text("changes.name", values["name"], MAX_NAME, required=True)
            if "description" in values:
                checks.text("changes.description", values["description"], MAX_TEXT)
            checks.done()
            return topic_id, values

        return await update_once(
            info, ENTITY, models.Topic, expected_version, prepare, _state, _saved
        )

    @strawberry.mutation(
        description=f"Retract a topic; the omissions recorded against it go with it. {RETRACTING}"
    )
    async def retract_topic(
        self, info: Info, slug: str, expected_version: int, reason: str
    ) -> TopicPayload:
        find = found_by_slug(models.Topic, slug, "topic")
        return await retract_once(
            info, ENTITY, models.Topic, expected_version, reason, find, _state, _saved
        )
