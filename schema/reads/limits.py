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
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    DocumentNode,
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
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    specified_rules,
)
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.extensions import ParserCache as StrawberryParserCache
from strawberry.extensions import ValidationCache as StrawberryValidationCache
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from schema.reads.bounds import ANSWER_BUDGET, AnswerBudget, list_bound
from schema.reads.pagination import MAX_PAGE

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
TOO_MANY_SELECTIONS = "TOO_MANY_SELECTIONS"
TOO_MANY_OVERLAPS = "TOO_MANY_OVERLAPS"

PAGE_ARGUMENT = "first"
DEFAULT_PAGE = 20  # the connections' default `first`, used when a value cannot be read


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_directives: int = 20
    max_cost: int = 2_000_000
    max_selections: int = 1_000
    max_overlaps: int = 1_000
    max_answer: int = 50_000
    cache_size: int = 256
    introspection: bool = True
    # An anonymous reader asks what the dashboard and saved questions ask; editors more.
    anonymous_aliases: int = 10
    anonymous_cost: int = 1_200_000  # the dashboard's compare view counts about 1,020,000
    anonymous_answer: int = 20_000

    def for_reader(self, anonymous: bool) -> QueryLimits:
        """These limits, tightened for an anonymous reader: fewer aliases, a lower cost, a
        smaller answer."""
        if not anonymous:
            return self
        return replace(
            self,
            max_aliases=min(self.max_aliases, self.anonymous_aliases),
            max_cost=min(self.max_cost, self.anonymous_cost),
            max_answer=min(self.max_answer, self.anonymous_answer),
        )


