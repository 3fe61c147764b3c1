"""Limits on the shape of a query, checked before it runs: depth, aliases, directives, cost.

Strawberry's MaxTokensLimiter, ParserCache, ValidationCache and DisableIntrospection are used
as they are. Depth and aliases are counted here rather than by QueryDepthLimiter and
MaxAliasesLimiter because those walk a fragment again at every spread, so a chain of fragments
each spreading the next twice takes exponential time to check; here each fragment is walked
once and its tally reused, so a check is linear in the document whatever it spreads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.extensions import ParserCache as StrawberryParserCache
from strawberry.extensions import ValidationCache as StrawberryValidationCache

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"

PAGE_ARGUMENT = "first"
DEFAULT_PAGE = 20  # the connections' default `first`, used when a value cannot be read


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_directives: int = 20
    max_cost: int = 200_000
    cache_size: int = 256
    introspection: bool = True


@dataclass(frozen=True)
class Tally:
    """What a selection set adds up to, with every fragment it spreads expanded."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0  # fields resolved, each multiplied by the page sizes of the lists above it

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.directives + other.directives,
            self.cost + other.cost,
        )


class DocumentTally:
    """Tallies one operation; each fragment is walked once and its tally reused."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.known: dict[str, Tally] = {}
        self.walking: set[str] = set()  # a fragment cycle counts nothing; validation refuses it

    def operation(self, operation: OperationDefinitionNode) -> Tally:
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root) + Tally(
            directives=len(operation.directives or ())
        )

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Tally:
        total = Tally()
        for selection in selection_set.selections:
            total += Tally(directives=len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> Tally:
        if name in self.known:
            return self.known[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.walking:
            return Tally()
        self.walking.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        tally = self.selections(definition.selection_set, condition) + Tally(
            directives=len(definition.directives or ())
        )
        self.walking.discard(name)
        self.known[name] = tally
        return tally

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Tally:
        definition = _field(parent, node.name.value)
        below = Tally()
        if node.selection_set is not None:
            inner = get_named_type(definition.type) if definition else None
            below = self.selections(node.selection_set, inner)
        page = self.page_size(node, definition)
        # `__Type.ofType` unwraps a list or non-null: it cannot fan out, and GraphiQL's own
        # introspection query chains it seven deep, so it adds no depth.
        unwraps = node.name.value == "ofType" and getattr(parent, "name", None) == "__Type"
        return Tally(
            depth=below.depth + (0 if unwraps else 1),
            aliases=below.aliases + (1 if node.alias else 0),
            directives=below.directives,
            cost=1 + page * below.cost,
        )

    def page_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """GitHub's rule: a list of `first: N` multiplies everything below it by N."""
        if definition is None or PAGE_ARGUMENT not in definition.args:
            return 1
        default = definition.args[PAGE_ARGUMENT].default_value
        value: object = default if isinstance(default, int) else DEFAULT_PAGE
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, value)
        return max(value, 1) if isinstance(value, int) else DEFAULT_PAGE


def _field(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def check_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    limits: QueryLimits,
) -> list[GraphQLError]:
    """The limits an operation breaks, each as an error with its code."""
    tally = DocumentTally(schema, fragments, variables).operation(operation)
    broken = [
        (tally.depth, limits.max_depth, QUERY_TOO_DEEP, "The query is nested {} deep"),
        (tally.aliases, limits.max_aliases, TOO_MANY_ALIASES, "The query has {} aliases"),
        (
            tally.directives,
            limits.max_directives,
            TOO_MANY_DIRECTIVES,
            "The query has {} directives",
        ),
        (tally.cost, limits.max_cost, QUERY_TOO_COSTLY, "The query could resolve {} fields"),
    ]
    return [
        GraphQLError(f"{message.format(found)}; the limit is {limit}.", extensions={"code": code})
        for found, limit, code, message in broken
        if found > limit
    ]


class QueryBudget(SchemaExtension):
    """Refuses an operation that breaks a limit, before validation (which a flood of unknown
    directives or fields would make slow) and before execution."""

    def __init__(self, limits: QueryLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            definitions = document.definitions
            fragments = {
                d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)
            }
            errors = [
                error
                for definition in document.definitions
                if isinstance(definition, OperationDefinitionNode)
                and _selected(definition, context.operation_name)
                for error in check_operation(
                    context.schema._schema,
                    definition,
                    fragments,
                    context.variables or {},
                    self.limits,
                )
            ]
            if errors:
                context.pre_execution_errors = errors
        yield


def _selected(operation: OperationDefinitionNode, name: str | None) -> bool:
    return name is None or (operation.name is not None and operation.name.value == name)


class ParserCache(StrawberryParserCache):
    """Strawberry's bounded parser cache, except that a document that does not parse is left
    to Strawberry's own parse, which reports the error where ErrorPolicy gives it a code."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


class ValidationCache(StrawberryValidationCache):
    """Strawberry's bounded validation cache, skipped for a document a limit refused."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
        else:
            yield from super().on_validate()


def limit_extensions(limits: QueryLimits) -> list[Callable[[], SchemaExtension]]:
    """The extensions that enforce `limits`, in the order they must run."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=limits.cache_size),
    ]
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    extensions += [
        lambda: QueryBudget(limits),
        lambda: ValidationCache(maxsize=limits.cache_size),
    ]
    return extensions
