"""Checks on editors' input; each problem becomes a FieldError, all reported at once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from db.rules import Rule
from schema.mutations.editing import INVALID, FieldError, Refusal

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 120
MAX_NAME = 300
MAX_TEXT = 20_000
MAX_URL = 2_000
MAX_LIST = 50


def camel(name: str) -> str:
    """A Python field name as GraphQL spells it: `review_due_on` is `reviewDueOn`."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


class Checks:
    """Collects problems; `done()` raises them together, so an editor sees every one."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str, code: str = INVALID) -> None:
        self.errors.append(FieldError(field=field, message=message, code=code))

    def broken(self, field: str, rule: Rule, message: str | None = None) -> None:
        """A problem that breaks one of the register's rules (db/rules.py), with its code."""
        self.errors.append(
            FieldError(
                field=field, message=message or rule.message, code=rule.category, rule=rule.code
            )
        )

    def slug(self, field: str, value: str) -> None:
        if len(value) > MAX_SLUG or not SLUG.fullmatch(value):
            self.fail(
                field,
                f"A slug is lower-case letters and digits in words joined by single hyphens, "
                f"at most {MAX_SLUG} characters.",
            )

    def text(self, field: str, value: str | None, limit: int, *, required: bool = False) -> None:
        if value is None:
            return
        if required and not value.strip():
            self.fail(field, "This cannot be empty.")
        elif len(value) > limit:
            self.fail(field, f"At most {limit} characters.")

    def url(self, field: str, value: str | None) -> None:
        if value is None:
            return
        if len(value) > MAX_URL or not re.fullmatch(r"https?://\S+", value):
            self.fail(field, f"An http(s) address without spaces, at most {MAX_URL} characters.")

    def items(
        self, field: str, values: Sequence[str] | None, limit: int, repeated: Rule | None = None
    ) -> None:
        if values is None:
            return
        if len(values) > MAX_LIST:
            self.fail(field, f"At most {MAX_LIST} items.")
        for n, value in enumerate(values):
            self.text(f"{field}[{n}]", value, limit, required=True)
        if len(set(values)) != len(values):
            if repeated is None:
                self.fail(field, "An item is repeated.")
            else:
                self.broken(field, repeated, "An item is repeated.")

    def done(self) -> None:
        if self.errors:
            raise Refusal(*self.errors)
