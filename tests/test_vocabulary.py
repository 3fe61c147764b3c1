"""Every value of every enum in the schema has a one-line definition, and docs/vocabulary.md
gives each the same words, in that enum's own section."""

import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType

from db.enums import (
    COUNTS_AS_CONSULTED,
    DEFINITIONS,
    ConsultationRole,
    DocumentKind,
    ExpectationBasis,
)
from schema import build_schema

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "vocabulary.md"
ENUMS = [
    t
    for name, t in build_schema()._schema.type_map.items()
    if isinstance(t, GraphQLEnumType) and not name.startswith("__")
]


def _section(name: str) -> str:
    """The text of `## name`, up to the next section of the same level."""
    text = GUIDE.read_text()
    found = re.search(rf"^## {name}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert found, f"docs/vocabulary.md has no section {name}"
    return found[1]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda t: t.name)
def test_every_value_is_defined_in_the_schema_and_the_guide(enum: GraphQLEnumType) -> None:
    section = _section(enum.name)
    assert enum.description, f"{enum.name} has no description"
    assert section.startswith(f"\n{enum.description}\n")
    for name, value in enum.values.items():
        assert value.description, f"{enum.name}.{name} has no definition"
        assert "\n" not in value.description.strip(), f"{enum.name}.{name}: one line"
        assert f"| `{name}` | {value.description} |" in section, f"{enum.name}.{name}"


def test_values_of_the_same_name_in_two_vocabularies_keep_their_own_definitions() -> None:
    # DocumentKind.OTHER and ExpectationBasis.OTHER are equal strings.
    assert DEFINITIONS[DocumentKind.OTHER] != DEFINITIONS[ExpectationBasis.OTHER]
    assert DEFINITIONS[DocumentKind.OTHER].startswith("A document")


def test_the_guide_says_which_roles_count_as_consulted() -> None:
    section = _section("ConsultationRole")
    counted, not_counted = re.search(
        r"counted as consulted: (.*?);\n- recorded, but not counted .*?: (.*?)\.\n", section, re.S
    ).groups()  # type: ignore[union-attr]
    assert set(re.findall(r"`(\w+)`", counted)) == {r.value for r in COUNTS_AS_CONSULTED}
    assert set(re.findall(r"`(\w+)`", not_counted)) == {
        r.value for r in ConsultationRole if r not in COUNTS_AS_CONSULTED
    }
    assert "DELIVERY_PARTNER" in not_counted and "REPORTING_CHANNEL" in not_counted
