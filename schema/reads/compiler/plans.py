"""Plans cached per (document text, operation name): parsed and validated once; the SQL built
once per dialect, audience and the values `@include`/`@skip` see, with arguments as parameters."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    visit,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import Visitor

from db.visibility import Audience
from schema.reads.compiler.selection import NotCompiled, Walk
from schema.reads.compiler.sql import Builder, Statement
from schema.reads.limits import QueryLimits, check_operation, parsed, validated

CACHE_SIZE = 256


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        for argument in node.arguments or ():
            if isinstance(argument.value, VariableNode):
                self.names.append(argument.value.name.value)


@dataclass
class Plan:
    """One operation of one document, ready to be compiled for each variant asked for."""

    schema: GraphQLSchema
    limits: QueryLimits | None
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    directive_variables: tuple[str, ...]
    _statements: dict[tuple[Any, ...], Statement | None] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    def variables(self, inputs: dict[str, Any]) -> VariableValues | None:
        """The variables coerced as GraphQL does (defaults included); None when they are not
        valid, or break a limit: the usual path then answers with its errors."""
        found = get_variable_values(self.schema, self.operation.variable_definitions or (), inputs)
        if isinstance(found, list):
            return None
        # Without variables the plan's own check (at its defaults) stands for every request.
        if (
            self.limits is not None
            and self.operation.variable_definitions
            and check_operation(self.schema, self.operation, self.fragments, inputs, self.limits)
        ):
            return None
        return found

    def statement(
        self, dialect: str, audience: Audience, variables: VariableValues
    ) -> Statement | None:
        """The SQL for this dialect, audience and directive values; None if not compiled."""
        switches = tuple(variables.coerced.get(name) for name in self.directive_variables)
        key = (dialect, audience, switches)
        if key not in self._statements:
            self._statements[key] = self._compile(dialect, audience, variables)
        return self._statements[key]

    def _compile(
        self, dialect: str, audience: Audience, variables: VariableValues
    ) -> Statement | None:
        walk = Walk(self.schema, self.fragments, variables)
        try:
            root = walk.root(self.operation)
            return Builder(dialect, audience).statement(root, walk.params)
        except NotCompiled:
            return None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == name]
    if len(operations) != 1:
        raise NotCompiled
    (operation,) = operations
    if operation.operation is not OperationType.QUERY or operation.directives:
        raise NotCompiled
    return operation


def plan(
    schema: GraphQLSchema, query: str, name: str | None, limits: QueryLimits | None = None
) -> Plan | None:
    """The plan of an operation, or None if it is not for the compiled path (it does not
    parse, breaks a limit, does not validate, or is not a query: the usual path answers those
    with their errors)."""
    limits = limits or QueryLimits()
    try:
        # The usual path's parse cache and token limit, so a query it refuses is not answered here.
        document = parsed(query, limits)
        operation = _operation(document, name)
    except (GraphQLError, NotCompiled):
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    # The limits before validation: a query over one is refused by the usual path without
    # being validated; a valid one is validated once, for both paths (one shared cache).
    if check_operation(schema, operation, fragments, {}, limits):
        return None
    if validated(schema, document, limits):
        return None
    finder = _DirectiveVariables()
    visit(document, finder)
    return Plan(schema, limits, operation, fragments, tuple(dict.fromkeys(finder.names)))


class Plans:
    """`plan` with a bounded cache per (query text, operation name), the misses cached too."""

    def __init__(
        self, schema: GraphQLSchema, limits: QueryLimits | None = None, size: int = CACHE_SIZE
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.size = size
        self._cache: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, query: str, operation_name: str | None = None) -> Plan | None:
        key = (query, operation_name)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found = plan(self.schema, query, operation_name, self.limits)
        self._cache[key] = found
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found

    def statement(
        self,
        query: str,
        operation_name: str | None,
        inputs: dict[str, Any],
        dialect: str,
        audience: Audience = Audience.READERS,
    ) -> tuple[Plan, Statement, VariableValues] | None:
        """The plan and statement answering a request, with its variables; None if the
        compiled path does not answer it."""
        found = self.get(query, operation_name)
        if found is None:
            return None
        variables = found.variables(inputs)
        if variables is None:
            return None
        statement = found.statement(dialect, audience, variables)
        return None if statement is None else (found, statement, variables)
