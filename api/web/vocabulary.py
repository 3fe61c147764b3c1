"""The schema's closed vocabularies as the dashboard words them: a label and a definition for
each value of every enum, read from the built schema itself (not from an introspection query,
which production may switch off). A value added to the schema reaches the page with no change
here: its label is made from its name, its definition is its GraphQL description."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLSchema

# Words kept in capitals, and prefixes joined to the next word with a hyphen.
ACRONYMS = frozenset({"FOI", "NPCC", "PSED", "EIA", "SIA", "DPIA", "UN", "URL", "CSV", "ID"})
JOINED_PREFIXES = frozenset({"CO", "NON", "PRE", "RE", "SUB"})


def label(value: str) -> str:
    """CO_DEVELOPER -> "Co-developer", FOI_RESPONSE -> "FOI response"."""
    text = ""
    for index, word in enumerate(value.split("_")):
        written = word if word in ACRONYMS else word.lower()
        if index == 0:
            text = written
        elif text.upper() in JOINED_PREFIXES and " " not in text:
            text += "-" + written
        else:
            text += " " + written
    return text[:1].upper() + text[1:]


def vocabulary(schema: GraphQLSchema) -> dict[str, dict[str, object]]:
    """{enum name: {"description", "values": [{"value", "label", "definition"}, ...]}}, each
    enum's values in schema order."""
    enums = sorted(
        (kind for name, kind in schema.type_map.items() if isinstance(kind, GraphQLEnumType)),
        key=lambda kind: kind.name,
    )
    return {
        kind.name: {
            "description": kind.description or "",
            "values": [
                {"value": name, "label": label(name), "definition": value.description or ""}
                for name, value in kind.values.items()
            ],
        }
        for kind in enums
        if not kind.name.startswith("__")
    }
