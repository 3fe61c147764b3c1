"""Topics: what documents and principles cover, and what a source shows a document leaves out;
and absences, a source showing that a group or organisation was not consulted.

Like coverage, this tells a recorded gap (with evidence) from no record either way: a document
that is neither tagged with a topic nor recorded as leaving it out says nothing about it.
"""

from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry
from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from db import models, queries
from schema.context import Info, loaders
from schema.errors import UserInputError
from schema.ids import global_id
from schema.reads import resolve
from schema.reads.bounds import paged
from schema.reads.pagination import DEFAULT_PAGE, Connection, connection, page_arguments
from schema.reads.resolve import evidence_of, required
from schema.types.node import Edited, Node

if TYPE_CHECKING:
    from schema.types.consultations import Evidence
    from schema.types.documents import Document, Principle
    from schema.types.organisations import Organisation, StakeholderGroup

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
PrincipleType = Annotated["Principle", strawberry.lazy("schema.types.documents")]
EvidenceType = Annotated["Evidence", strawberry.lazy("schema.types.consultations")]
OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]
StakeholderGroupType = Annotated["StakeholderGroup", strawberry.lazy("schema.types.organisations")]


@strawberry.type(
    description="A subject documents and principles cover, or a source shows a document leaves "
    "out: kerb crawling, exploitation..."
)
class Topic(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "topic"
    id: strawberry.ID
    slug: str
    name: str
    description: str | None
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Topic) -> "Topic":
        return cls(
            id=strawberry.ID(global_id("Topic", row.id)),
            slug=row.slug,
            name=row.name,
            description=row.description,
            version=row.version,
            published=row.published,
            db_id=row.id,
        )

    @strawberry.field(
        description="Documents recorded as covering this topic, in the order they were "
        "recorded. A document missing here is not shown to leave it out: see omittedBy."
    )
    async def documents(
        self, info: Info, first: int | None = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[DocumentType]:
        from schema.types.documents import Document

        first, after_key = page_arguments(first, after)
        at_site = loaders(info)
        link = models.DocumentTopic
        page = await at_site.linked_page(
            link.topic_id, link.document_id, models.Document, first, after_key
        ).load(self.db_id)
        count = at_site.count(link.topic_id)
        return connection(
            page, Document.from_row, lambda row: row.id, lambda: count.load(self.db_id), after_key
        )

    @strawberry.field(
        extensions=[paged(20)], description="Principles recorded as covering this topic."
    )
    async def principles(self, info: Info) -> list[PrincipleType]:
        from schema.types.documents import Principle

        link = models.PrincipleTopic
        loader = loaders(info).linked(
            link.topic_id,
            link.principle_id,
            models.Principle,
            models.Principle.document_id,
            models.Principle.position,
        )
        return [Principle.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        extensions=[paged(20)], description="The documents a source shows leave this topic out."
    )
    async def omitted_by(self, info: Info) -> list["TopicOmission"]:
        loader = loaders(info).children(models.TopicOmission.topic_id, models.TopicOmission.id)
        return [TopicOmission.from_row(row) for row in await loader.load(self.db_id)]


async def topics_of(info: Info, key: InstrumentedAttribute[int], parent_id: int) -> list[Topic]:
    """The topics a document or principle covers, by name; `key` is its join-table column."""
    target: InstrumentedAttribute[int] = key.class_.topic_id
    loader = loaders(info).linked(key, target, models.Topic, models.Topic.name, models.Topic.id)
    return [Topic.from_row(row) for row in await loader.load(parent_id)]


@strawberry.type(description="A topic a source shows a document leaves out, and that evidence.")
class TopicOmission(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "topic_omission"
    id: strawberry.ID = strawberry.field(description="Pass it to updateTopicOmission.")
    summary: str | None = strawberry.field(
        description="What the source says, and how strongly it shows the topic is left out."
    )
    db_id: strawberry.Private[int]
    document_id: strawberry.Private[int]
    topic_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.TopicOmission) -> "TopicOmission":
        return cls(
            id=strawberry.ID(global_id("TopicOmission", row.id)),
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            document_id=row.document_id,
            topic_id=row.topic_id,
        )

    @strawberry.field
    async def topic(self, info: Info) -> Topic:
        return Topic.from_row(await required(loaders(info).by_id(models.Topic), self.topic_id))

    @strawberry.field(description="The document that leaves the topic out.")
    async def document(self, info: Info) -> DocumentType:
        return await resolve.document(info, self.document_id)

    @strawberry.field(extensions=[paged(10)])
    async def evidence(self, info: Info) -> list[EvidenceType]:
        return await evidence_of(info, models.Evidence.omission_id, self.db_id)


@strawberry.type(
    description="Evidence of absence: a source shows a group or organisation was not consulted "
    "on a document. Its evidence's confidence says whether the source states it or it is inferred."
)
class Absence(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "absence"
    id: strawberry.ID = strawberry.field(description="Pass it to updateAbsence.")
    summary: str = strawberry.field(
        description="What the source shows, and how strongly (a source that does not name a "
        "group is weaker than one that says it was not asked)."
    )
    db_id: strawberry.Private[int]
    document_id: strawberry.Private[int]
    group_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Absence) -> "Absence":
        return cls(
            id=strawberry.ID(global_id("Absence", row.id)),
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            document_id=row.document_id,
            group_id=row.group_id,
            organisation_id=row.organisation_id,
        )

    @strawberry.field
    async def document(self, info: Info) -> DocumentType:
        return await resolve.document(info, self.document_id)

    @strawberry.field(description="The group not consulted; null if it is an organisation.")
    async def group(self, info: Info) -> StakeholderGroupType | None:
        from schema.types.organisations import StakeholderGroup

        if self.group_id is None:
            return None
        tree = await loaders(info).group_tree()
        return StakeholderGroup.from_row(tree.groups[self.group_id])

    @strawberry.field(description="The organisation not consulted; null if it is a group.")
    async def organisation(self, info: Info) -> OrganisationType | None:
        if self.organisation_id is None:
            return None
        return await resolve.organisation(info, self.organisation_id)

    @strawberry.field(extensions=[paged(10)])
    async def evidence(self, info: Info) -> list[EvidenceType]:
        return await evidence_of(info, models.Evidence.absence_id, self.db_id)


@strawberry.type
class TopicQuery:
    """Topics, the documents that cover them and the documents that leave them out."""

    @strawberry.field(description="A topic by its slug; null if there is none.")
    async def topic(self, info: Info, slug: str) -> Topic | None:
        row = await loaders(info).by_slug(models.Topic).load(slug)
        return Topic.from_row(row) if row else None

    @strawberry.field(extensions=[paged(100)], description="Every topic, by name.")
    async def topics(self, info: Info) -> list[Topic]:
        rows = await loaders(info).read(
            lambda s: queries.all_rows(s, models.Topic, models.Topic.name, models.Topic.id)
        )
        return [Topic.from_row(row) for row in rows]

    @strawberry.field(
        description="Topics that a source shows documents leave out, each with its evidence, in "
        "the order recorded. `topic` (a slug) keeps one topic: which documents leave out kerb "
        "crawling? Documents with no record either way are not listed."
    )
    async def topics_not_covered(
        self,
        info: Info,
        topic: str | None = None,
        first: int | None = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[TopicOmission]:
        first, after_key = page_arguments(first, after)
        at_site = loaders(info)
        conditions: list[ColumnElement[bool]] = []
        if topic is not None:
            row = await at_site.by_slug(models.Topic).load(topic)
            if row is None:
                raise UserInputError(f"No topic has the slug '{topic[:100]}'.")
            conditions.append(models.TopicOmission.topic_id == row.id)
        model = models.TopicOmission
        page = await at_site.read(
            lambda s: queries.page_of(s, model, conditions, first=first, after=after_key)
        )
        return connection(
            page,
            TopicOmission.from_row,
            lambda row: row.id,
            lambda: at_site.read(lambda s: queries.count_of(s, model, conditions)),
            after_key,
        )
