"""Typed reading of composed YAML nodes that reports every problem with its file and line.

The files are composed, not loaded, so that every value keeps the line it was written on;
readers record a problem and return None instead of raising, so one pass finds them all.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection
from pathlib import Path
from typing import Final, Literal, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from db.enums import DatePrecision
from db.rules import Rule
from seeds.records import UNSTATED, Origin, PartialDate, Ref, Retraction, Standing

E = TypeVar("E", bound=enum.Enum)

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WHOLE_NUMBER = re.compile(r"[0-9]+")
TRUE_WORDS = {"true", "yes", "on"}
# Each form of ISO date, its precision, and what completes it to the first day it covers.
PARTIAL_DATES = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), DatePrecision.DAY, ""),
    (re.compile(r"\d{4}-\d{2}"), DatePrecision.MONTH, "-01"),
    (re.compile(r"\d{4}"), DatePrecision.YEAR, "-01-01"),
)


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


class Invalid(enum.Enum):
    """Marks a field that was present but bad, and already reported."""

    VALUE = "invalid"


INVALID: Final = Invalid.VALUE


class Reader:
    """Reads the nodes of one file and collects the problems found in it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def origin(self, node: Node) -> Origin:
        return Origin(self.file, line_of(node))

    def problem(self, node: Node, message: str, rule: Rule | None = None) -> None:
        self.problems.append(self.origin(node).problem(message, rule))

    def compose(self, path: Path) -> Node | None:
        """The file's root node, or None (with a problem) if it is missing, empty or not YAML."""
        try:
            with path.open(encoding="utf-8") as stream:
                root: Node | None = yaml.compose(stream, Loader=yaml.SafeLoader)
        except FileNotFoundError:
            self.problems.append(f"{self.file}:1: file not found")
            return None
        except UnicodeDecodeError as error:
            self.problems.append(f"{self.file}:1: not UTF-8 text ({error.reason})")
            return None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else 1
            self.problems.append(f"{self.file}:{line}: invalid YAML: {error.problem}")
            return None
        if root is None:
            self.problems.append(f"{self.file}:1: file is empty")
        return root

    def items(self, node: Node, what: str) -> list[Node]:
        """The entries of a list."""
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def fields(
        self,
        node: Node,
        what: str,
        required: Collection[str],
        optional: Collection[str] = (),
    ) -> Fields | None:
        """The fields of a mapping, after checking for missing, unknown and duplicate keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping of fields")
            return None
        values: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if name is None:
                self.problem(key, f"{what} has a key that is not a plain name")
            elif name in values:
                first = line_of(values[name])
                self.problem(key, f"duplicate key '{name}' in {what} (first at line {first})")
            elif name not in required and name not in optional:
                allowed = ", ".join([*required, *optional])
                self.problem(key, f"unknown field '{name}' in {what} (allowed: {allowed})")
            else:
                values[name] = value
        for name in required:
            if name not in values:
                self.problem(node, f"{what} is missing the required field '{name}'")
        return Fields(self, node, what, values, set(required))


class Fields:
    """The checked fields of one mapping. Every reader returns None for an absent field,
    and None with a recorded problem for a bad one."""

    def __init__(
        self,
        reader: Reader,
        node: MappingNode,
        what: str,
        values: dict[str, Node],
        required: set[str],
    ) -> None:
        self.reader = reader
        self.node = node
        self.what = what
        self.values = values
        self.required = required

    @property
    def origin(self) -> Origin:
        return self.reader.origin(self.node)

    def _scalar(self, key: str) -> tuple[ScalarNode, str] | Literal[Invalid.VALUE] | None:
        """The field's node and text; None if absent or null; INVALID (reported) if bad."""
        node = self.values.get(key)
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.reader.problem(node, f"'{key}' in {self.what} must be a single value")
            return INVALID
        if node.tag == NULL_TAG or not node.value.strip():
            if key in self.required:
                self.reader.problem(node, f"'{key}' in {self.what} must not be empty")
                return INVALID
            return None
        return node, node.value

    def text(self, key: str) -> str | None:
        scalar = self._scalar(key)
        return None if scalar is None or scalar is INVALID else scalar[1]

    def slug(self, key: str) -> str | None:
        scalar = self._scalar(key)
        if scalar is None or scalar is INVALID:
            return None
        node, value = scalar
        if not SLUG.fullmatch(value):
            self.reader.problem(
                node, f"'{value}' is not a slug (lower-case words joined by hyphens)"
            )
            return None
        return value

    def ref(self, key: str) -> Ref | None:
        value = self.slug(key)
        return None if value is None else Ref(value, self.reader.origin(self.values[key]))

    def texts(self, key: str) -> tuple[str, ...] | None:
        """A list of strings; an absent list is empty."""
        node = self.values.get(key)
        if node is None:
            return ()
        found: list[str] = []
        for item in self.reader.items(node, f"'{key}' in {self.what}"):
            if not isinstance(item, ScalarNode) or item.tag == NULL_TAG or not item.value.strip():
                self.reader.problem(item, f"each entry of '{key}' must be a non-empty value")
                return None
            found.append(item.value)
        return tuple(found)

    def refs(self, key: str) -> tuple[Ref, ...] | None:
        """A list of slugs; an absent list is empty."""
        node = self.values.get(key)
        if node is None:
            return ()
        refs: list[Ref] = []
        for item in self.reader.items(node, f"'{key}' in {self.what}"):
            if not isinstance(item, ScalarNode) or not SLUG.fullmatch(item.value):
                self.reader.problem(item, f"each entry of '{key}' must be a slug")
                return None
            refs.append(Ref(item.value, self.reader.origin(item)))
        return tuple(refs)

    def integer(self, key: str) -> int | None:
        scalar = self._scalar(key)
        if scalar is None or scalar is INVALID:
            return None
        node, value = scalar
        if node.tag != INT_TAG or not WHOLE_NUMBER.fullmatch(value):
            self.reader.problem(node, f"'{key}' must be a whole number, not '{value}'")
            return None
        return int(value)

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        scalar = self._scalar(key)
        if scalar is None:
            return default
        if scalar is INVALID:
            return None
        node, value = scalar
        if node.tag != BOOL_TAG:
            self.reader.problem(node, f"'{key}' must be true or false, not '{value}'")
            return None
        return value.lower() in TRUE_WORDS

    def choice(self, key: str, kind: type[E], default: E | None = None) -> E | None:
        scalar = self._scalar(key)
        if scalar is None:
            return default
        if scalar is INVALID:
            return None
        node, value = scalar
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            self.reader.problem(node, f"'{value}' is not a valid {key} (one of: {allowed})")
            return None

    def date(self, key: str) -> dt.date | None:
        """A full ISO date, YYYY-MM-DD."""
        found = self.partial_date(key)
        if found is None:
            return None
        if found.precision is not DatePrecision.DAY:
            self.reader.problem(self.values[key], f"'{key}' must be a full date, YYYY-MM-DD")
            return None
        return found.date

    def partial_date(self, key: str) -> PartialDate | None:
        """An ISO date as precise as the source: YYYY-MM-DD, YYYY-MM or YYYY."""
        scalar = self._scalar(key)
        if scalar is None or scalar is INVALID:
            return None
        node, value = scalar
        for pattern, precision, completion in PARTIAL_DATES:
            if pattern.fullmatch(value):
                try:
                    day = dt.date.fromisoformat(value + completion)
                except ValueError as error:
                    self.reader.problem(node, f"'{value}' is not a valid date ({error})")
                    return None
                return PartialDate(day, precision)
        self.reader.problem(
            node, f"'{value}' is not an ISO date (YYYY-MM-DD, or YYYY-MM / YYYY for less)"
        )
        return None

    def timestamp(self, key: str) -> dt.datetime | None:
        """An ISO 8601 date and time with its offset from UTC: 2026-11-23T10:15:00+00:00."""
        scalar = self._scalar(key)
        if scalar is None or scalar is INVALID:
            return None
        node, value = scalar
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.reader.problem(
                node, f"'{value}' is not an ISO date and time with an offset (…T10:15:00+00:00)"
            )
            return None
        return moment

    def standing(self) -> Standing:
        """The record's optional `draft: true` and `retracted: {at, reason}`."""
        draft = self.boolean("draft")
        retracted = self.nested("retracted", f"the retraction of {self.what}", ("at", "reason"))
        if draft is None and retracted is None:
            return UNSTATED
        retraction = None
        if retracted is not None:
            at, reason = retracted.timestamp("at"), retracted.text("reason")
            if at is not None and reason is not None:
                retraction = Retraction(at, reason)
        return Standing(draft, retraction)

    def absent(self, *keys: str) -> frozenset[str]:
        """Which of these optional fields the mapping leaves out (null is not left out)."""
        return frozenset(key for key in keys if key not in self.values)

    def items(self, key: str) -> list[Node]:
        """The entries of a list field; an absent list is empty."""
        node = self.values.get(key)
        return [] if node is None else self.reader.items(node, f"'{key}' in {self.what}")

    def nested(
        self, key: str, what: str, required: Collection[str], optional: Collection[str] = ()
    ) -> Fields | None:
        node = self.values.get(key)
        if node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG):
            return None
        return self.reader.fields(node, what, required, optional)
