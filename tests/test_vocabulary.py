"""Every value of every enum in the schema has a one-line definition, and docs/vocabulary.md
gives each the same words."""

from pathlib import Path

import pytest
from graphql import GraphQLEnumType

from schema import build_schema

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "vocabulary.md"
ENUMS = [
    t
    for name, t in build_schema()._schema.type_map.items()
    if isinstance(t, GraphQLEnumType) and not name.startswith("__")
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda t: t.name)
def test_every_value_is_defined_in_the_schema_and_the_guide(enum: GraphQLEnumType) -> None:
    text = GUIDE.read_text()
    assert enum.description, f"{enum.name} has no description"
    assert f"## {enum.name}\n\n{enum.description}\n" in text
    for name, value in enum.values.items():
        assert value.description, f"{enum.name}.{name} has no definition"
        assert "\n" not in value.description.strip(), f"{enum.name}.{name}: one line"
        assert f"| `{name}` | {value.description} |" in text, f"{enum.name}.{name} in the guide"
