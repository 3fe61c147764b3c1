"""The FOI answer an officer can send unedited: each rule of issue 12 has its test here, on the
two seeded documents, and the files at /answers/{slug}.md, .html and .docx carry the same text."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document as WordDocument
from markdown_it import MarkdownIt

from tests.editing_fixtures import Register
from tests.graphql import graphql

GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
POLICY = "gloucestershire-prostitution-policy"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "answers"
NO_RECORD = "The register holds no record either way."
CITED = re.compile(r"\[(\d+)\]")
# A statement's citations: "[1][2]", "[3] (inferred)", "[1]; [2][3] (inferred)".
CITATIONS_AT_END = re.compile(
    r"(\[\d+\])+( \((inferred|disputed)\))?(; (\[\d+\])+( \((inferred|disputed)\))?)*$"
)

ANSWER = """query($slug: String!) { consultationAnswer(documentSlug: $slug) {
    document { slug } markdown
    consulted { role organisation { slug name } }
    otherParts { role organisation { slug } }
    leftOut { group { slug name } status }
} }"""


async def _answer(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    answer: dict[str, Any] = (await graphql(client, ANSWER, {"slug": slug}))["consultationAnswer"]
    return answer


def _sections(markdown: str) -> dict[str, str]:
    """The text under each `## heading`."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _body(markdown: str) -> str:
    return markdown.split("\n## Sources\n")[0]


def _items(section: str) -> list[str]:
    """The list items of a section, one line each (nested items are lines of their own)."""
    return [line.strip()[2:] for line in section.splitlines() if line.strip().startswith("- ")]


# ---------------------------------------------------------------- the structure


@pytest.mark.parametrize("slug", [GUIDANCE, POLICY, "beyond-the-gaze"])
async def test_it_is_valid_commonmark_with_one_numbered_source_per_citation(
    client: httpx.AsyncClient, slug: str
) -> None:
    markdown = (await _answer(client, slug))["markdown"]
    tokens = MarkdownIt("commonmark").parse(markdown)
    headings = [t for t in tokens if t.type == "heading_open" and t.tag == "h2"]
    assert headings[-1].map is not None
    # The sources are the last section: one ordered list, starting at 1.
    after = [t for t in tokens if t.map and t.map[0] > headings[-1].map[0]]
    lists = [t for t in after if t.type in ("ordered_list_open", "bullet_list_open")]
    cited = sorted({int(n) for n in CITED.findall(_body(markdown))})
    if not cited:
        assert lists == []
        return
    assert [t.type for t in lists] == ["ordered_list_open"]
    assert int(lists[0].attrGet("start") or 1) == 1
    items = [t for t in after if t.type == "list_item_open"]
    assert len(items) == len(cited)  # one list item per source
    assert cited == list(range(1, len(cited) + 1))  # each number has exactly one target
    listed = re.findall(r"^(\d+)\. ", markdown.split("\n## Sources\n")[1], re.M)
    assert [int(n) for n in listed] == cited


@pytest.mark.parametrize("slug", [GUIDANCE, POLICY])
async def test_every_statement_is_cited_or_plainly_the_registers_own(
    client: httpx.AsyncClient, slug: str
) -> None:
    markdown = (await _answer(client, slug))["markdown"]
    for heading, section in _sections(_body(markdown)).items():
        for item in _items(section):
            if re.fullmatch(r"\*\*[^*]+\*\*", item):
                continue  # a group's name, its statements below it
            cited = CITATIONS_AT_END.search(item) is not None
            own = item.endswith(NO_RECORD) or item.startswith("The register records")
            assert cited or own, (heading, item)
        paragraphs = [p for p in section.split("\n\n") if p.strip() and not p.startswith("- ")]
        for paragraph in paragraphs:
            # Outside lists: the register's own statements and the headings' explanations.
            assert not CITED.search(paragraph) or CITATIONS_AT_END.search(paragraph), paragraph
    # The opening says plainly what is the register's own.
    opening = markdown.split("\n## ")[0]
    assert "As the register records it:" in opening
    assert "a statement without a number is the register's own" in opening


@pytest.mark.parametrize("slug", [GUIDANCE, POLICY])
async def test_no_commentary_addressed_at_anyone(client: httpx.AsyncClient, slug: str) -> None:
    markdown = (await _answer(client, slug))["markdown"]
    body = _body(markdown)
    for phrase in ("requester's case", "not the answer's", " you ", " your ", "CONSULTED"):
        assert phrase not in body, phrase
    assert "the role recorded is" not in body  # the register's bookkeeping is not the letter's


