"""One set of rules every way in: each rule's breaking input, sent to a mutation and put in an
import folder, is refused with the same rule code both ways, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from db import rules
from seeds.errors import SeedError
from seeds.loader import load_seeds
from tests.editing_fixtures import Register

API_DOCUMENT = "parity-api"
FILE_DOCUMENT = "parity-import"
GUIDANCE = "npcc-sex-work-and-prostitution-guidance-2019"
# A source without a stored text, so its quotes are not checked; and one with a text.
PLAIN = "beyond-the-gaze"
TEXTED = "npcc-foi-059-19"
EVIDENCE = {"source": PLAIN, "locator": "page 1", "quote": "Some words."}
FILE_EVIDENCE = {**EVIDENCE, "confidence": "STATED"}

Variables = dict[str, Any]
# A step's variables, or how to make them from the answers to the steps before it.
Make = Variables | Callable[[list[dict[str, Any]]], Variables]


@dataclass
class Case:
    rule: rules.Rule
    # Mutations sent in turn as (operation, input type, variables); the last must be refused.
    steps: list[tuple[str, str, Make]]
    # The import folder's files (beside the register already in the database).
    files: dict[str, Any]
    who: str = "editor"


def document_file(**fields: Any) -> dict[str, Any]:
    """The import's document file, holding the breaking fields."""
    return {
        f"documents/{FILE_DOCUMENT}.yaml": {
            "slug": FILE_DOCUMENT,
            "title": "Parity",
            "kind": "GUIDANCE",
            **fields,
        }
    }


def twice(step: tuple[str, str, Make]) -> list[tuple[str, str, Make]]:
    return [step, step]


def on_api(**fields: Any) -> Variables:
    return {"input": {"document": API_DOCUMENT, **fields}}


CONSULTATION = {"organisation": "home-office", "role": "CONSULTED"}
EXPECTATION = {"group": "womens-groups", "basis": "OTHER", "reason": "They work with it."}
ABSENCE = {"group": "womens-groups", "summary": "Not asked."}
RELATION = {"kind": "CITES", "target": PLAIN}
ASSESSMENT = {"kind": "PSED", "undertaken": True}
ORGANISATION = {"slug": "parity-organisation", "name": "Parity Organisation"}
ALIASED = {"slug": "parity-aliased", "name": "Parity Aliased"}
GROUPED = {"slug": "parity-grouped", "name": "Parity Grouped"}


def first_id(answers: list[dict[str, Any]], field_name: str) -> str:
    payload = next(iter(answers[0].values()))
    return str(payload[field_name]["id"])


