"""The synthetic register: its proportions, determinism, evidence and all-or-nothing writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from db.enums import DocumentKind, Formality
from db.models import (
    Base,
    Consultation,
    Document,
    DocumentRelation,
    DocumentText,
    DocumentVersion,
    Evidence,
    Expectation,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationGroup,
    StakeholderGroup,
)
from seeds.synthetic import SyntheticRegisterExists, generate_into, generate_register
from tests.databases import empty_database

Sessionmaker = async_sessionmaker[AsyncSession]
Dump = dict[str, list[tuple[Any, ...]]]
CLAIM_TABLES = (
    "consultation",
    "influence",
    "expectation",
    "impact_assessment",
    "document_relation",
)


@pytest.fixture
async def second_sessionmaker(tmp_path: Path) -> AsyncIterator[Sessionmaker]:
    """Another empty database, to compare two runs side by side."""
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        yield create_sessionmaker(engine)
        await engine.dispose()


async def dump(sessionmaker: Sessionmaker) -> Dump:
    """Every row of every table, in primary key order."""
    tables: list[Table] = list(Base.metadata.sorted_tables)
    async with sessionmaker() as session:
        return {
            table.name: [
                tuple(row)
                for row in await session.execute(select(table).order_by(*table.primary_key))
            ]
            for table in tables
        }


async def counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    return {table: len(rows) for table, rows in (await dump(sessionmaker)).items()}


async def test_counts_follow_the_proportions(fresh_sessionmaker: Sessionmaker) -> None:
    report = await generate_register(fresh_sessionmaker, documents=40)

    rows = await counts(fresh_sessionmaker)
    # The report names every table it wrote to; the rest stay empty.
    assert report.rows == {table: n for table, n in rows.items() if table in report.rows}
    assert not any(n for table, n in rows.items() if table not in report.rows)
    assert rows["document"] == 40
    assert rows["organisation"] == 100
    assert rows["principle"] == 240
    assert rows["consultation"] == 1_200
    assert rows["influence"] == 2_000
    assert 40 <= rows["expectation"] <= 160
    assert 40 <= rows["document_version"] <= 120
    assert rows["stakeholder_group"] == 33  # the synthetic tree, as the database had none
    assert rows["foi_request"] == 1
    assert rows["foi_question"] >= 2
    for table in ("organisation_alias", "organisation_group", "document_relation"):
        assert rows[table] > 0
    claims = sum(rows[table] for table in CLAIM_TABLES)
    assert claims <= rows["evidence"] < claims * 1.2
    assert f"{report.total:,} rows" in report.summary()


async def test_every_document_has_one_to_three_versions_and_one_to_four_expectations(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    await generate_register(fresh_sessionmaker, documents=30)

    async with fresh_sessionmaker() as session:
        for model, low, high in ((DocumentVersion, 1, 3), (Expectation, 1, 4)):
            per_document = select(func.count()).select_from(model).group_by(model.document_id)
            sizes = set((await session.scalars(per_document)).all())
            assert sizes <= set(range(low, high + 1)), model
            assert len(sizes) > 1, model
        organisations_without_group = await session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(~exists().where(OrganisationGroup.organisation_id == Organisation.id))
        )
    assert organisations_without_group == 0


async def test_the_same_seed_gives_identical_rows_in_two_databases(
    fresh_sessionmaker: Sessionmaker, second_sessionmaker: Sessionmaker
) -> None:
    first = await generate_register(fresh_sessionmaker, documents=15, seed=7)
    second = await generate_register(second_sessionmaker, documents=15, seed=7)

    assert first == second
    assert await dump(fresh_sessionmaker) == await dump(second_sessionmaker)


async def test_another_seed_gives_other_data(
    fresh_sessionmaker: Sessionmaker, second_sessionmaker: Sessionmaker
) -> None:
    await generate_register(fresh_sessionmaker, documents=15, seed=1)
    await generate_register(second_sessionmaker, documents=15, seed=2)

    one, two = await dump(fresh_sessionmaker), await dump(second_sessionmaker)
    assert one["organisation"] != two["organisation"]
    assert one["evidence"] != two["evidence"]
    async with second_sessionmaker() as session:
        slugs = (await session.scalars(select(Document.slug))).all()
    assert slugs and all(slug.startswith("syn2-doc-") for slug in slugs)


async def test_every_claim_has_evidence(fresh_sessionmaker: Sessionmaker) -> None:
    await generate_register(fresh_sessionmaker, documents=20)

    claims = (
        (Consultation, Evidence.consultation_id),
        (Influence, Evidence.influence_id),
        (Expectation, Evidence.expectation_id),
        (ImpactAssessment, Evidence.impact_assessment_id),
        (DocumentRelation, Evidence.relation_id),
    )
    async with fresh_sessionmaker() as session:
        for model, claim in claims:
            total = await session.scalar(select(func.count()).select_from(model))
            unsupported = await session.scalar(
                select(func.count()).select_from(model).where(~exists().where(claim == model.id))
            )
            assert total, model
            assert unsupported == 0, model


async def test_quotes_are_found_in_the_stored_texts_of_their_sources(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    await generate_register(fresh_sessionmaker, documents=20)

    async with fresh_sessionmaker() as session:
        texts = dict(
            (await session.execute(select(DocumentText.document_id, DocumentText.text))).all()
        )
        quoted = (await session.execute(select(Evidence.source_id, Evidence.quote))).all()
    checked = [quote for source, quote in quoted if source in texts]
    assert checked
    assert all(quote in texts[source] for source, quote in quoted if source in texts)


async def test_running_a_seed_twice_is_refused_and_writes_nothing(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    await generate_register(fresh_sessionmaker, documents=10)
    before = await dump(fresh_sessionmaker)

    with pytest.raises(SyntheticRegisterExists, match="syn1-"):
        await generate_register(fresh_sessionmaker, documents=10)
    assert await dump(fresh_sessionmaker) == before


async def test_a_failure_midway_writes_nothing(fresh_sessionmaker: Sessionmaker) -> None:
    async with fresh_sessionmaker.begin() as session:
        session.add(Organisation(slug="syn1-org-000050", name="In the way"))
    before = await dump(fresh_sessionmaker)

    with pytest.raises(IntegrityError):
        await generate_register(fresh_sessionmaker, documents=10)
    assert await dump(fresh_sessionmaker) == before


async def test_another_seed_is_added_alongside(fresh_sessionmaker: Sessionmaker) -> None:
    first = await generate_register(fresh_sessionmaker, documents=10, seed=1)
    second = await generate_register(fresh_sessionmaker, documents=10, seed=2)

    rows = await counts(fresh_sessionmaker)
    assert second.rows["stakeholder_group"] == 0  # the first run's groups are reused
    for table in ("document", "organisation", "consultation", "influence"):
        assert rows[table] == first.rows[table] + second.rows[table]
    # The id sequences were moved past the explicit ids, so ordinary inserts still work.
    async with fresh_sessionmaker.begin() as session:
        document = Document(
            slug="after", title="After", kind=DocumentKind.OTHER, formality=Formality.UNKNOWN
        )
        session.add(document)
        await session.flush()
    assert document.id == rows["document"] + 1


async def test_organisations_are_spread_over_existing_groups(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    existing = [
        StakeholderGroup(slug="police", name="Police"),
        StakeholderGroup(slug="health", name="Health"),
    ]
    curated = Organisation(slug="curated", name="A curated organisation")
    async with fresh_sessionmaker.begin() as session:
        session.add_all([*existing, curated])

    report = await generate_register(fresh_sessionmaker, documents=10)

    assert report.rows["stakeholder_group"] == 0
    async with fresh_sessionmaker() as session:
        groups = set((await session.scalars(select(OrganisationGroup.group_id))).all())
        consulted = set((await session.scalars(select(Consultation.organisation_id))).all())
        first_synthetic = await session.scalar(
            select(Organisation.id).where(Organisation.slug == "syn1-org-000001")
        )
    assert groups == {group.id for group in existing}
    assert curated.id not in consulted  # synthetic claims only name synthetic organisations
    assert first_synthetic == curated.id + 1


async def test_generate_into_a_database_url(fresh_database_url: str) -> None:
    report = await generate_into(fresh_database_url, documents=3, seed=4)

    assert report.rows["document"] == 3
    assert report.summary().startswith("synthetic register syn4-*: ")


async def test_sizes_and_seeds_are_checked(fresh_sessionmaker: Sessionmaker) -> None:
    with pytest.raises(ValueError, match="at least one document"):
        await generate_register(fresh_sessionmaker, documents=0)
    with pytest.raises(ValueError, match="negative"):
        await generate_register(fresh_sessionmaker, documents=1, seed=-1)
