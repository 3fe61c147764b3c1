"""The one error the seed data can raise: every problem found, each with its file and line."""

from __future__ import annotations

from collections.abc import Sequence


class SeedError(Exception):
    """The seed data is invalid; `problems` holds one `file:line: message` string per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the seed data"
        lines = [
            f"{problem} [{code}]" if (code := getattr(problem, "code", None)) else problem
            for problem in self.problems
        ]
        super().__init__("\n".join([heading, *lines]))
