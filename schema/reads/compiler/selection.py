"""From a GraphQL operation to the plan of its answer (`shapes`), or NotCompiled.

Fields are collected as GraphQL executes them: fragments (named and inline) whose type
condition applies, `@include`/`@skip` with the given values, fields under one response key
merged. Arguments become SQL parameters, so one plan serves every value of the variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_directive_values

from schema.reads.bounds import list_bound
from schema.reads.compiler.fields import column_of, model_of, reads_of
from schema.reads.compiler.shapes import (
    Constant,
    Field,
    GlobalId,
    Link,
    Lookup,
    Matrix,
    Page,
    Param,
    Part,
    Scalar,
    Shape,
)

# Bounds of their own: deeper or wider queries take the usual path, where the limits apply.
MAX_DEPTH = 6
MAX_RELATIONS = 24
CELL_FIELDS = {"status", "expected", "gap", "organisationCount"}
PAGE_INFO = {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}


class NotCompiled(Exception):
    """The query uses something the compiled path does not answer."""


def _object_type(type_: Any) -> GraphQLObjectType:
    named = get_named_type(type_)
    if not isinstance(named, GraphQLObjectType):
        raise NotCompiled
    return named


@dataclass
class Walk:
    """One walk over an operation, with the variables `@include`/`@skip` are given."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues | None
    params: list[Param] = field(default_factory=list)
    relations: int = 0

    # ------------------------------------------------------------ collecting fields

    def collect(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> dict[str, list[Any]]:
        """The fields under each response key, for sub-selections of `nodes` on `type_`."""
        fields: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is None:
                raise NotCompiled
            self._collect(type_, node.selection_set, fields, set())
        return fields

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, type_):
                    self._collect(type_, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None:
                    raise NotCompiled
                if name not in visited and self._applies(fragment.type_condition, type_):
                    visited.add(name)
                    self._collect(type_, fragment.selection_set, fields, visited)

    def _applies(self, condition: NamedTypeNode | None, type_: GraphQLObjectType) -> bool:
        if condition is None or condition.name.value == type_.name:
            return True
        named = self.schema.get_type(condition.name.value)
        return isinstance(named, GraphQLAbstractType) and self.schema.is_sub_type(named, type_)

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            if directive.name.value not in ("skip", "include"):
                raise NotCompiled  # @defer, @stream and the like
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return include is None or include["if"] is True

    # ------------------------------------------------------------ arguments

    def _arguments(self, nodes: list[FieldNode], allowed: set[str]) -> None:
        if any(a.name.value not in allowed for a in nodes[0].arguments or ()):
            raise NotCompiled

    def _param(
        self,
        nodes: list[FieldNode],
        field_: GraphQLField,
        argument: str,
        kind: Literal["first", "after", "text"],
    ) -> Param:
        param = Param(f"p{len(self.params)}", kind, field_, nodes[0], argument)
        self.params.append(param)
        return param

    def _count(self, depth: int) -> None:
        self.relations += 1
        if depth > MAX_DEPTH or self.relations > MAX_RELATIONS:
            raise NotCompiled

    # ------------------------------------------------------------ shapes

    def shape(self, type_: GraphQLObjectType, nodes: list[FieldNode], depth: int) -> Shape:
        model = model_of(type_)
        if model is None:
            raise NotCompiled
        shape: list[Field] = []
        for key, found in self.collect(type_, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                shape.append(Constant(key, type_.name))
                continue
            if name == "id":
                shape.append(GlobalId(key, type_.name))
                continue
            field_ = type_.fields[name]
            column = column_of(model, field_)
            if column is not None:
                boolean = get_named_type(field_.type) is GraphQLBoolean
                shape.append(Scalar(key, column, boolean))
                continue
            reads = reads_of(field_)
            if reads is None:
                raise NotCompiled
            target = _object_type(field_.type)
            if reads.kind == "page":
                shape.append(self.page(key, found, field_, reads.column or None, depth))
                continue
            self._arguments(found, set())
            self._count(depth)
            target_model = model_of(target)
            if target_model is None:
                raise NotCompiled
            bound = list_bound(field_) if reads.kind == "many" else None
            limit = bound.maximum if bound is not None else None
            inner = self.shape(target, found, depth + 1)
            shape.append(Link(key, target_model, reads, inner, limit))
        return tuple(shape)

    def page(
        self,
        key: str,
        nodes: list[FieldNode],
        field_: GraphQLField,
        parent_column: str | None,
        depth: int,
    ) -> Page:
        self._arguments(nodes, {"first", "after"})
        self._count(depth)
        connection = _object_type(field_.type)
        node_type = _object_type(connection.fields["nodes"].type)
        model = model_of(node_type)
        if model is None:
            raise NotCompiled
        first = self._param(nodes, field_, "first", "first")
        after = self._param(nodes, field_, "after", "after")
        parts: list[Part] = []
        for part_key, found in self.collect(connection, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                parts.append(Part(part_key, "typename", value=connection.name))
            elif name == "totalCount":
                parts.append(Part(part_key, "totalCount"))
            elif name == "nodes":
                parts.append(Part(part_key, "nodes", shape=self.shape(node_type, found, depth + 1)))
            elif name == "edges":
                edge = _object_type(connection.fields["edges"].type)
                parts.append(
                    Part(part_key, "edges", parts=self._edge(edge, node_type, found, depth))
                )
            elif name == "pageInfo":
                info = _object_type(connection.fields["pageInfo"].type)
                parts.append(Part(part_key, "pageInfo", parts=self._page_info(info, found)))
            else:
                raise NotCompiled
        return Page(key, model, parent_column, first, after, tuple(parts))

    def _edge(
        self, edge: GraphQLObjectType, node_type: GraphQLObjectType, nodes: list[Any], depth: int
    ) -> tuple[Part, ...]:
        parts: list[Part] = []
        for key, found in self.collect(edge, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                parts.append(Part(key, "typename", value=edge.name))
            elif name == "cursor":
                parts.append(Part(key, "cursor"))
            elif name == "node":
                parts.append(Part(key, "node", shape=self.shape(node_type, found, depth + 1)))
            else:
                raise NotCompiled
        return tuple(parts)

    def _page_info(self, info: GraphQLObjectType, nodes: list[Any]) -> tuple[Part, ...]:
        parts: list[Part] = []
        for key, found in self.collect(info, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                parts.append(Part(key, "typename", value=info.name))
            elif name in PAGE_INFO:
                parts.append(Part(key, name))
            else:
                raise NotCompiled
        return tuple(parts)

    # ------------------------------------------------------------ the root

    def root(self, operation: OperationDefinitionNode) -> Shape:
        query = self.schema.query_type
        if query is None:
            raise NotCompiled
        fields: dict[str, list[FieldNode]] = {}
        self._collect(query, operation.selection_set, fields, set())
        shape: list[Field] = []
        for key, found in fields.items():
            name = found[0].name.value
            if name == "__typename":
                shape.append(Constant(key, query.name))
                continue
            field_ = query.fields.get(name)  # not __schema, __type: introspection
            reads = reads_of(field_) if field_ is not None else None
            if field_ is None or reads is None:
                raise NotCompiled
            if reads.kind == "page":
                shape.append(self.page(key, found, field_, None, 1))
            elif reads.kind == "slug":
                self._arguments(found, {"slug"})
                self._count(1)
                target = _object_type(field_.type)
                model = model_of(target)
                if model is None:
                    raise NotCompiled
                slug = self._param(found, field_, "slug", "text")
                shape.append(
                    Lookup(
                        key,
                        model,
                        slug,
                        reads.redirects,
                        self.shape(target, found, 2),
                    )
                )
            elif reads.kind == "matrix":
                shape.append(self.matrix(key, found, field_))
            else:
                raise NotCompiled
        if all(isinstance(field_, Constant) for field_ in shape):
            raise NotCompiled  # nothing to read: no statement to spend
        return tuple(shape)

    def _columns(self, type_: GraphQLObjectType, nodes: list[Any]) -> Shape:
        shape = self.shape(type_, nodes, MAX_DEPTH)
        if not all(isinstance(field_, Scalar | GlobalId | Constant) for field_ in shape):
            raise NotCompiled
        return shape

    def matrix(self, key: str, nodes: list[FieldNode], field_: GraphQLField) -> Matrix:
        """coverageMatrix(first:, after:) without a filter or chosen groups."""
        self._arguments(nodes, {"first", "after"})
        self._count(1)
        matrix_type = _object_type(field_.type)
        first = self._param(nodes, field_, "first", "first")
        after = self._param(nodes, field_, "after", "after")
        parts: list[tuple[str, str]] = []
        rows: list[tuple[str, str]] = []
        cells: list[tuple[str, str]] = []
        typenames = {"matrix": matrix_type.name}
        columns: Shape = ()
        document: Shape = ()
        group: Shape = ()
        page_info: tuple[Part, ...] = ()
        for part_key, found in self.collect(matrix_type, nodes).items():
            name = found[0].name.value
            if name == "columns":
                columns = self._columns(_object_type(matrix_type.fields[name].type), found)
            elif name == "pageInfo":
                info = _object_type(matrix_type.fields[name].type)
                page_info = self._page_info(info, found)
            elif name == "rows":
                row_type = _object_type(matrix_type.fields[name].type)
                typenames["row"] = row_type.name
                for row_key, row_found in self.collect(row_type, found).items():
                    part = row_found[0].name.value
                    if part == "document":
                        document_type = _object_type(row_type.fields[part].type)
                        document = self._columns(document_type, row_found)
                    elif part == "cells":
                        cell_type = _object_type(row_type.fields[part].type)
                        typenames["cell"] = cell_type.name
                        for cell_key, cell_found in self.collect(cell_type, row_found).items():
                            kind = cell_found[0].name.value
                            if kind == "group":
                                group_type = _object_type(cell_type.fields[kind].type)
                                group = self._columns(group_type, cell_found)
                            elif kind not in CELL_FIELDS and kind != "__typename":
                                raise NotCompiled
                            cells.append((cell_key, kind))
                    elif part != "__typename":
                        raise NotCompiled
                    rows.append((row_key, part))
            elif name not in ("totalCount", "__typename"):
                raise NotCompiled
            parts.append((part_key, name))
        return Matrix(
            key,
            first,
            after,
            tuple(parts),
            columns,
            tuple(rows),
            document,
            tuple(cells),
            group,
            page_info,
            tuple(typenames.items()),
        )
