"""The one rule of a group's standing on a document, and of when that standing is a gap.

`status_of` and `is_gap` decide; every reader calls them: the coverage report and the FOI answer
directly, and the SQL of the document filters (`status_among`) and of the compiled coverage
matrix (`status_case_sql`, `gap_case_sql`) through conditions built from the two functions'
truth tables rather than written out again. Which consultation roles count as consulted is
`db.enums.COUNTS_AS_CONSULTED`; which documents coverage leaves out, being only sources of
evidence, is `SOURCE_ONLY_KINDS`.
"""

from __future__ import annotations

from itertools import product

from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from db.enums import COUNTS_AS_CONSULTED, CoverageStatus, DocumentKind

CONSULTING_ROLES = tuple(sorted(COUNTS_AS_CONSULTED))

# Documents kept only as sources of evidence: nobody is consulted on a press release, so the
# coverage matrix and the document filters leave them out unless asked for them.
SOURCE_ONLY_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.PRESS_RELEASE,
    DocumentKind.WEB_PAGE,
    DocumentKind.NEWS_ARTICLE,
)


def status_of(consulted: bool, shown_absent: bool) -> CoverageStatus:
    """`consulted`: an organisation of the group, or of a group below it, was consulted (in a
    role that counts); `shown_absent`: an absence names the group or a group above it."""
    if consulted and shown_absent:
        return CoverageStatus.CONTESTED
    if consulted:
        return CoverageStatus.CONSULTED
    if shown_absent:
        return CoverageStatus.NOT_CONSULTED
    return CoverageStatus.NO_RECORD


def is_gap(status: CoverageStatus, expected: bool) -> bool:
    """Left out: not consulted, and either expected or shown not to have been (with or without
    evidence the other way). An absence without an expectation is a gap too."""
    return status is not CoverageStatus.CONSULTED and (
        expected or status is not CoverageStatus.NO_RECORD
    )


# ---------------------------------------------------------------- the same rules, in SQL


def _cases() -> list[tuple[bool, bool, CoverageStatus]]:
    return [(c, a, status_of(c, a)) for c, a in product((True, False), repeat=2)]


def status_among(
    consulted: ColumnElement[bool],
    shown_absent: ColumnElement[bool],
    statuses: frozenset[CoverageStatus],
) -> ColumnElement[bool]:
    """The condition that `status_of` is one of `statuses`: the rows of its truth table that
    hold, or else NOT the rows that do not, whichever is shorter (each row costs the database
    two EXISTS)."""
    held: list[ColumnElement[bool]] = []
    not_held: list[ColumnElement[bool]] = []
    for c, a, status in _cases():
        row = and_(_is(consulted, c), _is(shown_absent, a))
        (held if status in statuses else not_held).append(row)
    if not held:
        return false()
    if not not_held:
        return true()
    return or_(*held) if len(held) <= len(not_held) else not_(or_(*not_held))


def _is(condition: ColumnElement[bool], value: bool) -> ColumnElement[bool]:
    return condition if value else not_(condition)


def status_case_sql(consulted: str, shown_absent: str) -> str:
    """CASE giving `status_of` for two SQL conditions, as text for the compiled matrix (built
    from trusted parts only)."""
    whens = " ".join(
        f"WHEN ({_text(consulted, c)}) AND ({_text(shown_absent, a)}) THEN '{status.value}'"
        for c, a, status in _cases()
    )
    return f"CASE {whens} END"


def gap_case_sql(status: str, expected: str) -> str:
    """`is_gap` as SQL text over a status column and an `expected` condition."""
    gaps = [
        f"({status} = '{s.value}' AND {_text(expected, e)})"
        for s, e in product(CoverageStatus, (True, False))
        if is_gap(s, e)
    ]
    return "(" + " OR ".join(gaps) + ")"


def _text(condition: str, value: bool) -> str:
    return condition if value else f"NOT ({condition})"


def roles_sql(column: str) -> str:
    """`column IN (...)` for the roles that count as consulted."""
    listed = ", ".join(f"'{role.value}'" for role in CONSULTING_ROLES)
    return f"{column} IN ({listed})"


def not_source_only_sql(column: str) -> str:
    """`column NOT IN (...)` for a document kind that is more than a source of evidence."""
    listed = ", ".join(f"'{kind.value}'" for kind in SOURCE_ONLY_KINDS)
    return f"{column} NOT IN ({listed})"
