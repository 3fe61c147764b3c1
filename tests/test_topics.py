"""Topics: what documents and principles cover, what a source shows they leave out, and
evidence of absence; every claim with a verbatim quote from the stored source text."""

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from api.app import create_app
from db.engine import create_engine, create_sessionmaker
from db.enums import Confidence
from db.models import (
    Absence,
    Document,
    DocumentTopic,
    Evidence,
    Principle,
    PrincipleTopic,
    StakeholderGroup,
    Topic,
    TopicOmission,
)
from seeds.loader import load_seeds
from seeds.synthetic import generate_register, prefix_for
from tests.conftest import settings_for
from tests.databases import empty_database
from tests.graphql import counting_statements, error_codes, graphql, graphql_response

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
FOI = "npcc-foi-059-19"
POLICY = "gloucestershire-prostitution-policy"


def collapse(text: str) -> str:
    return " ".join(text.split())


async def _foi_text(client: httpx.AsyncClient) -> str:
    data = await graphql(client, f'{{ document(slug: "{FOI}") {{ text }} }}')
    return collapse(data["document"]["text"])


async def test_the_guidance_leaves_out_kerb_crawling_and_section_53a(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        f"""{{ document(slug: "{GUIDANCE}") {{ topicsNotCovered {{
            summary topic {{ slug name }} document {{ slug }}
            evidence {{ locator quote confidence source {{ slug }} }} }} }} }}""",
    )
    omissions = {o["topic"]["slug"]: o for o in data["document"]["topicsNotCovered"]}
    assert set(omissions) == {"kerb-crawling", "section-53a-sexual-offences-act-2003"}
    text = await _foi_text(client)
    for omission in omissions.values():
        assert omission["document"] == {"slug": GUIDANCE}
        assert omission["summary"]
        assert omission["evidence"]
        for evidence in omission["evidence"]:
            assert evidence["source"] == {"slug": FOI}
            assert collapse(evidence["quote"]) in text, evidence["quote"]

    kerb = omissions["kerb-crawling"]["evidence"]
    assert [e["locator"] for e in kerb] == ["Question 5", "Answer to question 5"]
    assert "designed not to list all offences" in kerb[1]["quote"]
    assert "kerb crawlers" in kerb[0]["quote"]
    # The answer to question 6 never says section 53A is left out, nor that it is covered.
    section_53a = omissions["section-53a-sexual-offences-act-2003"]["evidence"]
    assert [e["locator"] for e in section_53a] == ["Question 6", "Answer to question 6"]
    assert {e["confidence"] for e in section_53a} == {"INFERRED"}
    assert "Section 53A" in section_53a[0]["quote"]


