"""What a seed load did to each table."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SeedReport:
    """Counts of rows inserted, updated and left unchanged, by table name."""

    tables: dict[str, TableCounts] = field(default_factory=dict)

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