CASES = [
    Case(
        rules.DUPLICATE_EXPECTATION,
        twice(
            ("createExpectation", "ExpectationInput", on_api(**EXPECTATION, evidence=[EVIDENCE]))
        ),
        document_file(
            expectations=[{**EXPECTATION, "evidence": [FILE_EVIDENCE]}] * 2,
        ),
    ),
    Case(
        rules.DUPLICATE_IMPACT_ASSESSMENT,
        twice(
            (
                "createImpactAssessment",
                "ImpactAssessmentInput",
                on_api(**ASSESSMENT, evidence=[EVIDENCE]),
            )
        ),
        document_file(impact_assessments=[{**ASSESSMENT, "evidence": [FILE_EVIDENCE]}] * 2),
    ),
    Case(
        rules.DUPLICATE_EVIDENCE,
        [
            (
                "createConsultation",
                "ConsultationInput",
                on_api(**CONSULTATION, evidence=[EVIDENCE, EVIDENCE]),
            )
        ],
        document_file(consultations=[{**CONSULTATION, "evidence": [FILE_EVIDENCE] * 2}]),
    ),
    Case(
        rules.DUPLICATE_CONSULTATION,
        twice(
            ("createConsultation", "ConsultationInput", on_api(**CONSULTATION, evidence=[EVIDENCE]))
        ),
        document_file(consultations=[{**CONSULTATION, "evidence": [FILE_EVIDENCE]}] * 2),
    ),
    Case(
        rules.DUPLICATE_RELATION,
        twice(
            (
                "createDocumentRelation",
                "DocumentRelationInput",
                on_api(**RELATION, evidence=[EVIDENCE]),
            )
        ),
        document_file(relations=[{**RELATION, "evidence": [FILE_EVIDENCE]}] * 2),
    ),
    Case(
        rules.RELATION_TO_ITSELF,
        [
            (
                "createDocumentRelation",
                "DocumentRelationInput",
                on_api(kind="CITES", target=API_DOCUMENT, evidence=[EVIDENCE]),
            )
        ],
        document_file(
            relations=[{"kind": "CITES", "target": FILE_DOCUMENT, "evidence": [FILE_EVIDENCE]}]
        ),
    ),
    Case(
        rules.EVIDENCE_REQUIRED,
        [("createDocumentRelation", "DocumentRelationInput", on_api(**RELATION, evidence=[]))],
        document_file(relations=[RELATION]),
    ),
    Case(
        rules.DUPLICATE_ABSENCE,
        twice(("createAbsence", "AbsenceInput", on_api(**ABSENCE, evidence=[EVIDENCE]))),
        document_file(absences=[{**ABSENCE, "evidence": [FILE_EVIDENCE]}] * 2),
    ),
    Case(
        rules.DUPLICATE_OMISSION,
        twice(
            (
                "createTopicOmission",
                "TopicOmissionInput",
                on_api(topic="exploitation", evidence=[EVIDENCE]),
            )
        ),
        document_file(
            topics_not_covered=[{"topic": "exploitation", "evidence": [FILE_EVIDENCE]}] * 2
        ),
    ),
    Case(
        rules.COVERED_AND_OMITTED,
        [
            (
                "createTopicOmission",
                "TopicOmissionInput",
                {"input": {"document": GUIDANCE, "topic": "exploitation", "evidence": [EVIDENCE]}},
            )
        ],
        document_file(
            topics=["exploitation"],
            topics_not_covered=[{"topic": "exploitation", "evidence": [FILE_EVIDENCE]}],
        ),
    ),
    Case(
        rules.PARTY_REQUIRED,
        [
            (
                "createExpectation",
                "ExpectationInput",
                on_api(**EXPECTATION, organisation="home-office", evidence=[EVIDENCE]),
            )
        ],
        document_file(
            expectations=[
                {**EXPECTATION, "organisation": "home-office", "evidence": [FILE_EVIDENCE]}
            ]
        ),
    ),
    Case(
        rules.UNKNOWN_REFERENCE,
        [
            (
                "createConsultation",
                "ConsultationInput",
                on_api(organisation="nobody-at-all", role="CONSULTED", evidence=[EVIDENCE]),
            )
        ],
        document_file(
            consultations=[
                {"organisation": "nobody-at-all", "role": "CONSULTED", "evidence": [FILE_EVIDENCE]}
            ]
        ),
    ),
    Case(
        rules.QUOTE_NOT_IN_SOURCE,
        [
            (
                "createConsultation",
                "ConsultationInput",
                on_api(
                    **CONSULTATION,
                    evidence=[
                        {
                            "source": TEXTED,
                            "locator": "Answer 9",
                            "quote": "This sentence is not in the report at all.",
                        }
                    ],
                ),
            )
        ],
        # The source's text is only in the database: the import checks the quote against it.
        document_file(
            consultations=[
                {
                    **CONSULTATION,
                    "evidence": [
                        {
                            "source": TEXTED,
                            "locator": "Answer 9",
                            "quote": "This sentence is not in the report at all.",
                            "confidence": "STATED",
                        }
                    ],
                }
            ]
        ),
    ),
    Case(
        rules.DUPLICATE_VERSION,
        twice(("createDocumentVersion", "DocumentVersionInput", on_api(label="v1"))),
        document_file(versions=[{"label": "v1"}, {"label": "v1"}]),
    ),
    Case(
        rules.DUPLICATE_PRINCIPLE,
        twice(("createPrinciple", "PrincipleInput", on_api(position=1, text="Be kind."))),
        document_file(principles=[{"position": 1, "text": "Be kind."}] * 2),
    ),
    Case(
        rules.POSITION_RANGE,
        [("createPrinciple", "PrincipleInput", on_api(position=0, text="Be kind."))],
        document_file(principles=[{"position": 0, "text": "Be kind."}]),
    ),
    Case(
        rules.DUPLICATE_INFLUENCE,
        [
            ("createPrinciple", "PrincipleInput", on_api(position=2, text="Be kind.")),
            *twice(
                (
                    "createInfluence",
                    "InfluenceInput",
                    lambda answers: {
                        "input": {
                            "principle": first_id(answers, "principle"),
                            "organisation": "home-office",
                            "effect": "SHAPED",
                            "evidence": [EVIDENCE],
                        }
                    },
                )
            ),
        ],
        document_file(
            principles=[
                {
                    "position": 1,
                    "text": "Be kind.",
                    "influences": [
                        {
                            "organisation": "home-office",
                            "effect": "SHAPED",
                            "evidence": [FILE_EVIDENCE],
                        }
                    ]
                    * 2,
                }
            ]
        ),
    ),
    Case(
        rules.SLUG_TAKEN,
        twice(("createOrganisation", "OrganisationInput", {"input": ORGANISATION})),
        {"organisations.yaml": [ORGANISATION, ORGANISATION]},
    ),
    Case(
        rules.DUPLICATE_ALIAS,
        [
            (
                "createOrganisation",
                "OrganisationInput",
                {"input": {**ALIASED, "aliases": ["PO", "PO"]}},
            )
        ],
        {"organisations.yaml": [{**ALIASED, "aliases": ["PO", "PO"]}]},
    ),
    Case(
        rules.DUPLICATE_MEMBERSHIP,
        [
            (
                "createOrganisation",
                "OrganisationInput",
                {"input": {**GROUPED, "groups": ["womens-groups", "womens-groups"]}},
            )
        ],
        {"organisations.yaml": [{**GROUPED, "groups": ["womens-groups", "womens-groups"]}]},
    ),
    Case(
        rules.DUPLICATE_FOI_REQUEST,
        twice(
            (
                "createFoiRequest",
                "FoiRequestInput",
                {"input": {"reference": "P-1", "authority": "home-office"}},
            )
        ),
        {"foi_requests.yaml": [{"reference": "P-1", "authority": "home-office"}] * 2},
    ),
    Case(
        rules.DUPLICATE_FOI_QUESTION,
        [
            (
                "createFoiRequest",
                "FoiRequestInput",
                {"input": {"reference": "P-2", "authority": "home-office"}},
            ),
            *twice(
                (
                    "createFoiQuestion",
                    "FoiQuestionInput",
                    lambda answers: {
                        "input": {
                            "request": first_id(answers, "foiRequest"),
                            "number": 1,
                            "text": "Who?",
                            "outcome": "NOT_HELD",
                        }
                    },
                )
            ),
        ],
        {
            "foi_requests.yaml": [
                {
                    "reference": "P-2",
                    "authority": "home-office",
                    "questions": [{"number": 1, "text": "Who?", "outcome": "NOT_HELD"}] * 2,
                }
            ]
        },
    ),
]
CASES.append(
    Case(
        rules.MERGED_INTO_ITSELF,
        [("mergeOrganisations", "", {"survivor": "npcc", "merged": "npcc"})],
        {
            "organisations.yaml": [
                {
                    "slug": "parity-merged",
                    "name": "Parity Merged",
                    "merged_into": {
                        "organisation": "parity-merged",
                        "at": "2026-01-01T00:00:00+00:00",
                    },
                }
            ]
        },
        who="admin",
    )
)
# Rules no mutation can break, and why: the import alone has to refuse them.
IMPORT_ONLY = {
    # The API sets no document or principle topics: the files alone list them.
    rules.DUPLICATE_TOPIC.code,
}


