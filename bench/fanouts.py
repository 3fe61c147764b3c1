"""Fan-outs an anonymous client can build from the schema: a path from the root to every list
field, and lists below it, three levels in all. The attack benchmark (`bench/attack.py`)
searches them for the most expensive request the limits allow; tests/test_fanouts.py sends one
through every list field and checks it is refused or cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_required_argument,
    parse,
)

from schema.reads.limits import DocumentTally, QueryLimits, check_operation, coerced_variables

# Lists an anonymous reader always gets empty: fanning out through them costs nothing.
EDITORS_ONLY = {"history"}
ROOT_PAGE = 100  # the largest `first` a connection accepts


@dataclass(frozen=True)
class Hop:
    """One field on the way down, as written in the query."""

    text: str  # the field with its arguments, or `... on Type` for a union's member
    type: GraphQLNamedType  # the named type it leads to
    field: str  # Type.field, or "" for an inline fragment
    listed: bool


def _composite(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def _listed(field: GraphQLField) -> bool:
    return is_list_type(get_nullable_type(field.type))


def _arguments(
    parent: str, name: str, field: GraphQLField, root_arguments: Mapping[str, str], first: int
) -> str | None:
    """The field's arguments as written: `first` at its largest on a connection, the root's
    required ones from `root_arguments`; None when a required one is unknown."""
    if parent == "Query" and name in root_arguments:
        return f"({root_arguments[name]})"
    if any(is_required_argument(a) for a in field.args.values()):
        return None
    if "first" in field.args and "offset" not in field.args:
        return f"(first: {first})"
    return ""


def _hops(
    named: GraphQLNamedType, root_arguments: Mapping[str, str], first: int
) -> Iterator[tuple[str, GraphQLField | None, Hop]]:
    """The fields (or union members) one can select on `named`, leading to composite types."""
    if isinstance(named, GraphQLUnionType):
        for member in named.types:
            yield "", None, Hop(f"... on {member.name}", member, "", False)
        return
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return
    for name, field in named.fields.items():
        inner = get_named_type(field.type)
        if name.startswith("__") or name in EDITORS_ONLY or not _composite(inner):
            continue
        arguments = _arguments(named.name, name, field, root_arguments, first)
        if arguments is None:
            continue
        hop = Hop(f"{name}{arguments}", inner, f"{named.name}.{name}", _listed(field))
        yield name, field, hop


def paths(
    schema: GraphQLSchema, root_arguments: Mapping[str, str], first: int = ROOT_PAGE
) -> dict[str, list[Hop]]:
    """The shortest way from the root to each type an anonymous reader can reach."""
    root = schema.query_type
    assert root is not None
    found: dict[str, list[Hop]] = {root.name: []}
    queue: deque[GraphQLNamedType] = deque([root])
    while queue:
        named = queue.popleft()
        for _name, _field, hop in _hops(named, root_arguments, first):
            if hop.type.name not in found:
                found[hop.type.name] = [*found[named.name], hop]
                queue.append(hop.type)
    return found


def leaf(named: GraphQLNamedType) -> str:
    """Every scalar field of `named` that needs no argument (or `__typename`)."""
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        scalars = [
            name
            for name, field in named.fields.items()
            if is_leaf_type(get_named_type(field.type))
            and not any(is_required_argument(a) for a in field.args.values())
        ]
        if scalars:
            return " ".join(scalars)
    return "__typename"


def _fan(schema: GraphQLSchema, named: GraphQLNamedType) -> list[list[Hop]]:
    """Ways to the next list below `named`: a list field of it, or of an object one field
    away; the widest first (by the bound the cost rule counts)."""
    ways: list[tuple[int, list[Hop]]] = []
    for _name, field, hop in _hops(named, {}, ROOT_PAGE):
        if hop.listed and field is not None:
            ways.append((_width(schema, hop), [hop]))
        elif not hop.listed:
            for _inner_name, inner_field, inner in _hops(hop.type, {}, ROOT_PAGE):
                if inner.listed and inner_field is not None:
                    ways.append((_width(schema, inner), [hop, inner]))
    ways.sort(key=lambda way: -way[0])
    return [way for _width_, way in ways]


def _width(schema: GraphQLSchema, hop: Hop) -> int:
    """What the cost rule multiplies by below `hop`."""
    parent_name, name = hop.field.split(".")
    parent = schema.get_type(parent_name)
    assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
    document = parse(f"{{ {hop.text} {{ __typename }} }}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    return DocumentTally(schema, {}, {}).page_size(node, parent.fields[name])  # type: ignore[arg-type]


def nest(hops: list[Hop], inner: str) -> str:
    text = inner
    for hop in reversed(hops):
        text = f"{hop.text} {{ {text} }}"
    return text


@dataclass(frozen=True)
class FanOut:
    """A query through `through` (Type.field) and `levels` lists in all below the root path."""

    through: str
    query: str
    levels: int
    last: str  # the type whose scalars the query selects at the bottom


def fan_outs(
    schema: GraphQLSchema,
    root_arguments: Mapping[str, str],
    *,
    levels: int = 3,
    choices: int = 1,
    first: int = ROOT_PAGE,
) -> Iterator[FanOut]:
    """For every list field reachable from the root: its path, the field, then lists below
    it (the `choices` widest at each level) down to `levels` lists, and every scalar of the
    last type."""
    reached = paths(schema, root_arguments, first)
    for type_name, path in sorted(reached.items()):
        named = schema.get_type(type_name)
        assert named is not None
        for _name, field, hop in _hops(named, root_arguments, first):
            if not hop.listed or field is None:
                continue
            for chain in _chains(schema, hop, levels - 1, choices):
                last = chain[-1].type
                query = "{ " + nest([*path, *chain], leaf(last)) + " }"
                levels_ = 1 + sum(1 for h in chain[1:] if h.listed)
                yield FanOut(hop.field, query, levels_, last.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():  # lists of scalars end a fan-out
                if _listed(field) and is_leaf_type(get_named_type(field.type)):
                    if name in EDITORS_ONLY:
                        continue
                    query = "{ " + nest(path, f"{name} __typename") + " }"
                    yield FanOut(f"{type_name}.{name}", query, 1, type_name)


def _chains(schema: GraphQLSchema, start: Hop, more: int, choices: int) -> Iterator[list[Hop]]:
    if more == 0:
        yield [start]
        return
    ways = _fan(schema, start.type)[:choices]
    if not ways:
        yield [start]
        return
    for way in ways:
        for rest in _chains(schema, way[-1], more - 1, choices):
            yield [start, *way[:-1], *rest]


def unreached_lists(schema: GraphQLSchema, root_arguments: Mapping[str, str]) -> set[str]:
    """Query-side list fields no fan-out goes through (none, when the root arguments name
    a record for every root field that needs one)."""
    listed: set[str] = set()
    reached = paths(schema, root_arguments)
    for type_name in reached:
        named = schema.get_type(type_name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():
                if _listed(field) and name not in EDITORS_ONLY:
                    listed.add(f"{type_name}.{name}")
    through = {fan.through for fan in fan_outs(schema, root_arguments, levels=1)}
    return listed - through


def cost(schema: GraphQLSchema, query: str, limits: QueryLimits | None = None) -> int:
    """What the cost rule counts for `query` (its variables at their defaults)."""
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    variables = coerced_variables(operation, {})
    return DocumentTally(schema, fragments, variables).operation(operation).cost


def refused_codes(schema: GraphQLSchema, query: str, limits: QueryLimits) -> list[str]:
    """The codes of the limits `query` breaks, as the server would answer them."""
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    errors = check_operation(schema, operation, fragments, {}, limits)
    return [str((e.extensions or {}).get("code")) for e in errors]