async def test_which_documents_leave_out_kerb_crawling(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ topicsNotCovered(topic: "kerb-crawling") {
                totalCount nodes { document { slug title } topic { slug } evidence { locator } } }
            topic(slug: "kerb-crawling") {
                name omittedBy { document { slug } } documents { totalCount nodes { slug } } } }""",
    )
    listed = data["topicsNotCovered"]
    assert listed["totalCount"] == 1
    assert [n["document"]["slug"] for n in listed["nodes"]] == [GUIDANCE]
    assert {n["topic"]["slug"] for n in listed["nodes"]} == {"kerb-crawling"}
    topic = data["topic"]
    assert topic["name"] == "Legislation against kerb crawlers"
    assert [o["document"]["slug"] for o in topic["omittedBy"]] == [GUIDANCE]
    # No document is recorded as covering it.
    assert topic["documents"] == {"totalCount": 0, "nodes": []}


async def test_every_omission_pages_in_the_order_recorded(client: httpx.AsyncClient) -> None:
    everything = await graphql(
        client, "{ topicsNotCovered(first: 100) { totalCount nodes { topic { slug } } } }"
    )
    all_topics = [n["topic"]["slug"] for n in everything["topicsNotCovered"]["nodes"]]
    assert everything["topicsNotCovered"]["totalCount"] == len(all_topics) == 2
    query = """query($after: String) { topicsNotCovered(first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { topic { slug } } } }"""
    paged: list[str] = []
    after = None
    while True:
        connection = (await graphql(client, query, {"after": after}))["topicsNotCovered"]
        assert connection["totalCount"] == 2
        paged += [n["topic"]["slug"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert paged == all_topics


async def test_an_unknown_topic_filter_is_bad_input(client: httpx.AsyncClient) -> None:
    body = await graphql_response(
        client, '{ topicsNotCovered(topic: "no-such-topic") { totalCount } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "no-such-topic" in body["errors"][0]["message"]


async def test_topics_of_documents_and_principles(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        f"""{{ guidance: document(slug: "{GUIDANCE}") {{
                topics {{ slug }} principles {{ position topics {{ slug }} }} }}
            policy: document(slug: "{POLICY}") {{ topics {{ slug name }} }} }}""",
    )
    guidance = {t["slug"] for t in data["guidance"]["topics"]}
    assert {"vulnerability-and-safety", "exploitation", "trust-and-confidence"} <= guidance
    principles = {
        p["position"]: {t["slug"] for t in p["topics"]} for p in data["guidance"]["principles"]
    }
    assert "exploitation" in principles[1]
    assert "partnership-working" in principles[3]
    assert {"vulnerability-and-safety", "trust-and-confidence"} <= principles[4]
    # A principle's topics are the document's too; nothing left out is also covered.
    assert set().union(*principles.values()) <= guidance
    policy = [t["slug"] for t in data["policy"]["topics"]]
    assert {"child-sexual-exploitation", "domestic-abuse", "partnership-working"} <= set(policy)
    names = [t["name"] for t in data["policy"]["topics"]]
    assert names == sorted(names)


async def test_each_topic_lists_what_covers_it(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ topics { slug name
            documents(first: 100) { totalCount nodes { slug topics { slug } } }
            principles { position document { slug } topics { slug } }
            omittedBy { document { slug topics { slug } } } } }""",
    )
    topics = data["topics"]
    names = [t["name"] for t in topics]
    assert names == sorted(names)
    assert {"kerb-crawling", "section-53a-sexual-offences-act-2003"} <= {t["slug"] for t in topics}
    for topic in topics:
        documents = topic["documents"]
        assert documents["totalCount"] == len(documents["nodes"])
        for document in documents["nodes"]:
            assert topic["slug"] in {t["slug"] for t in document["topics"]}
        for principle in topic["principles"]:
            assert topic["slug"] in {t["slug"] for t in principle["topics"]}
        for omission in topic["omittedBy"]:
            assert topic["slug"] not in {t["slug"] for t in omission["document"]["topics"]}
    exploitation = next(t for t in topics if t["slug"] == "exploitation")
    assert {d["slug"] for d in exploitation["documents"]["nodes"]} == {GUIDANCE, POLICY}
    assert [(p["document"]["slug"], p["position"]) for p in exploitation["principles"]] == [
        (GUIDANCE, 1),
        (GUIDANCE, 2),
        (GUIDANCE, 4),
    ]


async def test_a_topic_s_documents_page(client: httpx.AsyncClient) -> None:
    query = """query($after: String) { topic(slug: "exploitation") { documents(first: 1, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { slug } } } }"""
    first = (await graphql(client, query))["topic"]["documents"]
    assert first["totalCount"] == 2 and len(first["nodes"]) == 1
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    second = (await graphql(client, query, {"after": after}))["topic"]["documents"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["pageInfo"]["endCursor"],
    }
    assert {first["nodes"][0]["slug"], second["nodes"][0]["slug"]} == {GUIDANCE, POLICY}


async def test_womens_groups_are_absent_from_the_guidance_by_inference(
    client: httpx.AsyncClient,
) -> None:
    data = await graphql(
        client,
        f"""{{ document(slug: "{GUIDANCE}") {{ absences {{
            summary document {{ slug }} group {{ slug name }} organisation {{ slug }}
            evidence {{ locator quote confidence source {{ slug }} }} }} }} }}""",
    )
    [absence] = data["document"]["absences"]
    assert absence["group"] == {"slug": "womens-groups", "name": "Women's groups"}
    assert absence["organisation"] is None
    assert absence["document"] == {"slug": GUIDANCE}
    # The answer names no women's group; it does not say none was consulted.
    assert "does not say that none was consulted" in absence["summary"]
    [evidence] = absence["evidence"]
    assert (evidence["locator"], evidence["confidence"]) == ("Answer to question 10", "INFERRED")
    assert evidence["source"] == {"slug": FOI}
    assert collapse(evidence["quote"]) in await _foi_text(client)
    assert "women" not in evidence["quote"].lower()