async def test_terms_are_explained_once(client: httpx.AsyncClient) -> None:
    markdown = (await _answer(client, GUIDANCE))["markdown"]
    assert markdown.count("Public Sector Equality Duty (PSED) assessment") == 1
    assert "(inferred)" in _body(markdown).split("\n## ", 1)[1]
    explained = "“(inferred)” after a citation means the source does not say this in so many words"
    assert markdown.count(explained) == 1
    assert markdown.index(explained) < markdown.index("\n## ")
    # The Gloucestershire answer infers nothing, so explains nothing of it.
    policy = (await _answer(client, POLICY))["markdown"]
    assert "(inferred)" not in policy


async def test_the_sources_words_where_they_matter(client: httpx.AsyncClient) -> None:
    body = _body((await _answer(client, GUIDANCE))["markdown"])
    sections = _sections(body)
    assert "no formal assessments were required or undertaken" in sections["Impact assessments"]
    assert "developed alongside" in sections["Who was consulted, and in what role"]
    assert "Took into account “Beyond the Gaze”" in sections["What it draws on"]
    assert "Cites “Beyond the Gaze”" not in body


async def test_an_account_from_an_foi_response_says_which_request_and_what_was_said(
    client: httpx.AsyncClient,
) -> None:
    sections = _sections((await _answer(client, GUIDANCE))["markdown"])
    account = sections["Where this account comes from"]
    assert "Freedom of Information request 059/19" in account
    assert "National Police Chiefs' Council" in account
    assert "10 April 2019" in account
    assert "held no information the request captured, and answered outside the Act" in account
    assert "questions 1\u20133 and 5\u201310" in account
    assert CITED.search(account)
    # "not held" is the authority's FOI term: only ever in its account, never for a gap.
    rest = "".join(text for heading, text in sections.items() if heading != "Sources")
    assert "not held" not in rest.replace(account, "")


async def test_womens_groups_are_described_by_what_the_sources_show(
    client: httpx.AsyncClient,
) -> None:
    answer = await _answer(client, GUIDANCE)
    gaps = _sections(answer["markdown"])["Groups not shown to have been consulted"]
    women = gaps.split("- **Women's groups**")[1].split("\n- **")[0]
    assert "Question 10 of FOI request 059/19 asked what efforts were made to reach out" in women
    assert "names no women's group or organisation" in women
    assert "not consulted" not in women.lower()
    assert {g["group"]["slug"]: g["status"] for g in answer["leftOut"]} == {
        "womens-groups": "NOT_CONSULTED",
        "anti-trafficking": "NO_RECORD",
    }
    trafficking = gaps.split("- **Anti-trafficking organisations**")[1]
    assert f"What the sources show: {NO_RECORD}" in trafficking
    assert "the register's reading" in trafficking


async def test_the_policy_records_no_consultation_and_its_partners_have_their_own_headings(
    client: httpx.AsyncClient,
) -> None:
    answer = await _answer(client, POLICY)
    sections = _sections(answer["markdown"])
    consulted = sections["Who was consulted, and in what role"]
    assert "The register records no consultation on this document." in consulted
    assert "**" not in consulted
    assert answer["consulted"] == []
    delivery = sections["Partners in delivery"]
    assert "**The Nelson Trust**" in delivery and "**Sex worker Forum**" in delivery
    assert "**partner agencies**" in delivery
    reporting = sections["Reporting channels"]
    assert "**County Health and Wellbeing Board**" in reporting
    assert "commissioning group**" in reporting
    assert "**Sue Bradshaw**" in sections["Author"]
    assert "**PPB**" in sections["Oversight"]
    assert "**DCC**" in sections["Changes made at a party's request"]
    assert {c["role"] for c in answer["otherParts"]} == {
        "DELIVERY_PARTNER",
        "REPORTING_CHANNEL",
        "AUTHOR",
        "OVERSIGHT",
        "REQUESTED_CHANGE",
    }


async def test_summaries_dates_and_one_citation_per_passage(client: httpx.AsyncClient) -> None:
    markdown = (await _answer(client, GUIDANCE))["markdown"]
    sections = _sections(markdown)
    assert (
        "due to their work with Police were involved"
        in (sections["Who was consulted, and in what role"])
    )
    sources = sections["Sources"]
    assert "*NPCC response to Freedom of Information request 059/19* (National Police Chiefs'" in (
        sources
    )
    assert "10 April 2019" in sources
    # Answer 10, quoted whole for the absence and in part for the research taken into account:
    # one place, one number.
    [answer_10] = re.findall(r"^(\d+)\. .*Answer to question 10:", sources, re.M)
    assert f"Took into account “Beyond the Gaze”. [{answer_10}]" in sections["What it draws on"]
    policy = _sections((await _answer(client, POLICY))["markdown"])["Sources"]
    # The policy gives no publication date: its latest version's date stands in.
    assert "(Gloucestershire Constabulary, version 1.2 of 23 May 2017)" in policy


