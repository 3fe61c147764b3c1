"""Duplicates caught at the door: a close name still saves, but the answer lists the possible
duplicates; editors list the pairs awaiting review and mark a pair distinct; search finds a
name written with its spaces or hyphens dropped."""

from __future__ import annotations

from typing import Any

from db.duplicates import closeness
from tests.editing_fixtures import Register

CREATE = """mutation($input: OrganisationInput!) { createOrganisation(input: $input) {
    __typename
    ... on OrganisationSaved {
        organisation { slug }
        possibleDuplicates { organisation { slug } name matched reason score }
    }
    ... on EditRefused { errors { field code rule } }
} }"""
PAIRS = """{ possibleDuplicateOrganisations(first: 100) {
    first { slug } second { slug } firstName secondName reason score
} }"""
MARK = """mutation($first: String!, $second: String!) {
    markOrganisationsDistinct(first: $first, second: $second) {
        __typename
        ... on PairMarkedDistinct { first { slug } second { slug } }
        ... on EditRefused { errors { field code } }
    }
}"""
SEARCH = """query($text: String!) { search(text: $text, first: 10) {
    nodes { node { __typename ... on Organisation { slug } } }
} }"""


async def data(
    register: Register, query: str, variables: dict[str, Any], who: str = "editor"
) -> Any:
    body = (await register.send(query, variables, who)).json()
    assert "errors" not in body, body
    return body["data"]


def test_names_are_close_apart_from_spacing_by_acronym_or_by_score() -> None:
    assert closeness("ScotPep", "SCOT-PEP") == ("same name apart from spacing and punctuation", 100)
    assert closeness("NPCC", "National Police Chiefs\u2019 Council") == ("acronym", 95)
    assert closeness("The Home Office", "Home Office")
    assert closeness("National Ugly Mug", "National Ugly Mugs")
    assert closeness("Home Office", "Foreign Office") is None
    assert closeness("NPCC", "National Crime Agency") is None


async def test_a_close_name_saves_and_lists_its_possible_duplicates(register: Register) -> None:
    organisations_before = (await register.counts())[0]
    created = await data(
        register,
        CREATE,
        {
            "input": {
                "slug": "national-police-chiefs-council",
                "name": "National Police Chiefs Council",
            }
        },
    )
    saved = created["createOrganisation"]
    assert saved["__typename"] == "OrganisationSaved"
    assert (await register.counts())[0] == organisations_before + 1
    [duplicate] = saved["possibleDuplicates"]
    assert duplicate["organisation"] == {"slug": "npcc"}
    assert duplicate["reason"] == "same name apart from spacing and punctuation"

    # An acronym alone, as a name: NPCC is the National Police Chiefs' Council's.
    acronym = await data(register, CREATE, {"input": {"slug": "npcc-2", "name": "N.P.C.C."}})
    found = {
        d["organisation"]["slug"]: d["reason"]
        for d in acronym["createOrganisation"]["possibleDuplicates"]
    }
    assert found["npcc"] in ("acronym", "same name apart from spacing and punctuation")
    assert found["national-police-chiefs-council"] == "acronym"

    # A name close to nothing lists nothing.
    alone = await data(register, CREATE, {"input": {"slug": "scot-pep", "name": "SCOT-PEP"}})
    assert alone["createOrganisation"]["possibleDuplicates"] == []


async def test_pairs_await_review_until_an_editor_marks_them_distinct(register: Register) -> None:
    await data(register, CREATE, {"input": {"slug": "scot-pep", "name": "SCOT-PEP"}})
    await data(register, CREATE, {"input": {"slug": "scotpep", "name": "ScotPep"}})
    pairs = (await data(register, PAIRS, {}))["possibleDuplicateOrganisations"]
    slugs = [{p["first"]["slug"], p["second"]["slug"]} for p in pairs]
    assert {"scot-pep", "scotpep"} in slugs

    # Readers do not see the review list.
    refused = (await register.send(PAIRS, {}, "anonymous")).json()
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    audit_before = (await register.counts())[1]
    marked = await data(register, MARK, {"first": "scotpep", "second": "scot-pep"})
    assert marked["markOrganisationsDistinct"]["__typename"] == "PairMarkedDistinct"
    assert (await register.counts())[1] == audit_before + 1
    # Marking again changes nothing.
    await data(register, MARK, {"first": "scot-pep", "second": "scotpep"})
    assert (await register.counts())[1] == audit_before + 1
    pairs = (await data(register, PAIRS, {}))["possibleDuplicateOrganisations"]
    assert {"scot-pep", "scotpep"} not in [{p["first"]["slug"], p["second"]["slug"]} for p in pairs]

    # A pair marked distinct is no longer a possible duplicate on save either.
    again = await data(register, CREATE, {"input": {"slug": "scot-pep-2", "name": "Scot Pep"}})
    listed = {d["organisation"]["slug"] for d in again["createOrganisation"]["possibleDuplicates"]}
    assert listed == {"scot-pep", "scotpep"}

    unknown = await data(register, MARK, {"first": "scot-pep", "second": "nobody-here"})
    assert unknown["markOrganisationsDistinct"]["errors"] == [
        {"field": "second", "code": "NOT_FOUND"}
    ]


async def test_search_finds_a_name_with_its_spaces_or_hyphens_dropped(register: Register) -> None:
    await data(register, CREATE, {"input": {"slug": "scot-pep", "name": "SCOT-PEP"}})
    for text in ("ScotPep", "scotpep", "SCOT-PEP", "Scot Pep"):
        found = (await data(register, SEARCH, {"text": text}))["search"]["nodes"]
        assert {"__typename": "Organisation", "slug": "scot-pep"} in [h["node"] for h in found], (
            text
        )
    nothing = (await data(register, SEARCH, {"text": "ScotPepper"}))["search"]["nodes"]
    assert nothing == []