async def test_a_document_without_records_has_none(client: httpx.AsyncClient) -> None:
    data = await graphql(
        client,
        """{ document(slug: "beyond-the-gaze") { topics { slug } topicsNotCovered { summary }
            absences { summary } principles { topics { slug } } } }""",
    )
    assert data["document"] == {
        "topics": [],
        "topicsNotCovered": [],
        "absences": [],
        "principles": [],
    }


async def test_a_topic_round_trips_through_node(client: httpx.AsyncClient) -> None:
    data = await graphql(client, '{ topic(slug: "exploitation") { id slug } }')
    topic_id = data["topic"]["id"]
    found = await graphql(
        client,
        "query($id: ID!) { node(id: $id) { __typename id ... on Topic { slug } } }",
        {"id": topic_id},
    )
    assert found["node"] == {"__typename": "Topic", "id": topic_id, "slug": "exploitation"}


async def test_an_unknown_topic_slug_is_null(client: httpx.AsyncClient) -> None:
    data = await graphql(client, '{ topic(slug: "no-such-topic") { id } }')
    assert data == {"topic": None}


# ---------------------------------------------------------------- statements at two sizes

EVERYTHING = """{
  documents(first: 100) { nodes { slug topics { slug }
    principles { position topics { name } }
    topicsNotCovered { summary topic { slug } evidence { quote source { slug } } }
    absences { summary group { slug } organisation { slug } evidence { confidence } } } }
  topics { slug documents(first: 50) { totalCount nodes { slug topics { slug } } }
    principles { position document { slug } topics { slug } }
    omittedBy { document { slug } evidence { locator } } }
  topicsNotCovered(first: 100) { totalCount
    nodes { document { slug } topic { name } evidence { locator } } }
}"""


async def _grow(url: str, *, documents: int, seed: int) -> None:
    """Add a synthetic register, then topics, omissions and absences for its documents (the
    generator writes none)."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    await generate_register(sessionmaker, documents=documents, seed=seed)
    async with sessionmaker.begin() as session:
        topics = list(await session.scalars(select(Topic).order_by(Topic.id)))
        group = (
            await session.scalars(select(StakeholderGroup).order_by(StakeholderGroup.id))
        ).first()
        assert group is not None and len(topics) >= 3
        grown = list(
            await session.scalars(
                select(Document).where(Document.slug.startswith(prefix_for(seed)))
            )
        )
        principles = await session.execute(
            select(Principle.id, Principle.document_id).where(
                Principle.document_id.in_([d.id for d in grown])
            )
        )
        for principle_id, document_id in principles:
            session.add(
                PrincipleTopic(principle_id=principle_id, topic_id=topics[document_id % 2].id)
            )
        for document in grown:
            omission = TopicOmission(
                document_id=document.id, topic_id=topics[2].id, summary="left out"
            )
            absence = Absence(document_id=document.id, group_id=group.id, summary="not consulted")
            session.add_all(
                [
                    DocumentTopic(document_id=document.id, topic_id=topics[0].id),
                    DocumentTopic(document_id=document.id, topic_id=topics[1].id),
                    omission,
                    absence,
                ]
            )
            await session.flush()
            for claim in ({"omission_id": omission.id}, {"absence_id": absence.id}):
                session.add(
                    Evidence(
                        source_id=document.id,
                        locator="Section 1",
                        quote="A synthetic quote.",
                        confidence=Confidence.INFERRED,
                        **claim,
                    )
                )
    await engine.dispose()


async def _statements(url: str) -> tuple[int, int]:
    """(statements, size of the answer) for EVERYTHING, the pool already warm."""
    app = create_app(settings_for(url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as client:
        await graphql(client, EVERYTHING)
        with counting_statements(app.state.engine) as counter:
            data: dict[str, Any] = await graphql(client, EVERYTHING)
    await app.state.engine.dispose()
    return counter.count, len(str(data))


async def test_topic_statements_are_the_same_at_two_data_sizes(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        engine = create_engine(url)
        await load_seeds(create_sessionmaker(engine))
        await engine.dispose()
        await _grow(url, documents=10, seed=1)
        small, small_size = await _statements(url)
        await _grow(url, documents=60, seed=2)
        large, large_size = await _statements(url)
    assert large_size > small_size
    assert small == large, (small, large)
    # One statement per field that crosses a relation: 26 sites in EVERYTHING.
    assert small <= 26, small
