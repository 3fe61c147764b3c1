"""What a seed load did to each table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Change:
    """The fields a load changes in one row: each field's stored value and its new one."""

    row: str
    fields: list[tuple[str, Any, Any]]

    def lines(self) -> list[str]:
        return [
            f"~ {self.row}: {name} {short(old)} → {short(new)}" for name, old, new in self.fields
        ]


def short(value: Any) -> str:
    """A value as the dry run shows it: quoted, on one line, at most 60 characters."""
    value = getattr(value, "value", value)
    text = repr(value if value is None or isinstance(value, bool | int) else str(value))
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class SeedReport:
    """Counts of rows inserted, updated and left unchanged, by table name; the rows added
    and each field changed, old → new."""

    tables: dict[str, TableCounts] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def details(self) -> list[str]:
        """One line per record added (`+ table key`) and per field changed (`~ ... old → new`)."""
        return [f"+ {row}" for row in self.added] + [
            line for change in self.changes for line in change.lines()
        ]

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    @property
    def inserted(self) -> int:
        return sum(counts.inserted for counts in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.tables.values())

    @property
    def unchanged(self) -> int:
        return sum(counts.unchanged for counts in self.tables.values())

    def summary(self) -> str:
        """One line: the totals, then the tables that changed (+inserted ~updated)."""
        totals = (
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
            f" in {len(self.tables)} tables"
        )
        changed = [
            " ".join(
                [name]
                + ([f"+{counts.inserted}"] if counts.inserted else [])
                + ([f"~{counts.updated}"] if counts.updated else [])
            )
            for name, counts in self.tables.items()
            if counts.inserted or counts.updated
        ]
        return f"{totals} ({', '.join(changed)})" if changed else totals
