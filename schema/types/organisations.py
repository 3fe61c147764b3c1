"""Organisations and the stakeholder groups they belong to."""

from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from db import models
from schema.context import Info, loaders
from schema.ids import global_id
from schema.reads.bounds import paged
from schema.reads.compiler.fields import reads_many, reads_page
from schema.reads.pagination import DEFAULT_PAGE, Connection, connection, page_arguments
from schema.types.enums import MembershipBasis
from schema.types.node import Edited, Node

if TYPE_CHECKING:
    from schema.types.consultations import Consultation, Influence

ConsultationType = Annotated["Consultation", strawberry.lazy("schema.types.consultations")]
InfluenceType = Annotated["Influence", strawberry.lazy("schema.types.consultations")]


@strawberry.type(description="Anything that publishes, is consulted, or is expected to be.")
class Organisation(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "organisation"
    id: strawberry.ID
    slug: str
    name: str
    named: bool = strawberry.field(
        description="False for a party the source describes but does not name."
    )
    description: str | None
    url: str | None
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Organisation) -> "Organisation":
        return cls(
            id=strawberry.ID(global_id("Organisation", row.id)),
            slug=row.slug,
            name=row.name,
            named=row.named,
            description=row.description,
            url=row.url,
            version=row.version,
            published=row.published,
            db_id=row.id,
        )

    @strawberry.field(extensions=[paged(20)])
    async def aliases(self, info: Info) -> list[str]:
        loader = loaders(info).children(
            models.OrganisationAlias.organisation_id, models.OrganisationAlias.position
        )
        return [row.alias for row in await loader.load(self.db_id)]

    @strawberry.field(extensions=[paged(20)])
    async def groups(self, info: Info) -> list["StakeholderGroup"]:
        rows = await loaders(info).groups_of_organisation().load(self.db_id)
        return [StakeholderGroup.from_row(row) for row in rows]

    @strawberry.field(
        extensions=[paged(20)],
        description="The same groups, each with where the membership comes from: a source, the "
        "register's reading of one, or outside knowledge.",
    )
    async def memberships(self, info: Info) -> list["GroupMembership"]:
        rows = await loaders(info).memberships_of_organisation().load(self.db_id)
        return [
            GroupMembership(
                group=StakeholderGroup.from_row(group), basis=membership.basis, note=membership.note
            )
            for membership, group in rows
        ]

    @strawberry.field(
        description="The documents this organisation took part in, and its role.",
        metadata=reads_page("organisation_id"),
    )
    async def consultations(
        self, info: Info, first: int | None = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[ConsultationType]:
        from schema.types.consultations import Consultation

        first, after_key = page_arguments(first, after)
        at_site = loaders(info)
        parent = models.Consultation.organisation_id
        page = await at_site.page(parent, first, after_key).load(self.db_id)
        count = at_site.count(parent)
        return connection(
            page,
            Consultation.from_row,
            lambda row: row.id,
            lambda: count.load(self.db_id),
            after_key,
        )

    @strawberry.field(
        extensions=[paged(20)],
        description="The principles this organisation shaped.",
        metadata=reads_many("organisation_id"),
    )
    async def influences(self, info: Info) -> list[InfluenceType]:
        from schema.types.consultations import Influence

        loader = loaders(info).children(models.Influence.organisation_id, models.Influence.id)
        return [Influence.from_row(row) for row in await loader.load(self.db_id)]


@strawberry.type(description="An organisation's membership of a stakeholder group.")
class GroupMembership:
    group: "StakeholderGroup"
    basis: MembershipBasis
    note: str | None = strawberry.field(
        description="Where the membership comes from, when no source of the register states it."
    )


@strawberry.type(description="A node of the stakeholder taxonomy: police forces, academia...")
class StakeholderGroup(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "stakeholder_group"
    id: strawberry.ID
    slug: str
    name: str
    description: str | None
    db_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.StakeholderGroup) -> "StakeholderGroup":
        return cls(
            id=strawberry.ID(global_id("StakeholderGroup", row.id)),
            slug=row.slug,
            name=row.name,
            description=row.description,
            version=row.version,
            published=row.published,
            db_id=row.id,
            parent_id=row.parent_id,
        )

    @strawberry.field
    async def parent(self, info: Info) -> "StakeholderGroup | None":
        if self.parent_id is None:
            return None
        tree = await loaders(info).group_tree()
        return StakeholderGroup.from_row(tree.groups[self.parent_id])

    @strawberry.field(extensions=[paged(50)], description="The groups directly below this one.")
    async def children(self, info: Info) -> list["StakeholderGroup"]:
        tree = await loaders(info).group_tree()
        return [
            StakeholderGroup.from_row(tree.groups[i]) for i in tree.children.get(self.db_id, [])
        ]

    @strawberry.field(description="Organisations in this group or any group below it.")
    async def organisations(
        self, info: Info, first: int | None = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Organisation]:
        first, after_key = page_arguments(first, after)
        at_site = loaders(info)
        page = await at_site.organisation_page_of_group(first, after_key).load(self.db_id)
        count = at_site.organisation_count_of_group()
        return connection(
            page,
            Organisation.from_row,
            lambda row: row.id,
            lambda: count.load(self.db_id),
            after_key,
        )