async def test_a_sources_address_is_in_the_source_list(register: Register) -> None:
    created = await register.send(
        """mutation { createDocument(input: {slug: "a-web-source", title: "A web source",
            kind: WEB_PAGE, url: "https://example.org/consulted"}) { __typename } }""",
        {},
    )
    assert created.json()["data"]["createDocument"]["__typename"] == "DocumentSaved"
    added = await register.send(
        """mutation { createConsultation(input: {document: "gloucestershire-prostitution-policy",
            organisation: "home-office", role: CONSULTED, evidence: [{source: "a-web-source",
            locator: "para 2", quote: "The Home Office was consulted.",
            url: "https://example.org/consulted", readOn: "2026-11-02"}]}) { __typename } }""",
        {},
    )
    assert added.json()["data"]["createConsultation"]["__typename"] == "ConsultationSaved"
    markdown = (await _answer(register.client, POLICY))["markdown"]
    sources = _sections(markdown)["Sources"]
    assert re.search(
        r"^\d+\. \*A web source\* \(<https://example\.org/consulted>\), para 2:", sources, re.M
    )
    assert "**Home Office**: consulted." in markdown


async def test_no_record_wording_where_the_register_has_nothing(
    client: httpx.AsyncClient,
) -> None:
    answer = await _answer(client, "beyond-the-gaze")
    markdown = answer["markdown"]
    assert "The register records no consultation on this document." in markdown
    assert "The register records no impact assessment of this document." in markdown
    assert "not consulted" not in markdown.lower().replace("not shown to have been consulted", "")
    assert answer["consulted"] == [] and answer["leftOut"] == []


async def test_the_answer_is_the_same_every_time(client: httpx.AsyncClient) -> None:
    assert await _answer(client, GUIDANCE) == await _answer(client, GUIDANCE)


async def test_unknown_document_is_null(client: httpx.AsyncClient) -> None:
    assert await graphql(client, ANSWER, {"slug": "nope"}) == {"consultationAnswer": None}


# ---------------------------------------------------------------- the files


@pytest.mark.parametrize("slug", [GUIDANCE, POLICY])
async def test_the_docs_hold_the_answer_the_api_gives(client: httpx.AsyncClient, slug: str) -> None:
    markdown = (await _answer(client, slug))["markdown"]
    assert (DOCS / f"{slug}.md").read_text(encoding="utf-8") == markdown


@pytest.mark.parametrize("slug", [GUIDANCE, POLICY])
async def test_the_files_carry_the_same_text_and_citations(
    client: httpx.AsyncClient, slug: str
) -> None:
    markdown = (await _answer(client, slug))["markdown"]
    md = await client.get(f"/answers/{slug}.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text == markdown

    page = await client.get(f"/answers/{slug}.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert MarkdownIt("commonmark").render(markdown) in page.text
    assert page.text.count("<li>") == markdown.count("\n- ") + markdown.count("\n  - ") + len(
        re.findall(r"^\d+\. ", markdown, re.M)
    )

    word = await client.get(f"/answers/{slug}.docx")
    assert word.status_code == 200
    assert word.headers["content-disposition"] == f'attachment; filename="{slug}.docx"'
    letter = WordDocument(io.BytesIO(word.content))
    assert [p.text for p in letter.paragraphs] == _plain_blocks(markdown)
    assert CITED.findall(" ".join(p.text for p in letter.paragraphs)) == CITED.findall(markdown)


def _plain_blocks(markdown: str) -> list[str]:
    """Each block's text with the Markdown taken out, numbered items keeping their number."""
    blocks, numbers, number = [], [], 0
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type == "bullet_list_open":
            numbers.append(0)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif token.type == "list_item_open":
            number = numbers[-1]
            if number:
                numbers[-1] += 1
        elif token.type == "inline":
            text = "".join(
                c.content if c.type in ("text", "code_inline") else " " * (c.type == "softbreak")
                for c in token.children or []
            )
            blocks.append(f"{number}. {text}" if number else text)
            number = 0
    return blocks


@pytest.mark.parametrize("path", ["/answers/nope.md", "/answers/nope.docx", "/answers/nope.html"])
async def test_an_unknown_document_is_a_clear_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "nope" in response.json()["errors"][0]["message"]


async def test_an_unknown_format_is_a_clear_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/answers/{GUIDANCE}.pdf")
    assert response.status_code == 404
    assert ".docx" in response.json()["errors"][0]["message"]


async def test_a_draft_document_has_no_answer_file(register: Register) -> None:
    created = await register.send(
        """mutation { createDocument(input: {slug: "a-draft", title: "A draft", kind: GUIDANCE,
            published: false}) { __typename } }""",
        {},
    )
    assert created.json()["data"]["createDocument"]["__typename"] == "DocumentSaved"
    for form in ("md", "html", "docx"):
        response = await register.client.get(f"/answers/a-draft.{form}")
        assert response.status_code == 404
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