@dataclass(frozen=True)
class Tally:
    """What a selection set adds up to, with every fragment it spreads expanded."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0  # fields resolved, each multiplied by the page sizes of the lists above it
    fields: int = 0  # fields selected, each fragment's once per spread

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.directives + other.directives,
            self.cost + other.cost,
            self.fields + other.fields,
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
        # Introspection's lists are as long as the schema is, which no request can grow.
        schema_list = getattr(parent, "name", "").startswith("__")
        page = 1 if schema_list else self.page_size(node, definition)
        # `__Type.ofType` unwraps a list or non-null: it cannot fan out, and GraphiQL's own
        # introspection query chains it seven deep, so it adds no depth.
        unwraps = node.name.value == "ofType" and getattr(parent, "name", None) == "__Type"
        return Tally(
            depth=below.depth + (0 if unwraps else 1),
            aliases=below.aliases + (1 if node.alias else 0),
            directives=below.directives,
            cost=1 + page * below.cost,
            fields=below.fields + 1,
        )

    def page_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """GitHub's rule: a list of `first: N` multiplies everything below it by N. A list
        without `first` multiplies by its declared bound (`schema.reads.bounds`): one page of
        the connection above counts 1, a list answered whole its maximum, and a list with no
        bound at all (the tests keep there being none) MAX_PAGE. A `first` over what the list
        answers (a connection's 100, a plain list's bound) counts as that most."""
        if definition is None:
            return 1
        if PAGE_ARGUMENT not in definition.args:
            bound = list_bound(definition)
            if bound is not None:
                return bound.maximum or 1
            listed = is_list_type(get_nullable_type(definition.type))
            return MAX_PAGE if listed else 1
        default = definition.args[PAGE_ARGUMENT].default_value
        value: object = default if isinstance(default, int) else DEFAULT_PAGE
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, value)
        if value is None:  # null asks for the default page
            value = default if isinstance(default, int) else DEFAULT_PAGE
        if not isinstance(value, int):
            return DEFAULT_PAGE
        # More than a list answers is refused by its resolver: it counts as the most.
        bound = list_bound(definition)
        most = bound.maximum if bound is not None and bound.maximum else MAX_PAGE
        return min(max(value, 1), most)


def coerced_variables(
    operation: OperationDefinitionNode, sent: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The operation's integer variables as execution will see them: the value sent, else the
    variable's default. A value execution would refuse counts as its default here, which is
    what is used if it is not refused."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        default = definition.default_value
        value: object = None
        if isinstance(default, IntValueNode):
            value = int(default.value)
        if sent and name in sent:
            given = sent[name]
            if isinstance(given, float) and given.is_integer():
                given = int(given)
            if given is None or (isinstance(given, int) and not isinstance(given, bool)):
                value = given
        if value is not None or (sent and name in sent) or default is not None:
            values[name] = value
    return values


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
    """The limits an operation breaks, each as an error with its code. Each check is linear
    in the document as written (fragments are tallied once), and the pairs of overlapping
    fields are only counted once the fields are known to be few."""
    tally = DocumentTally(schema, fragments, coerced_variables(operation, variables)).operation(
        operation
    )
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
        (tally.fields, limits.max_selections, TOO_MANY_SELECTIONS, "The query selects {} fields"),
    ]
    if tally.fields <= limits.max_selections:
        root = (operation.selection_set, schema.get_root_type(operation.operation))
        pairs = Overlaps(schema, fragments).count([root])
        broken.append(
            (
                pairs,
                limits.max_overlaps,
                TOO_MANY_OVERLAPS,
                "The query selects {} pairs of fields under one name, to merge",
            )
        )
    return [
        GraphQLError(f"{message.format(found)}; the limit is {limit}.", extensions={"code": code})
        for found, limit, code, message in broken
        if found > limit
    ]


Parented = tuple[SelectionSetNode, GraphQLNamedType | None]


class Overlaps:
    """How many pairs of fields under one response name validation compares (its rule that
    fields under one name can be merged is quadratic in them): each selection set with its
    fragments spread, fields of one name counted in pairs and their selections merged, as
    the rule merges them. Walks each field once per spread: only for documents of few fields."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]
    ) -> None:
        self.schema = schema
        self.fragments = fragments

    def count(self, sets: list[Parented]) -> int:
        by_name: dict[str, list[tuple[FieldNode, GraphQLNamedType | None]]] = {}
        for selection_set, parent in sets:
            self.collect(selection_set, parent, by_name, set())
        pairs = 0
        for fields in by_name.values():
            pairs += len(fields) * (len(fields) - 1) // 2
            below: list[Parented] = []
            for node, parent in fields:
                if node.selection_set is not None:
                    definition = _field(parent, node.name.value)
                    inner = get_named_type(definition.type) if definition else None
                    below.append((node.selection_set, inner))
            if below:
                pairs += self.count(below)
        return pairs

    def collect(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        by_name: dict[str, list[tuple[FieldNode, GraphQLNamedType | None]]],
        spreading: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                by_name.setdefault(key, []).append((selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                named = selection.type_condition
                inner = self.schema.get_type(named.name.value) if named else parent
                self.collect(selection.selection_set, inner, by_name, spreading)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if definition is None or name in spreading:
                    continue  # unknown or cyclic: validation refuses it
                condition = self.schema.get_type(definition.type_condition.name.value)
                self.collect(definition.selection_set, condition, by_name, spreading | {name})


class QueryBudget(SchemaExtension):
    """Refuses an operation that breaks a limit, before validation (which a flood of unknown
    directives or fields would make slow) and before execution."""

    def __init__(self, limits: QueryLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        limits = self.limits.for_reader(_anonymous(context.context))
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
                    limits,
                )
            ]
            if errors:
                context.pre_execution_errors = errors
        yield


def _anonymous(context: object) -> bool:
    # The schema runs without our Context in some tests and tools: they read as editors.
    return getattr(context, "actor", False) is None


def request_cost(
    schema: GraphQLSchema,
    query: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    limits: QueryLimits,
) -> int:
    """The cost rule's count for the operation a request runs (the costliest, if the name
    does not pick one), before it runs: 0 for a query that does not parse, which the usual
    path refuses. Parsed once per text, with the cache the usual path uses."""
    try:
        document = parsed(query, limits)
    except GraphQLError:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return max(
        (
            DocumentTally(schema, fragments, coerced_variables(operation, variables))
            .operation(operation)
            .cost
            for operation in document.definitions
            if isinstance(operation, OperationDefinitionNode)
            and _selected(operation, operation_name)
        ),
        default=0,
    )


def _selected(operation: OperationDefinitionNode, name: str | None) -> bool:
    return name is None or (operation.name is not None and operation.name.value == name)


class AnswerLimit(SchemaExtension):
    """Counts what a request answers as it runs (`schema.reads.bounds.AnswerBudget`); past the
    budget (smaller for anonymous readers), the whole answer is the one QUERY_TOO_COSTLY
    error, with no partial data."""

    def __init__(self, limits: QueryLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        limit = self.limits.for_reader(_anonymous(self.execution_context.context)).max_answer
        budget = AnswerBudget(limit)
        token = ANSWER_BUDGET.set(budget)
        try:
            yield
        finally:
            ANSWER_BUDGET.reset(token)
        result = self.execution_context.result
        if budget.exceeded and result is not None:
            result.data = None
            result.errors = [GraphQLError(budget.message, extensions={"code": QUERY_TOO_COSTLY})]


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


def parsed(query: str, limits: QueryLimits) -> DocumentNode:
    """`query` parsed once per text: the cache the usual path's ParserCache uses."""
    document: DocumentNode = _get_parse_cache(limits.cache_size)(
        query, max_tokens=limits.max_tokens
    )
    return document


def validated(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits) -> list[Any]:
    """The validation errors of `document`, found once per document: the cache (and the
    rules) the usual path's ValidationCache uses."""
    rules = tuple(specified_rules)
    if not limits.introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    errors: list[Any] = _get_validate_cache(limits.cache_size)(schema, document, rules)
    return errors


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
        lambda: AnswerLimit(limits),
    ]
    return extensions
