"""The saved questions in queries/*.graphql, as GraphiQL opens them: text, title, variables."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from graphql import OperationDefinitionNode, parse, value_from_ast_untyped

from api.web.vocabulary import label

# The questions users ask first open as tabs; the rest follow by name in the panel.
FIRST = (
    "who-was-consulted",
    "who-was-left-out",
    "who-shaped-a-principle",
    "what-did-an-organisation-shape",
)


QUESTION_WORDS = frozenset({"who", "what", "which", "how", "when", "where", "why"})


@dataclass(frozen=True)
class SavedQuestion:
    name: str
    title: str
    query: str
    operation: str | None
    variables: str  # JSON of the variables' defaults, ready to edit

    @property
    def tab(self) -> str:
        """The file's name in words, short enough for a tab: "Who was left out?"."""
        words = label(self.name.upper().replace("-", "_"))
        return words + "?" if words.split(" ")[0].lower() in QUESTION_WORDS else words

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "name": self.name,
            "title": self.title,
            "tab": self.tab,
            "opens": self.name in FIRST,  # as a tab on a first visit
            "query": self.query,
            "operation": self.operation,
            "variables": self.variables,
        }


@cache
def saved_questions() -> tuple[SavedQuestion, ...]:
    found = [
        _read(entry)
        for entry in files("queries").iterdir()
        if entry.is_file() and entry.name.endswith(".graphql")
    ]
    order = {name: index for index, name in enumerate(FIRST)}
    return tuple(sorted(found, key=lambda q: (order.get(q.name, len(order)), q.name)))


def _read(entry: Traversable) -> SavedQuestion:
    query = entry.read_text(encoding="utf-8")
    comments = [line[1:].strip() for line in query.splitlines() if line.startswith("#")]
    operation = next(
        node for node in parse(query).definitions if isinstance(node, OperationDefinitionNode)
    )
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    return SavedQuestion(
        name=entry.name.removesuffix(".graphql"),
        title=" ".join(comments) or entry.name,
        query=query,
        operation=operation.name.value if operation.name else None,
        variables=json.dumps(defaults, indent=2) if defaults else "",
    )


@cache
def known_operations() -> frozenset[str]:
    """The operation names this project's own clients send: the saved questions', the
    dashboard's, and GraphiQL's introspection query."""
    dashboard = files("api.web").joinpath("static/dashboard.js").read_text(encoding="utf-8")
    return frozenset(
        {q.operation for q in saved_questions() if q.operation}
        | set(re.findall(r"\bquery ([_A-Za-z][_0-9A-Za-z]*)", dashboard))
        | {"IntrospectionQuery"}
    )
