"""Per-request DataLoaders: every relation is read in batches, one short session per batch.

Sibling resolvers run concurrently, so no session is shared: each batch opens its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from db import queries
from db.models import (
    Base,
    FoiQuestion,
    FoiRequest,
    Organisation,
    OrganisationGroup,
    StakeholderGroup,
)
from db.queries import Page
from db.replicas import Database, Reader
from db.visibility import AUDIENCE, Audience

M = TypeVar("M", bound=Base)
R = TypeVar("R")


@dataclass(frozen=True)
class GroupTree:
    """The whole stakeholder taxonomy, read once per request (it is small)."""

    groups: dict[int, StakeholderGroup]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, groups: Sequence[StakeholderGroup]) -> GroupTree:
        children: dict[int | None, list[int]] = {}
        for group in groups:
            children.setdefault(group.parent_id, []).append(group.id)
        return cls({group.id: group for group in groups}, children)

    def roots(self) -> list[StakeholderGroup]:
        return [self.groups[i] for i in self.children.get(None, [])]

    def by_slug(self, slug: str) -> StakeholderGroup | None:
        return next((g for g in self.groups.values() if g.slug == slug), None)

    def with_descendants(self, group_id: int) -> list[int]:
        found, pending = [], [group_id]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(self.children.get(current, []))
        return found

    def with_ancestors(self, group_id: int) -> list[int]:
        found, current = [], self.groups.get(group_id)
        while current is not None:
            found.append(current.id)
            current = self.groups.get(current.parent_id) if current.parent_id else None
        return found

    def in_tree_order(self) -> list[StakeholderGroup]:
        ordered: list[StakeholderGroup] = []
        pending = list(reversed(self.children.get(None, [])))
        while pending:
            current = pending.pop()
            ordered.append(self.groups[current])
            pending.extend(reversed(self.children.get(current, [])))
        return ordered


class Loaders:
    """Creates each DataLoader on first use and keeps it for the rest of the request.

    Loaders are kept per query site (the field path without list indexes): every field of the
    query then reads in exactly one batch, so the statement count follows the query's shape
    and never depends on when sibling resolvers happen to finish.
    """

    def __init__(
        self,
        reader: Reader,
        audience: Audience = Audience.READERS,
        site: tuple[str, ...] = (),
        loaders: dict[Hashable, DataLoader[Any, Any]] | None = None,
    ) -> None:
        self._reader = reader
        self._audience = audience
        self._site = site
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {} if loaders is None else loaders

    def at(self, path: Sequence[str | int]) -> Loaders:
        """The loaders for the query site at `path` (a resolver's info.path.as_list())."""
        site = tuple(step for step in path if isinstance(step, str))
        return Loaders(self._reader, self._audience, site, self._loaders)

    async def read(self, work: Callable[[AsyncSession], Awaitable[R]]) -> R:
        """Run one read in its own short session, showing only what the audience may see."""

        async def in_session(database: Database) -> R:
            async with database.sessions(info={AUDIENCE: self._audience}) as session:
                return await work(session)

        return await self._reader.run(in_session)

    async def withdrawn(self, model: type[M], key: int) -> M | None:
        """A record by id whatever its state, retracted too, for an editor; None for a reader."""
        if self._audience is not Audience.EDITORS:
            return None

        async def in_session(database: Database) -> M | None:
            # No audience: this one read sees retracted records.
            async with database.sessions() as session:
                return (await queries.by_ids(session, model, [key])).get(key)

        return await self._reader.run(in_session)

    def _loader(
        self,
        key: Hashable,
        fetch: Callable[[AsyncSession, list[Any]], Awaitable[Any]],
        missing: Callable[[], Any] = lambda: None,
    ) -> DataLoader[Any, Any]:
        key = (self._site, key)
        loader = self._loaders.get(key)
        if loader is None:

            async def batch(keys: list[Any]) -> list[Any]:
                found = await self.read(lambda session: fetch(session, keys))
                return [found[k] if k in found else missing() for k in keys]

            loader = self._loaders[key] = DataLoader(load_fn=batch)
        return loader

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        return self._loader(("id", model), lambda s, ids: queries.by_ids(s, model, ids))

    def by_slug(self, model: type[M]) -> DataLoader[str, M | None]:
        return self._loader(("slug", model), lambda s, slugs: queries.by_slugs(s, model, slugs))

    def children(
        self,
        parent: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
        *order_by: InstrumentedAttribute[Any],
    ) -> DataLoader[int, list[Any]]:
        return self._loader(
            ("children", parent, order_by),
            lambda s, ids: queries.children(s, parent, ids, *order_by),
            missing=list,
        )

    def page(
        self, parent: InstrumentedAttribute[int], first: int, after: int | None
    ) -> DataLoader[int, Page[Any]]:
        return self._loader(
            ("page", parent, first, after),
            lambda s, ids: queries.pages_by_parent(s, parent, ids, first=first, after=after),
            missing=lambda: Page([], False),
        )

    def count(self, parent: InstrumentedAttribute[int]) -> DataLoader[int, int]:
        return self._loader(
            ("count", parent),
            lambda s, ids: queries.counts_by_parent(s, parent, ids),
            missing=int,
        )

    def participation(self) -> DataLoader[int, list[queries.GroupParticipation]]:
        return self._loader("participation", queries.participation_by_document, missing=list)

    def lineage(self, *, earlier: bool) -> DataLoader[int, list[queries.LineageStep]]:
        return self._loader(
            ("lineage", earlier),
            lambda s, ids: queries.lineage_by_document(s, ids, earlier=earlier),
            missing=list,
        )

    def history(self, entity: str) -> DataLoader[int, list[Any]]:
        return self._loader(
            ("history", entity), lambda s, ids: queries.history(s, entity, ids), missing=list
        )

    def groups_of_organisation(self) -> DataLoader[int, list[StakeholderGroup]]:
        return self._loader("groups_of_organisation", queries.groups_of_organisations, list)

    def foi_requests_about(
        self,
    ) -> DataLoader[int, list[tuple[FoiRequest, list[FoiQuestion]]]]:
        return self._loader("foi_requests_about", queries.foi_requests_about, list)

    def memberships_of_organisation(
        self,
    ) -> DataLoader[int, list[tuple[OrganisationGroup, StakeholderGroup]]]:
        return self._loader("memberships", queries.memberships_of_organisations, list)

    async def group_tree(self) -> GroupTree:
        async def fetch(session: AsyncSession, keys: Iterable[None]) -> dict[None, GroupTree]:
            return {None: GroupTree.of(await queries.all_groups(session))}

        # One key, cached for the request: a single statement wherever it is asked for.
        loader = self._loaders.get("group_tree")
        if loader is None:

            async def batch(keys: list[None]) -> list[GroupTree]:
                trees = await self.read(lambda session: fetch(session, keys))
                return [trees[None] for _ in keys]

            loader = self._loaders["group_tree"] = DataLoader(load_fn=batch)
        tree: GroupTree = await loader.load(None)
        return tree

    def organisation_page_of_group(
        self, first: int, after: int | None
    ) -> DataLoader[int, Page[Organisation]]:
        return self._loader(
            ("group_organisations", first, after),
            lambda s, ids: queries.organisation_pages_by_group(s, ids, first=first, after=after),
            missing=lambda: Page([], False),
        )

    def organisation_count_of_group(self) -> DataLoader[int, int]:
        return self._loader(
            "group_organisation_count", queries.organisation_counts_by_group, missing=int
        )

    def linked(
        self,
        key: InstrumentedAttribute[int],
        target: InstrumentedAttribute[int],
        model: type[M],
        *order_by: InstrumentedAttribute[Any],
    ) -> DataLoader[int, list[M]]:
        """Rows of `model` reached from each key through a join table (`key` -> `target`)."""
        return self._loader(
            ("linked", key, target, order_by),
            lambda s, ids: queries.linked(s, key, target, model, ids, *order_by),
            missing=list,
        )

    def linked_page(
        self,
        key: InstrumentedAttribute[int],
        target: InstrumentedAttribute[int],
        model: type[M],
        first: int,
        after: int | None,
    ) -> DataLoader[int, Page[Any]]:
        return self._loader(
            ("linked_page", key, target, first, after),
            lambda s, ids: queries.linked_pages(
                s, key, target, model, ids, first=first, after=after
            ),
            missing=lambda: Page([], False),
        )

    def children_of_any(
        self,
        parents: tuple[InstrumentedAttribute[int | None], ...],
        *order_by: InstrumentedAttribute[Any],
    ) -> DataLoader[tuple[str, int], list[Any]]:
        """Keyed by (column name, parent id): one batch, however many columns are asked for."""
        return self._loader(
            ("children_of_any", parents, order_by),
            lambda s, keys: queries.children_of_any(s, parents, keys, *order_by),
            missing=list,
        )
