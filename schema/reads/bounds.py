"""Every list field's bound: declared on the field, counted by the cost rule, enforced here.

A plain list (`principles`, `shapedBy`, `aliases`...) is declared with `paged(N)`: it gets
`first` (default and maximum N) and `offset` arguments, and answers at most `first` items from
`offset`. A list that is one page of a connection (`nodes`, `edges`, the matrix's `rows`) is
declared `within_page()`: the connection's own `first` bounds it. A list whose length follows
the data but must stay whole (the matrix's columns and cells) is declared `at_most(N)`: longer
than N, the field is an error rather than a silently shorter list. The cost rule
(`schema.reads.limits`) reads these declarations; `unbounded_lists` names any list field
without one, and the tests keep it empty.

The bounds make the cost rule's count a worst case, which rich reads of one record (a document
with its coverage and evidence) reach only on paper. What a request really answers is counted
too, as it runs: every list adds its items times the fields selected on each (`AnswerBudget`),
and a request past its budget is answered QUERY_TOO_COSTLY.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from schema.errors import UserInputError

FIRST = "first"
OFFSET = "offset"


class AnswerBudget:
    """The fields a request may answer, spent list by list as its lists are resolved. Past
    it, lists answer nothing more (raising would cancel the loads other fields share), and
    `AnswerLimit` replaces the whole answer with one error."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        self.exceeded = False
        self._widths: dict[int, int] = {}

    @property
    def message(self) -> str:
        return f"The answer grew past {self.limit} fields; ask for smaller pages."

    def allows(self, items: int, info: GraphQLResolveInfo[Any]) -> bool:
        """Spend `items` items of the list `info` resolves; False once over the budget."""
        if self.exceeded:
            return False
        node = info.field_nodes[0]
        width = self._widths.get(id(node))
        if width is None:
            width = self._widths[id(node)] = _width(
                node.selection_set, get_named_type(info.return_type), info
            )
        self.spent += items * width
        self.exceeded = self.spent > self.limit
        return not self.exceeded


def _width(
    selection_set: SelectionSetNode | None,
    parent: Any,
    info: GraphQLResolveInfo[Any],
    depth: int = 0,
) -> int:
    """Fields selected on one item: each field, and those of objects (not lists) below it,
    which no list of their own counts."""
    if selection_set is None or depth > 20:
        return 1
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += 1
            fields = getattr(parent, "fields", None)
            field = fields.get(selection.name.value) if fields else None
            if field is not None and not is_list_type(get_nullable_type(field.type)):
                inner = get_named_type(field.type)
                total += _width(selection.selection_set, inner, info, depth + 1) - 1
        elif isinstance(selection, InlineFragmentNode):
            total += _width(selection.selection_set, parent, info, depth + 1)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                total += _width(fragment.selection_set, parent, info, depth + 1)
    return max(total, 1)


ANSWER_BUDGET: ContextVar[AnswerBudget | None] = ContextVar("answer_budget", default=None)


class ListBound(FieldExtension):
    """A list field's most items: `maximum`, or None for one page of the connection above."""

    def __init__(self, maximum: int | None, *, arguments: bool) -> None:
        super().__init__()
        self.maximum = maximum
        self.arguments = arguments
        self.name = "list"

    def apply(self, field: StrawberryField) -> None:
        self.name = field.python_name
        if not self.arguments:
            return
        field.arguments = [
            *field.arguments,
            StrawberryArgument(
                python_name=FIRST,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(int | None),
                description=f"How many items to answer, 1 to {self.maximum}.",
                default=self.maximum,
            ),
            StrawberryArgument(
                python_name=OFFSET,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(int | None),
                description="How many items to skip: page on with offset + first.",
                default=0,
            ),
        ]

    def window(self, kwargs: dict[str, Any]) -> slice | None:
        """The items to answer, from (and removing) the `first` and `offset` arguments."""
        if not self.arguments or self.maximum is None:
            return None
        first = kwargs.pop(FIRST, None)
        offset = kwargs.pop(OFFSET, None)
        first = self.maximum if first is None else first
        offset = 0 if offset is None else offset
        if not 1 <= first <= self.maximum:
            raise UserInputError(f"first must be between 1 and {self.maximum}; it was {first}.")
        if offset < 0:
            raise UserInputError(f"offset must be 0 or more; it was {offset}.")
        return slice(offset, offset + first)

    def bounded(self, items: Sequence[Any] | None, window: slice | None, info: Any) -> Any:
        if items is None:
            return None
        if window is not None:
            items = items[window]
        elif self.maximum is not None and len(items) > self.maximum:
            raise UserInputError(
                f"{self.name} has {len(items)} items, over its limit of {self.maximum}."
            )
        budget = ANSWER_BUDGET.get()
        # Strawberry's Info wraps graphql-core's, which holds the selection.
        if budget is not None and not budget.allows(len(items), getattr(info, "_raw_info", info)):
            return []
        return items

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        window = self.window(kwargs)
        return self.bounded(next_(source, info, **kwargs), window, info)

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        window = self.window(kwargs)
        items = next_(source, info, **kwargs)
        if inspect.isawaitable(items):
            items = await items
        return self.bounded(items, window, info)


def paged(maximum: int) -> ListBound:
    """A plain list: `first` (default and most `maximum`) and `offset` arguments page it."""
    return ListBound(maximum, arguments=True)


def at_most(maximum: int) -> ListBound:
    """A list answered whole, never longer than `maximum` (longer is an error)."""
    return ListBound(maximum, arguments=False)


def within_page() -> ListBound:
    """One page of the connection above, bounded by that connection's `first`."""
    return ListBound(None, arguments=False)


def list_bound(field: GraphQLField) -> ListBound | None:
    """The bound declared on a field of the built schema, if any."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return None
    return next((e for e in definition.extensions if isinstance(e, ListBound)), None)


def unbounded_lists(schema: GraphQLSchema) -> list[str]:
    """`Type.field` for every list field of output types with no bound the cost rule can use."""
    found = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            if not is_list_type(get_nullable_type(field.type)):
                continue
            if list_bound(field) is None and FIRST not in field.args:
                found.append(f"{name}.{field_name}")
    return found
