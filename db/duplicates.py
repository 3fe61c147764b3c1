"""Possible duplicate organisations: names or aliases that are close once normalised.

Two names match when they are the same apart from case, spacing and punctuation ("ScotPep",
"SCOT-PEP"), when one is the acronym of the other ("NPCC", "National Police Chiefs'
Council"), or when rapidfuzz scores their normalised words at `SIMILAR` or more. A match is
only a hint: the organisation is saved all the same, and an editor reviews the pair, marking
it distinct (stored in `organisation_distinct_pair`) if it is not one organisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Organisation, OrganisationAlias, OrganisationDistinctPair

# Scores (0-100) from token_sort_ratio at or above which two normalised names are close.
SIMILAR = 90
# Words an acronym leaves out: "National Police Chiefs' Council" is NPCC.
SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "to", "a", "an", "at"})
SAME_APART_FROM_SPACING = "same name apart from spacing and punctuation"
ACRONYM = "acronym"
SIMILAR_NAME = "similar name"


@lru_cache(maxsize=65_536)
def normalise(name: str) -> str:
    """Lower case, without accents, apostrophes or a leading "the"; `&` as "and", other
    punctuation as spaces."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub("['\u2018\u2019`]", "", text).replace("&", " and ")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    # "The Home Office" is the Home Office.
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


def sorted_words(name: str) -> str:
    """The normalised words in order: their plain ratio is rapidfuzz's token_sort_ratio."""
    return " ".join(sorted(normalise(name).split()))


def compact(name: str) -> str:
    """The normalised name without spaces: "SCOT-PEP" and "ScotPep" are both "scotpep"."""
    return normalise(name).replace(" ", "")


def acronym(name: str) -> str:
    """The initials of a name's words but the small ones: "npcc"; "" for a one-word name."""
    words = [word for word in normalise(name).split() if word not in SMALL_WORDS]
    return "".join(word[0] for word in words) if len(words) > 1 else ""


def is_acronym(short: str, long: str) -> bool:
    """Whether `short`, its dots and spaces dropped ("N.P.C.C."), is the acronym of `long`."""
    letters = compact(short)
    return 2 <= len(letters) <= 10 and letters == acronym(long)


def closeness(a: str, b: str) -> tuple[str, float] | None:
    """Why two names may name one organisation, and a score out of 100; None if they do not."""
    if not compact(a) or not compact(b):
        return None
    if compact(a) == compact(b):
        return SAME_APART_FROM_SPACING, 100.0
    if is_acronym(a, b) or is_acronym(b, a):
        return ACRONYM, 95.0
    score = float(fuzz.ratio(sorted_words(a), sorted_words(b)))
    return (SIMILAR_NAME, score) if score >= SIMILAR else None


@dataclass(frozen=True)
class Match:
    """Two organisations that may be one: the names that matched, why, and how close."""

    first_id: int
    second_id: int
    first_name: str
    second_name: str
    reason: str
    score: float


async def names(session: AsyncSession) -> dict[int, list[str]]:
    """Every organisation not retracted, with its name first and then its aliases."""
    found: dict[int, list[str]] = defaultdict(list)
    live = Organisation.retracted_at.is_(None)
    for organisation_id, name in await session.execute(
        select(Organisation.id, Organisation.name).where(live).order_by(Organisation.id)
    ):
        found[organisation_id].append(name)
    for organisation_id, alias in await session.execute(
        select(OrganisationAlias.organisation_id, OrganisationAlias.alias)
        .join(Organisation, Organisation.id == OrganisationAlias.organisation_id)
        .where(live)
        .order_by(OrganisationAlias.organisation_id, OrganisationAlias.position)
    ):
        found[organisation_id].append(alias)
    return found


def best_match(
    first_id: int, first: Sequence[str], second_id: int, second: Sequence[str]
) -> Match | None:
    """The closest of the matches between two organisations' names, if any."""
    best: Match | None = None
    for a in first:
        for b in second:
            found = closeness(a, b)
            if found and (best is None or found[1] > best.score):
                best = Match(first_id, second_id, a, b, found[0], found[1])
    return best


async def distinct_pairs(
    session: AsyncSession, ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """The pairs editors marked distinct (smaller id first), of `ids` if given."""
    statement = select(OrganisationDistinctPair.first_id, OrganisationDistinctPair.second_id)
    if ids is not None:
        wanted = list(ids)
        statement = statement.where(
            or_(
                OrganisationDistinctPair.first_id.in_(wanted),
                OrganisationDistinctPair.second_id.in_(wanted),
            )
        )
    return {(a, b) for a, b in await session.execute(statement)}


class NameIndex:
    """Every organisation's names, looked up by what can match: the compact form, the
    acronym, and (one C loop over all of them) the fuzzy score."""

    def __init__(self, every: dict[int, list[str]]) -> None:
        self.every = every
        self.owners = [i for i, all_names in every.items() for _ in all_names]
        self.normalised = [normalise(name) for all_names in every.values() for name in all_names]
        self.sorted = [" ".join(sorted(words.split())) for words in self.normalised]
        self.by_compact: dict[str, set[int]] = defaultdict(set)
        self.by_acronym: dict[str, set[int]] = defaultdict(set)
        for owner, words in zip(self.owners, self.normalised, strict=True):
            self.by_compact[words.replace(" ", "")].add(owner)
            initials = "".join(w[0] for w in words.split() if w not in SMALL_WORDS)
            if len(words.split()) > 1 and initials:
                self.by_acronym[initials].add(owner)

    def candidates(self, name: str) -> set[int]:
        """The organisations one of whose names may match `name`."""
        words = normalise(name)
        letters = words.replace(" ", "")
        found = set(self.by_compact.get(letters, ())) | self.by_acronym.get(letters, set())
        if initials := acronym(name):
            found |= self.by_compact.get(initials, set())
        for _, _, index in process.extract(
            sorted_words(name), self.sorted, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None
        ):
            found.add(self.owners[index])
        return found


async def duplicates_of(session: AsyncSession, organisation_id: int) -> list[Match]:
    """The organisations that may be the same as this one, closest first, but those an editor
    marked distinct from it."""
    every = await names(session)
    own = every.get(organisation_id, [])
    distinct = await distinct_pairs(session, [organisation_id])
    index = NameIndex(every)
    others = {other for name in own for other in index.candidates(name)} - {organisation_id}
    found = [
        match
        for other in others
        if (min(other, organisation_id), max(other, organisation_id)) not in distinct
        and (match := best_match(organisation_id, own, other, every[other])) is not None
    ]
    return sorted(found, key=lambda match: (-match.score, match.second_id))


async def pairs_awaiting_review(session: AsyncSession) -> list[Match]:
    """Every pair of organisations that may be one and no editor has marked distinct,
    closest first."""
    every = await names(session)
    distinct = await distinct_pairs(session)
    index = NameIndex(every)
    candidates = {
        (min(first, second), max(first, second))
        for first, all_names in every.items()
        for name in all_names
        for second in index.candidates(name)
        if second != first
    } - distinct
    found = [
        match
        for first, second in candidates
        if (match := best_match(first, every[first], second, every[second])) is not None
    ]
    return sorted(found, key=lambda match: (-match.score, match.first_id, match.second_id))