# What the steps after a create need of it.
SAVED = {
    "createPrinciple": "... on PrincipleSaved { principle { id } }",
    "createFoiRequest": "... on FoiRequestSaved { foiRequest { id } }",
}


def mutation(operation: str, input_type: str) -> str:
    if operation == "mergeOrganisations":
        return """mutation($survivor: String!, $merged: String!) {
            mergeOrganisations(survivor: $survivor, merged: $merged, survivorVersion: 1,
                               mergedVersion: 1, reason: "Recorded twice.") {
                __typename ... on EditRefused { errors { field code rule } }
            }
        }"""
    variable = "id: ID!, input" if operation == "addEvidence" else "input"
    argument = "claim: $id, input: $input" if operation == "addEvidence" else "input: $input"
    return f"""mutation(${variable}: {input_type}!) {{ {operation}({argument}) {{
        __typename
        ... on EditRefused {{ errors {{ field code rule }} }}
        {SAVED.get(operation, "")}
    }} }}"""


async def api_codes(register: Register, case: Case) -> list[str | None]:
    answers: list[dict[str, Any]] = []
    for operation, input_type, make in case.steps:
        variables = make(answers) if callable(make) else make
        before = await register.table_counts()
        response = await register.send(mutation(operation, input_type), variables, case.who)
        body = response.json()
        assert "errors" not in body, body
        answers.append(body["data"])
    # The refused mutation wrote nothing.
    assert await register.table_counts() == before, case.rule.code
    refused = answers[-1][case.steps[-1][0]]
    assert refused["__typename"] == "EditRefused", (case.rule.code, answers)
    return [error["rule"] for error in refused["errors"]]


def write_folder(folder: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


async def import_codes(register: Register, folder: Path) -> list[str | None]:
    with pytest.raises(SeedError) as raised:
        await load_seeds(register.sessionmaker, folder, actor="import")
    return [getattr(problem, "code", None) for problem in raised.value.problems]


def test_every_rule_has_a_case() -> None:
    covered = {case.rule.code for case in CASES} | IMPORT_ONLY
    assert covered == {rule.code for rule in rules.RULES}
    assert len({rule.code for rule in rules.RULES}) == len(rules.RULES)


async def test_each_rule_is_refused_with_the_same_code_by_a_mutation_and_by_the_import(
    register: Register, tmp_path: Path
) -> None:
    created = await register.send(
        mutation("createDocument", "DocumentInput"),
        {"input": {"slug": API_DOCUMENT, "title": "Parity", "kind": "GUIDANCE"}},
    )
    assert created.json()["data"]["createDocument"]["__typename"] == "DocumentSaved"
    mismatched = []
    for n, case in enumerate(CASES):
        before = await register.table_counts()
        folder = tmp_path / f"case-{n}"
        write_folder(folder, case.files)
        imported = await import_codes(register, folder)
        # The import wrote nothing.
        assert await register.table_counts() == before, case.rule.code
        edited = await api_codes(register, case)
        if case.rule.code not in imported or case.rule.code not in edited:
            mismatched.append((case.rule.code, imported, edited))
    assert mismatched == []
