"""The curated seed data and its loader: the records, idempotence, quotes, and bad data."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import (
    Confidence,
    ConsultationRole,
    DatePrecision,
    FoiOutcome,
    InfluenceEffect,
    MembershipBasis,
)
from db.models import (
    Absence,
    Base,
    Consultation,
    Document,
    DocumentRelation,
    DocumentText,
    DocumentTopic,
    DocumentVersion,
    Evidence,
    Expectation,
    FoiQuestion,
    FoiRequest,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationGroup,
    Principle,
    PrincipleTopic,
    StakeholderGroup,
    Topic,
    TopicOmission,
)
from seeds.errors import SeedError
from seeds.format import DATA_DIR, read_seed_data
from seeds.loader import SeedWriter, load_seeds, seed_database

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
FOI = "npcc-foi-059-19"
POLICY = "gloucestershire-prostitution-policy"

PRINCIPLES = [
    "The sex industry is complex, often stigmatised, and has many evolving typologies. It is"
    " often hidden from the wider public. We recognise this environment is conducive to the"
    " abuse or exploitation of those selling sex.",
    "Policing starts from a position that seeks to address vulnerability and exploitation. We"
    " will engage with those involved in order to build mutual trust and confidence and"
    " encourage the sharing of information to improve safety.",
    "The police should use engagement and intelligence to develop a better understanding of"
    " the typologies and extent of prostitution. We will work with partners to develop an"
    " approach that tackles the issues associated with sex work and prostitution by engaging"
    " a wide group of stakeholders.",
    "The role of policing is not to make moral judgements. The police focus will be on"
    " reducing vulnerability and criminality. We will seek to maximise safety and increase"
    " trust and confidence. This will encourage those in the sex industry to report crimes and"
    " abuse. This approach will shift the focus onto safeguarding those being harmed in the sex"
    " industry. Intelligence and information should be shared between forces and relevant"
    " partners to maximise safety and target those who exploit or cause harm.",
    "An evidence-based 'what works' approach will be used to enhance awareness of officers and"
    " partners dealing with this complex environment. It will ensure the focus is on"
    " vulnerability and safety and a consistent approach across the country.",
]
ANSWER_5_PARTIES = {
    "national-law-enforcement-partners",
    "academics",
    "partners-in-the-statutory-and-voluntary-sectors",
    "those-directly-involved-in-sex-work-and-prostitution",
}
ANSWER_9_ENGAGED = (
    "Police Force areas with experience of this area, were engaged in the process as were"
    " academic partners and the Home Office."
)
GROUP_TREE = {
    "policing": None,
    "police-forces": "policing",
    "national-policing-bodies": "policing",
    "government": None,
    "academia": None,
    "voluntary-sector": None,
    "sex-worker-support": "voluntary-sector",
    "womens-groups": "voluntary-sector",
    "anti-trafficking": "voluntary-sector",
    "lived-experience": None,
    "statutory-partners": None,
    "health": "statutory-partners",
    "prosecutors": "statutory-partners",
}

Sessionmaker = async_sessionmaker[AsyncSession]


def collapse(text: str) -> str:
    return " ".join(text.split())


async def dump(sessionmaker: Sessionmaker) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the register, in primary-key order."""
    async with sessionmaker() as session:
        return {
            table.name: [
                tuple(row)
                for row in await session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


async def ids_by_slug(
    session: AsyncSession, model: type[Document] | type[Organisation]
) -> dict[str, int]:
    return {slug: id_ for id_, slug in await session.execute(select(model.id, model.slug))}


async def test_the_guidance_its_principles_and_who_shaped_them(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    report = await load_seeds(fresh_sessionmaker)
    assert report.inserted > 0 and report.updated == 0
    async with fresh_sessionmaker() as session:
        guidance = (await session.scalars(select(Document).where(Document.slug == GUIDANCE))).one()
        assert (guidance.title, guidance.kind, guidance.formality) == (
            "National Policing Sex Work and Prostitution Guidance",
            "GUIDANCE",
            "ADVICE",
        )
        assert (guidance.published_on, guidance.published_precision) == (
            dt.date(2019, 1, 1),
            DatePrecision.MONTH,
        )
        principles = (
            await session.scalars(
                select(Principle)
                .where(Principle.document_id == guidance.id)
                .order_by(Principle.position)
            )
        ).all()
        assert [(p.position, p.text) for p in principles] == list(enumerate(PRINCIPLES, start=1))

        organisations = {v: k for k, v in (await ids_by_slug(session, Organisation)).items()}
        every_influence = (
            await session.scalars(
                select(Influence).where(Influence.principle_id.in_([p.id for p in principles]))
            )
        ).all()
        influences = [i for i in every_influence if i.retracted_at is None]
        assert {(i.principle_id, organisations[i.organisation_id]) for i in influences} == {
            (p.id, party) for p in principles for party in ANSWER_5_PARTIES
        }
        # Answer 5 says the statements as a set were developed in consultation with them.
        assert {i.effect for i in influences} == {InfluenceEffect.CONSULTED_ON}
        assert {i.effect for i in every_influence if i.retracted_at} == {InfluenceEffect.SHAPED}
        influence_quotes = await session.scalars(
            select(Evidence.quote).where(Evidence.influence_id.in_([i.id for i in influences]))
        )
        assert all("developed in consultation with" in quote for quote in influence_quotes)

        consultations = {
            organisations[c.organisation_id]: c
            for c in await session.scalars(
                select(Consultation).where(
                    Consultation.document_id == guidance.id, Consultation.retracted_at.is_(None)
                )
            )
        }
        assert set(consultations) == {
            "home-office",
            "national-ugly-mugs",
            "academic-partners",
            "police-force-areas-with-experience",
            "modern-slavery-npcc-lead",
            *ANSWER_5_PARTIES,
        }
        assert consultations["modern-slavery-npcc-lead"].role == ConsultationRole.CO_DEVELOPER
        expected_quotes = {
            "home-office": ANSWER_9_ENGAGED,
            "academic-partners": ANSWER_9_ENGAGED,
            "police-force-areas-with-experience": ANSWER_9_ENGAGED,
            "national-ugly-mugs": (
                "In addition, National Ugly Mugs due to their work with Police were involved."
            ),
        }
        for slug, quote in expected_quotes.items():
            evidence = (
                await session.scalars(
                    select(Evidence).where(Evidence.consultation_id == consultations[slug].id)
                )
            ).all()
            assert [(e.locator, collapse(e.quote), e.confidence) for e in evidence] == [
                ("Answer to question 9", quote, Confidence.STATED)
            ], slug

        assessment = (
            await session.scalars(
                select(ImpactAssessment).where(ImpactAssessment.document_id == guidance.id)
            )
        ).one()
        assert (assessment.kind, assessment.undertaken) == ("PSED", False)
        assessed = await session.execute(
            select(Evidence.locator, Evidence.confidence).where(
                Evidence.impact_assessment_id == assessment.id
            )
        )
        # Answers 1, 2 and 7 say it; answers 3 and 4 only point back to answer 1.
        assert dict(assessed.all()) == {
            "Answer to question 1": Confidence.STATED,
            "Answer to question 2": Confidence.STATED,
            "Answer to question 3": Confidence.INFERRED,
            "Answer to question 4": Confidence.INFERRED,
            "Answer to question 7": Confidence.STATED,
        }
        expectations = (
            await session.execute(
                select(StakeholderGroup.slug, Expectation.basis, Expectation.retracted_at)
                .join(StakeholderGroup, StakeholderGroup.id == Expectation.group_id)
                .where(Expectation.document_id == guidance.id)
            )
        ).all()
        assert {(slug, basis) for slug, basis, gone in expectations if gone is None} == {
            ("womens-groups", "FOI_REQUEST"),
            ("womens-groups", "DUTY"),
            ("anti-trafficking", "DUTY"),
        }
        # Question 8 does not ask about consulting anyone: not an FOI_REQUEST expectation.
        assert {(slug, basis) for slug, basis, gone in expectations if gone} == {
            ("anti-trafficking", "FOI_REQUEST")
        }


async def test_the_foi_request_with_its_ten_questions(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        documents = await ids_by_slug(session, Document)
        organisations = await ids_by_slug(session, Organisation)
        request = (await session.scalars(select(FoiRequest))).one()
        assert (request.reference, request.authority_id, request.responded_on) == (
            "059/19",
            organisations["npcc"],
            dt.date(2019, 4, 10),
        )
        assert (request.subject_id, request.response_id) == (documents[GUIDANCE], documents[FOI])
        questions = (
            await session.scalars(
                select(FoiQuestion)
                .where(FoiQuestion.request_id == request.id)
                .order_by(FoiQuestion.number)
            )
        ).all()
        assert [q.number for q in questions] == list(range(1, 11))
        assert questions[8].text == (
            "Which organisations or individuals were used as advisors during the development"
            " of the guidance?"
        )
        assert questions[8].answer is not None
        assert collapse(questions[8].answer).endswith(
            ANSWER_9_ENGAGED
            + " In addition, National Ugly Mugs due to their work with Police were involved."
        )
        assert questions[3].outcome == FoiOutcome.NOT_HELD
        assert {q.outcome for q in questions if q.number != 4} == {FoiOutcome.PROVIDED_OUTSIDE_ACT}


async def test_the_gloucestershire_policy(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        policy = (await session.scalars(select(Document).where(Document.slug == POLICY))).one()
        # The policy dates its versions, not its publication.
        assert (policy.published_on, policy.review_due_on, policy.review_due_precision) == (
            None,
            dt.date(2018, 5, 1),
            DatePrecision.MONTH,
        )
        versions = await session.execute(
            select(DocumentVersion.label, DocumentVersion.date, DocumentVersion.changes)
            .where(DocumentVersion.document_id == policy.id)
            .order_by(DocumentVersion.position)
        )
        assert [tuple(v) for v in versions] == [
            ("V1", dt.date(2016, 1, 8), "Creation of new policy"),
            (
                "V1.1",
                dt.date(2017, 3, 29),
                "Added generic policy wording to Section 1 at DCC's request",
            ),
            ("1.2", dt.date(2017, 5, 23), "Amended policy wording slightly"),
        ]
        roles = (
            await session.execute(
                select(Organisation.slug, Consultation.role, Consultation.retracted_at)
                .join(Organisation, Organisation.id == Consultation.organisation_id)
                .where(Consultation.document_id == policy.id)
            )
        ).all()
        # No one is consulted on the policy itself: partners in delivery, bodies reported
        # through or to, and the parties its section 5 table names.
        assert {(slug, role) for slug, role, gone in roles if gone is None} == {
            ("partner-agencies", ConsultationRole.DELIVERY_PARTNER),
            ("nelson-trust", ConsultationRole.DELIVERY_PARTNER),
            ("sex-worker-forum", ConsultationRole.DELIVERY_PARTNER),
            ("dasv-commissioning-group", ConsultationRole.REPORTING_CHANNEL),
            ("county-health-and-wellbeing-board", ConsultationRole.REPORTING_CHANNEL),
            ("ppb", ConsultationRole.OVERSIGHT),
            ("sue-bradshaw", ConsultationRole.AUTHOR),
            ("dcc", ConsultationRole.REQUESTED_CHANGE),
        }
        assert {(slug, role) for slug, role, gone in roles if gone} == {
            ("nelson-trust", ConsultationRole.PARTNER),
            ("sex-worker-forum", ConsultationRole.PARTNER),
            ("dasv-commissioning-group", ConsultationRole.OVERSIGHT),
            ("county-health-and-wellbeing-board", ConsultationRole.OVERSIGHT),
        }
        eia = (
            await session.scalars(
                select(ImpactAssessment).where(ImpactAssessment.document_id == policy.id)
            )
        ).one()
        assert (eia.kind, eia.undertaken, eia.outcome, eia.date, eia.date_precision) == (
            "EIA",
            True,
            "LOW",
            dt.date(2017, 5, 1),
            DatePrecision.MONTH,
        )
        texts = dict(
            (await session.execute(select(DocumentText.document_id, DocumentText.text))).all()
        )
        documents = await ids_by_slug(session, Document)
        for slug in (POLICY, FOI):
            stored = (DATA_DIR / "sources" / f"{slug}.txt").read_bytes().decode("utf-8")
            assert texts[documents[slug]] == stored


async def test_groups_and_unnamed_parties(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        groups = {g.id: g for g in await session.scalars(select(StakeholderGroup))}
        assert {
            g.slug: groups[g.parent_id].slug if g.parent_id else None for g in groups.values()
        } == GROUP_TREE
        named = dict((await session.execute(select(Organisation.slug, Organisation.named))).all())
        unnamed = {
            "police-force-areas-with-experience",
            "academic-partners",
            "modern-slavery-npcc-lead",
            "statutory-sector-partners",
            "voluntary-sector-partners",
            "partner-agencies",
            "dcc",
            *ANSWER_5_PARTIES,
        }
        assert {slug for slug, is_named in named.items() if not is_named} == unnamed
        for slug in ("npcc", "home-office", "national-ugly-mugs", "crown-prosecution-service"):
            assert named[slug] is True


async def test_loading_twice_changes_nothing(fresh_sessionmaker: Sessionmaker) -> None:
    first = await load_seeds(fresh_sessionmaker)
    before = await dump(fresh_sessionmaker)
    second = await load_seeds(fresh_sessionmaker)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.unchanged == first.inserted
    assert second.summary().startswith("0 inserted, 0 updated")
    assert await dump(fresh_sessionmaker) == before


async def test_a_change_updates_in_place_and_nothing_is_deleted(
    fresh_sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    data_dir = copy_data(tmp_path)
    await load_seeds(fresh_sessionmaker, data_dir)
    before = await dump(fresh_sessionmaker)
    edit(data_dir / "documents/beyond-the-gaze.yaml", "title: Beyond the Gaze", "title: Beyond")
    edit(data_dir / "organisations.yaml", "  aliases: [CPS]\n", "")

    report = await load_seeds(fresh_sessionmaker, data_dir)

    assert (report.inserted, report.updated) == (0, 1)
    assert report.tables["document"].updated == 1
    after = await dump(fresh_sessionmaker)
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(rows) for name, rows in before.items()
    }
    async with fresh_sessionmaker() as session:
        titles = await session.scalars(
            select(Document.title).where(Document.slug == "beyond-the-gaze")
        )
        assert titles.one() == "Beyond"


async def test_every_quote_is_in_its_source_text(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        texts = {
            document_id: collapse(text)
            for document_id, text in await session.execute(
                select(DocumentText.document_id, DocumentText.text)
            )
        }
        evidence = (await session.execute(select(Evidence.source_id, Evidence.quote))).all()
        checked = [(source, quote) for source, quote in evidence if source in texts]
        assert len(checked) == len(evidence) > 50
        for source, quote in checked:
            assert collapse(quote) in texts[source], quote
        questions = await session.scalars(select(FoiQuestion))
        response = (await session.scalars(select(FoiRequest.response_id))).one()
        assert response is not None
        for question in questions:
            assert collapse(question.text) in texts[response]
            assert collapse(question.answer or "") in texts[response]


async def test_seed_database_loads_and_reports(fresh_database_url: str) -> None:
    report = await seed_database(fresh_database_url)
    assert report.tables["document"].inserted == 12
    assert report.summary().startswith(f"{report.inserted} inserted, 0 updated, 0 unchanged")


def copy_data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in the file; return the line `new` starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


async def test_bad_data_is_reported_with_file_and_line_and_writes_nothing(
    fresh_sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    data_dir = copy_data(tmp_path)
    guidance = f"documents/{GUIDANCE}.yaml"
    policy = f"documents/{POLICY}.yaml"
    unknown_line = edit(
        data_dir / guidance,
        "{organisation: home-office,",
        "{organisation: the-home-office,",
    )
    quote_line = edit(
        data_dir / guidance,
        "quote: In addition, National Ugly Mugs due to their work with Police were involved.",
        "quote: In addition, National Ugly Mugs were consulted.",
    )
    date_line = edit(data_dir / policy, "date: 2017-03-29", "date: 29/3/2017")

    with pytest.raises(SeedError) as raised:
        await load_seeds(fresh_sessionmaker, data_dir)

    problems = raised.value.problems
    assert len(problems) == 3, problems
    assert problems_at(problems, guidance, unknown_line) == [
        f"{guidance}:{unknown_line}: unknown organisation 'the-home-office'"
    ]
    [quote_problem] = problems_at(problems, guidance, quote_line)
    assert "quote not found in the stored text of 'npcc-foi-059-19'" in quote_problem
    [date_problem] = problems_at(problems, policy, date_line)
    assert "'29/3/2017' is not an ISO date" in date_problem
    assert all(rows == [] for rows in (await dump(fresh_sessionmaker)).values())


async def test_a_failure_while_writing_writes_nothing(
    fresh_sessionmaker: Sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(self: SeedWriter) -> None:
        raise RuntimeError("the database went away")

    # Evidence is written after every other record but the FOI requests.
    monkeypatch.setattr(SeedWriter, "write_evidence", fail)
    with pytest.raises(RuntimeError):
        await load_seeds(fresh_sessionmaker)
    assert all(rows == [] for rows in (await dump(fresh_sessionmaker)).values())


def problems_at(problems: list[str], file: str, line: int) -> list[str]:
    return [problem for problem in problems if problem.startswith(f"{file}:{line}: ")]


def test_every_kind_of_problem_is_reported_in_one_error(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    gaze = data_dir / "documents/beyond-the-gaze.yaml"
    strategy = data_dir / "documents/npcc-prostitution-strategy.yaml"
    # Read first, so the original is the duplicate.
    shutil.copy(strategy, data_dir / "documents/npcc-prostitution-strategy-copy.yaml")
    slug_line = edit(strategy, "slug:", "slug:")
    mapping_line = edit(gaze, "title: Beyond the Gaze\n", "") - 1  # the document starts there
    kind_line = edit(gaze, "kind: RESEARCH\n", "kind: RESEARCH\nkind: RESEARCH\n") + 1
    role_line = edit(
        data_dir / f"documents/{POLICY}.yaml",
        "role: OVERSIGHT\n    summary: >-\n      Section 5",
        "role: OVERSEER\n    summary: >-\n      Section 5",
    )
    group_line = edit(
        data_dir / "organisations.yaml",
        "groups: [national-policing-bodies]\n  description: >-\n    Publisher",
        "groups: [govt]\n  description: >-\n    Publisher",
    )
    text_line = edit(
        data_dir / f"documents/{FOI}.yaml",
        "file: sources/npcc-foi-059-19.txt",
        "file: sources/missing.txt",
    )

    with pytest.raises(SeedError) as raised:
        read_seed_data(data_dir)

    problems = raised.value.problems
    expected = [
        ("documents/beyond-the-gaze.yaml", mapping_line, "missing the required field 'title'"),
        ("documents/beyond-the-gaze.yaml", kind_line, "duplicate key 'kind'"),
        (f"documents/{POLICY}.yaml", role_line, "'OVERSEER' is not a valid role"),
        ("organisations.yaml", group_line, "unknown stakeholder group 'govt'"),
        ("documents/npcc-prostitution-strategy.yaml", slug_line, "duplicate document slug"),
        (f"documents/{FOI}.yaml", text_line, "text file 'sources/missing.txt' not found"),
        (
            "documents/npcc-prostitution-strategy-copy.yaml",
            slug_line,
            "the file of document 'npcc-prostitution-strategy' must be",
        ),
    ]
    for file, line, message in expected:
        found = problems_at(problems, file, line)
        assert any(message in problem for problem in found), (file, line, message, problems)


# ---------------------------------------------------------------- topics and absences

TOPIC_TABLES = ("topic", "document_topic", "principle_topic", "topic_omission", "absence")


async def test_topics_omissions_and_absences(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        documents = await ids_by_slug(session, Document)
        topics = {t.id: t.slug for t in await session.scalars(select(Topic))}
        assert {"kerb-crawling", "section-53a-sexual-offences-act-2003"} <= set(topics.values())
        omissions = (
            await session.scalars(
                select(TopicOmission).where(TopicOmission.document_id == documents[GUIDANCE])
            )
        ).all()
        assert {topics[o.topic_id] for o in omissions} == {
            "kerb-crawling",
            "section-53a-sexual-offences-act-2003",
        }
        omission_evidence = (
            await session.scalars(
                select(Evidence).where(Evidence.omission_id.in_([o.id for o in omissions]))
            )
        ).all()
        assert len(omission_evidence) == 4
        assert {e.source_id for e in omission_evidence} == {documents[FOI]}

        absence = (await session.scalars(select(Absence))).one()
        group = await session.get(StakeholderGroup, absence.group_id)
        assert group is not None and group.slug == "womens-groups"
        assert (absence.document_id, absence.organisation_id) == (documents[GUIDANCE], None)
        absence_evidence = (
            await session.scalars(
                select(Evidence)
                .where(Evidence.absence_id == absence.id)
                .order_by(Evidence.position)
            )
        ).all()
        assert [(e.locator, e.confidence) for e in absence_evidence] == [
            ("Answer to question 10", Confidence.INFERRED)
        ]

        covered = await session.execute(select(DocumentTopic.document_id, DocumentTopic.topic_id))
        by_document: dict[int, set[str]] = {}
        for document_id, topic_id in covered:
            by_document.setdefault(document_id, set()).add(topics[topic_id])
        assert "child-sexual-exploitation" in by_document[documents[POLICY]]
        assert "kerb-crawling" not in by_document[documents[GUIDANCE]]
        third = (
            await session.scalars(
                select(Principle.id).where(
                    Principle.document_id == documents[GUIDANCE], Principle.position == 3
                )
            )
        ).one()
        tagged = await session.scalars(
            select(PrincipleTopic.topic_id).where(PrincipleTopic.principle_id == third)
        )
        assert {topics[t] for t in tagged} == {"partnership-working"}


async def test_topics_and_absences_load_once_and_update_in_place(
    fresh_sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    data_dir = copy_data(tmp_path)
    first = await load_seeds(fresh_sessionmaker, data_dir)
    assert all(first.tables[table].inserted > 0 for table in TOPIC_TABLES)
    second = await load_seeds(fresh_sessionmaker, data_dir)
    for table in TOPIC_TABLES:
        counts = second.tables[table]
        assert (counts.inserted, counts.updated) == (0, 0), table
        assert counts.unchanged == first.tables[table].inserted, table
    before = await dump(fresh_sessionmaker)

    edit(
        data_dir / f"documents/{GUIDANCE}.yaml",
        "itself, but answers the question as put.",
        "itself.",
    )
    third = await load_seeds(fresh_sessionmaker, data_dir)

    assert (third.inserted, third.updated) == (0, 1)
    assert third.tables["topic_omission"].updated == 1
    after = await dump(fresh_sessionmaker)
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(rows) for name, rows in before.items()
    }


def line_with(path: Path, text: str) -> int:
    """The line the one occurrence of `text` in the file starts on."""
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1, text
    return content[: content.index(text)].count("\n") + 1


async def test_bad_topic_data_is_reported_with_file_and_line_and_writes_nothing(
    fresh_sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    data_dir = copy_data(tmp_path)
    guidance, policy, topics = (
        f"documents/{GUIDANCE}.yaml",
        f"documents/{POLICY}.yaml",
        "topics.yaml",
    )
    principle_line = edit(
        data_dir / guidance, "topics: [partnership-working]\n", "topics: [partnerships]\n"
    )
    document_line = edit(data_dir / policy, "  - domestic-abuse\n", "  - domestic-violence\n")
    omission_quote_line = edit(
        data_dir / guidance,
        "quote: >-\n          What was the basis for the decision to include no guidance on using",
        "quote: >-\n          What was the basis for the decision to give no guidance on using",
    )
    absence_quote_line = edit(
        data_dir / guidance,
        "quote: >-\n          It must be noted that this is a refresh of the previous guidance",
        "quote: >-\n          It must be noted that this is new guidance, not a refresh of the guidance",
    )
    edit(
        data_dir / guidance,
        "topics: [vulnerability-and-safety]\n",
        "topics: [vulnerability-and-safety, kerb-crawling]\n",
    )
    both_line = line_with(data_dir / guidance, "- topic: kerb-crawling")
    duplicate_line = (
        edit(
            data_dir / topics,
            "  description: Organised criminal activity within the sex industry.\n",
            "  description: Organised criminal activity within the sex industry.\n"
            "\n- slug: exploitation\n  name: Exploitation again\n",
        )
        + 2
    )

    with pytest.raises(SeedError) as raised:
        await load_seeds(fresh_sessionmaker, data_dir)

    problems = raised.value.problems
    assert len(problems) == 6, problems
    assert problems_at(problems, guidance, principle_line) == [
        f"{guidance}:{principle_line}: unknown topic 'partnerships'"
    ]
    assert problems_at(problems, policy, document_line) == [
        f"{policy}:{document_line}: unknown topic 'domestic-violence'"
    ]
    for line in (omission_quote_line, absence_quote_line):
        [quote_problem] = problems_at(problems, guidance, line)
        assert "quote not found in the stored text of 'npcc-foi-059-19'" in quote_problem
    [both_problem] = problems_at(problems, guidance, both_line)
    assert "topic 'kerb-crawling' is both covered and not covered" in both_problem
    [duplicate_problem] = problems_at(problems, topics, duplicate_line)
    assert "duplicate topic slug 'exploitation'" in duplicate_problem
    assert all(rows == [] for rows in (await dump(fresh_sessionmaker)).values())


def test_malformed_omissions_and_absences_are_reported(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    guidance = data_dir / f"documents/{GUIDANCE}.yaml"
    # Top to bottom, so that no edit moves the line of an earlier one.
    field_line = (
        edit(
            guidance,
            "  - topic: section-53a-sexual-offences-act-2003\n",
            "  - topic: section-53a-sexual-offences-act-2003\n    source: npcc-foi-059-19\n",
        )
        + 1
    )
    both_line = (
        edit(
            guidance,
            "absences:\n  - group: womens-groups\n",
            "absences:\n  - group: womens-groups\n    organisation: home-office\n",
        )
        + 1
    )
    (data_dir / "topics.yaml").unlink()

    with pytest.raises(SeedError) as raised:
        read_seed_data(data_dir)

    problems = raised.value.problems
    file = f"documents/{GUIDANCE}.yaml"
    expected = [
        (file, both_line, "an absence names exactly one of 'group' and 'organisation'"),
        (file, field_line, "unknown field 'source' in a topic not covered"),
        ("topics.yaml", 1, "file not found"),
    ]
    for file_, line, message in expected:
        found = problems_at(problems, file_, line)
        assert any(message in problem for problem in found), (file_, line, message, problems)


# ---------------------------------------------------------------- claims as strong as sources


async def test_memberships_no_source_states_say_where_they_come_from(
    fresh_sessionmaker: Sessionmaker,
) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        rows = await session.execute(
            select(Organisation.slug, StakeholderGroup.slug, OrganisationGroup)
            .join(OrganisationGroup, OrganisationGroup.organisation_id == Organisation.id)
            .join(StakeholderGroup, StakeholderGroup.id == OrganisationGroup.group_id)
        )
        basis = {(o, g): (m.basis, m.note) for o, g, m in rows}
    outside = {
        ("national-ugly-mugs", "sex-worker-support"),
        ("nelson-trust", "sex-worker-support"),
        ("dasv-commissioning-group", "statutory-partners"),
        ("crown-prosecution-service", "prosecutors"),
        ("home-office", "government"),
    }
    for key in outside:
        assert basis[key][0] is MembershipBasis.OUTSIDE_KNOWLEDGE and basis[key][1], key
    assert basis["sex-worker-forum", "sex-worker-support"][0] is MembershipBasis.REGISTER_READING
    assert {key for key, (b, _) in basis.items() if b is not MembershipBasis.SOURCE} == outside | {
        ("sex-worker-forum", "sex-worker-support")
    }
    # Answer 5's own words name one party, in both sectors.
    assert basis["partners-in-the-statutory-and-voluntary-sectors", "voluntary-sector"] == (
        MembershipBasis.SOURCE,
        None,
    )


async def test_relations_say_what_the_sources_say(fresh_sessionmaker: Sessionmaker) -> None:
    await load_seeds(fresh_sessionmaker)
    async with fresh_sessionmaker() as session:
        documents = {v: k for k, v in (await ids_by_slug(session, Document)).items()}
        relations = {
            (documents[r.document_id], r.kind, documents[r.target_id])
            for r in await session.scalars(
                select(DocumentRelation).where(DocumentRelation.retracted_at.is_(None))
            )
        }
    assert (GUIDANCE, "TAKES_INTO_ACCOUNT", "beyond-the-gaze") in relations
    assert (GUIDANCE, "CITES", "beyond-the-gaze") not in relations
    strategy = "gloucestershire-policing-prostitution-strategy-2015-18"
    assert (POLICY, "ACCORDS_WITH", strategy) in relations
    assert (POLICY, "IMPLEMENTS", strategy) not in relations
    for cited in (
        "gloucestershire-constabulary-statement-of-intent",
        "police-service-code-of-ethics",
        "gloucestershire-constabulary-how-to-guidance",
    ):
        assert (POLICY, "CITES", cited) in relations
