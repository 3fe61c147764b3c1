"""The schema keeps every pinned name and shape of the contract, and schema.graphql is current.

tests/contract.graphql is a copy of the pinned core of the public schema.
"""

from pathlib import Path

from graphql import (
    EnumTypeDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    parse,
    print_ast,
)

from schema import build_schema

ROOT = Path(__file__).resolve().parent.parent
# Pinned for the analysis issue (#3), not yet part of the schema.
PENDING = {"CoverageStatus", "GroupCoverage", "CoverageReport"}


def _contract() -> list[object]:
    return list(parse((ROOT / "tests" / "contract.graphql").read_text()).definitions)


def test_every_pinned_type_field_argument_and_value_exists_with_its_shape() -> None:
    schema = build_schema()._schema
    problems: list[str] = []
    for definition in _contract():
        name = definition.name.value  # type: ignore[attr-defined]
        if name in PENDING:
            continue
        ours = schema.get_type(name)
        if ours is None:
            problems.append(f"missing type {name}")
            continue
        if isinstance(definition, EnumTypeDefinitionNode):
            assert isinstance(ours, GraphQLEnumType)
            missing = {v.name.value for v in definition.values or []} - set(ours.values)
            problems += [f"{name}.{value} missing" for value in sorted(missing)]
        elif isinstance(
            definition,
            ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | InputObjectTypeDefinitionNode,
        ):
            assert isinstance(
                ours, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
            )
            for interface in getattr(definition, "interfaces", None) or []:
                if interface.name.value not in {i.name for i in getattr(ours, "interfaces", [])}:
                    problems.append(f"{name} does not implement {interface.name.value}")
            for field in definition.fields or []:
                theirs_type = print_ast(field.type)
                our_field = ours.fields.get(field.name.value)
                if our_field is None:
                    problems.append(f"{name}.{field.name.value} missing")
                    continue
                if str(our_field.type) != theirs_type:
                    problems.append(f"{name}.{field.name.value}: {our_field.type} != {theirs_type}")
                for argument in getattr(field, "arguments", None) or []:
                    our_argument = our_field.args.get(argument.name.value)
                    label = f"{name}.{field.name.value}({argument.name.value})"
                    if our_argument is None:
                        problems.append(f"{label} missing")
                        continue
                    if str(our_argument.type) != print_ast(argument.type):
                        problems.append(f"{label}: {our_argument.type}")
                    if argument.default_value is not None and our_argument.default_value != int(
                        print_ast(argument.default_value)
                    ):
                        problems.append(f"{label} default {our_argument.default_value}")
        else:
            assert isinstance(definition, ScalarTypeDefinitionNode)
    assert problems == []


def test_checked_in_schema_file_matches_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text()
    assert checked_in == build_schema().as_str() + "\n", (
        "schema.graphql is stale: run `footprint export-schema --output schema.graphql`"
    )
