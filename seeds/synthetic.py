"""A deterministic synthetic register for scale tests and benchmarks.

`generate_register` adds a register shaped like the curated one, at a chosen size, on top of
whatever the database already holds. Per document: about 2.5 organisations, 6 principles,
30 consultations, 50 influences, 1-4 expectations and 1-3 versions; some documents also get
relations, impact assessments, an absence (a group shown not consulted) and a stored text;
every claim carries evidence; a few FOI requests with numbered questions complete it.
Proportions are exact from 40 documents up (below that the register keeps a floor of
organisations to consult).

Determinism: every choice comes from `random.Random(seed)` in a fixed order and ids are
allocated from each table's current `max(id) + 1`, so one seed and size on two empty
databases give identical rows, ids included.

Re-runs: slugs carry the seed (`syn1-doc-000123`), so registers of different seeds sit side by
side and never collide with curated records. Running a seed that is already present raises
`SyntheticRegisterExists` before anything is written. The whole run is one transaction, so
any other failure leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from db import queries
from db.engine import create_engine, create_sessionmaker
from db.enums import (
    Confidence,
    ConsultationRole,
    DatePrecision,
    DocumentKind,
    DocumentRelationKind,
    ExpectationBasis,
    FoiOutcome,
    Formality,
    InfluenceEffect,
    VerificationStatus,
)
from db.models import (
    Absence,
    Base,
    Consultation,
    Document,
    DocumentRelation,
    DocumentText,
    DocumentVersion,
    Evidence,
    Expectation,
    FoiQuestion,
    FoiRequest,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
    Principle,
    StakeholderGroup,
)
from db.quotes import Normalised, find_in, joined

T = TypeVar("T")
Row = dict[str, Any]
Batch = dict[type[Base], list[Row]]

ORGANISATIONS_PER_DOCUMENT: Final = 2.5
PRINCIPLES_PER_DOCUMENT: Final = 6
CONSULTATIONS_PER_DOCUMENT: Final = 30
INFLUENCES_PER_DOCUMENT: Final = 50
# A document draws distinct consultees and is at most three times the mean size, so this many
# organisations always suffice (30 x 3 + rounding).
MIN_ORGANISATIONS: Final = 100
DOCUMENTS_PER_FOI_REQUEST: Final = 50

# Shares of records that get an optional extra.
ALIAS_SHARE: Final = 0.3
SECOND_ALIAS_SHARE: Final = 0.05
SECOND_GROUP_SHARE: Final = 0.25
UNNAMED_SHARE: Final = 0.03
STORED_TEXT_SHARE: Final = 0.25
RELATED_SHARE: Final = 0.4
ASSESSED_SHARE: Final = 0.4
SECOND_EVIDENCE_SHARE: Final = 0.05
OWN_SOURCE_SHARE: Final = 0.7

# Rows buffered before writing: bounds memory at any size; executemany batches stay large.
FLUSH_ROWS: Final = 20_000
CHUNK_ROWS: Final = 10_000

# Parents before children, so every foreign key points at a row already written.
WRITE_ORDER: Final[tuple[type[Base], ...]] = (
    StakeholderGroup,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
    Document,
    DocumentVersion,
    DocumentRelation,
    Principle,
    Consultation,
    Influence,
    Expectation,
    Absence,
    ImpactAssessment,
    Evidence,
    FoiRequest,
    FoiQuestion,
    DocumentText,
)
ID_TABLES: Final = tuple(m.__tablename__ for m in WRITE_ORDER if "id" in m.__table__.c)
CLAIM_COLUMNS: Final = (
    "consultation_id",
    "influence_id",
    "expectation_id",
    "impact_assessment_id",
    "relation_id",
    "absence_id",
)

# ---------------------------------------------------------------- vocabularies

# (key, name) of the synthetic taxonomy's roots; each has a national and a local branch.
GROUP_ROOTS: Final = (
    ("police", "Police forces"),
    ("policing-bodies", "National policing bodies"),
    ("government", "Government"),
    ("academia", "Academia"),
    ("support", "Sex worker support and advocacy"),
    ("women", "Women's groups"),
    ("lived-experience", "People with lived experience"),
    ("statutory", "Statutory partners"),
    ("health", "Health"),
    ("prosecutors", "Prosecutors"),
    ("anti-trafficking", "Anti-trafficking"),
)
GROUP_BRANCHES: Final = ("national", "local")

# (name suffix, group key): an organisation's kind decides its synthetic group.
ORGANISATION_KINDS: Final = (
    ("Constabulary", "police"),
    ("Police", "police"),
    ("Police and Crime Commissioner", "policing-bodies"),
    ("Policing Board", "policing-bodies"),
    ("City Council", "government"),
    ("County Council", "government"),
    ("University", "academia"),
    ("Research Centre", "academia"),
    ("Sex Workers' Collective", "support"),
    ("Outreach Project", "support"),
    ("Women's Aid", "women"),
    ("Women's Centre", "women"),
    ("Lived Experience Forum", "lived-experience"),
    ("Safeguarding Partnership", "statutory"),
    ("Probation Service", "statutory"),
    ("NHS Trust", "health"),
    ("Sexual Health Service", "health"),
    ("Crown Prosecution Service", "prosecutors"),
    ("Anti-Slavery Network", "anti-trafficking"),
    ("Modern Slavery Partnership", "anti-trafficking"),
)
PLACE_STEMS: Final = (
    "North", "South", "East", "West", "Ash", "Brook", "Clay", "Dun", "Elm", "Fair",
    "Glen", "Hart", "Kings", "Lang", "Mar", "Oak", "Red", "Stan", "Thorn", "Wood",
    "Bel", "Cald", "Hol", "Mill", "Pen", "Ros", "Sel", "Wen", "Ald", "Bram",
)  # fmt: skip
PLACE_ENDINGS: Final = (
    "shire", "ford", "bury", "field", "ham", "ton", "wick", "mouth",
    "moor", "dale", "worth", "bridge", "stead", "by", "ley",
)  # fmt: skip

DOCUMENT_KINDS: Final = {
    DocumentKind.GUIDANCE: 30,
    DocumentKind.POLICY: 30,
    DocumentKind.STRATEGY: 10,
    DocumentKind.FOI_RESPONSE: 10,
    DocumentKind.RESEARCH: 10,
    DocumentKind.LEGISLATION: 3,
    DocumentKind.LEGAL_GUIDANCE: 4,
    DocumentKind.OTHER: 3,
}
# How each kind is named in a title, and how binding it is.
DOCUMENT_STYLE: Final = {
    DocumentKind.GUIDANCE: ("guidance", Formality.ADVICE),
    DocumentKind.POLICY: ("policy", Formality.FORMAL_POLICY),
    DocumentKind.STRATEGY: ("strategy", Formality.FORMAL_POLICY),
    DocumentKind.FOI_RESPONSE: ("response to a freedom of information request", Formality.UNKNOWN),
    DocumentKind.RESEARCH: ("study", Formality.UNKNOWN),
    DocumentKind.LEGISLATION: ("regulations", Formality.STATUTORY),
    DocumentKind.LEGAL_GUIDANCE: ("prosecution guidance", Formality.ADVICE),
    DocumentKind.OTHER: ("briefing", Formality.UNKNOWN),
}
SCOPES: Final = (
    "National", "Regional", "Force", "Local", "Interim", "Revised", "Joint", "Multi-agency",
)  # fmt: skip
TOPICS: Final = (
    "sex work", "prostitution", "exploitation", "modern slavery", "vulnerability",
    "safeguarding", "street-based sex work", "online sex work", "human trafficking",
    "outreach", "victim care", "harm reduction", "licensing", "community safety",
    "domestic abuse", "missing persons", "county lines", "public health", "data protection",
    "equality and diversity",
)  # fmt: skip
DATE_PRECISIONS: Final = {DatePrecision.DAY: 70, DatePrecision.MONTH: 20, DatePrecision.YEAR: 10}

PRINCIPLE_SUBJECTS: Final = (
    "Officers", "Forces", "Partners", "Commissioners", "Safeguarding leads", "Investigators",
    "Outreach services",
)  # fmt: skip
PRINCIPLE_ACTIONS: Final = (
    "prioritise the safety of", "work with", "record concerns raised by", "avoid criminalising",
    "signpost support to", "share information about", "consult regularly with",
    "build trust with", "protect the anonymity of", "target those who exploit",
)  # fmt: skip
PRINCIPLE_OBJECTS: Final = (
    "people who sell sex", "victims of exploitation", "local communities", "support services",
    "street-based sex workers", "people at risk of trafficking", "migrant sex workers",
    "residents and businesses",
)  # fmt: skip

CONSULTATION_ROLES: Final = {
    ConsultationRole.CONSULTED: 50,
    ConsultationRole.REVIEWER: 15,
    ConsultationRole.ADVISOR: 12,
    ConsultationRole.PARTNER: 10,
    ConsultationRole.CO_DEVELOPER: 8,
    ConsultationRole.OVERSIGHT: 5,
    # Recorded, but not counted as consulted: coverage must leave them out.
    ConsultationRole.DELIVERY_PARTNER: 4,
    ConsultationRole.REPORTING_CHANNEL: 3,
    ConsultationRole.INVITED: 2,
}
ROLE_PHRASES: Final = {
    ConsultationRole.CONSULTED: "was consulted on",
    ConsultationRole.REVIEWER: "reviewed the draft of",
    ConsultationRole.ADVISOR: "advised on the drafting of",
    ConsultationRole.PARTNER: "worked in partnership on",
    ConsultationRole.CO_DEVELOPER: "co-developed",
    ConsultationRole.OVERSIGHT: "oversaw the work on",
    ConsultationRole.DELIVERY_PARTNER: "works with the authority on delivering",
    ConsultationRole.REPORTING_CHANNEL: "receives reports of the work under",
    ConsultationRole.INVITED: "was invited to comment on",
}
INFLUENCE_EFFECTS: Final = {
    InfluenceEffect.SHAPED: 40,
    InfluenceEffect.ADOPTED: 25,
    InfluenceEffect.AMENDED: 20,
    InfluenceEffect.NOT_ADOPTED: 15,
}
EFFECT_PHRASES: Final = {
    InfluenceEffect.SHAPED: "was shaped by representations from",
    InfluenceEffect.ADOPTED: "adopts the recommendation of",
    InfluenceEffect.AMENDED: "was amended after comments from",
    InfluenceEffect.NOT_ADOPTED: "does not adopt the proposal of",
}
EXPECTATION_BASES: Final = {
    ExpectationBasis.FOI_REQUEST: 35,
    ExpectationBasis.DUTY: 30,
    ExpectationBasis.COMPARABLE_DOCUMENT: 25,
    ExpectationBasis.OTHER: 10,
}
EXPECTATION_REASONS: Final = {
    ExpectationBasis.FOI_REQUEST: "An FOI request asked whether {target} was consulted on {title}.",
    ExpectationBasis.DUTY: "The public sector equality duty requires due regard to {target}.",
    ExpectationBasis.COMPARABLE_DOCUMENT: "A comparable document on {topic} consulted {target}.",
    ExpectationBasis.OTHER: "{target} works directly on {topic}.",
}
EXPECTED_GROUP_SHARE: Final = 0.8
# Documents with evidence that a group was not consulted (often one that was: CONTESTED).
ABSENCE_SHARE: Final = 0.3
RELATION_KINDS: Final = {
    DocumentRelationKind.CITES: 40,
    DocumentRelationKind.SUPERSEDES: 15,
    DocumentRelationKind.REFRESHES: 15,
    DocumentRelationKind.IMPLEMENTS: 15,
    DocumentRelationKind.RESPONDS_TO: 15,
}
RELATION_PHRASES: Final = {
    DocumentRelationKind.CITES: "cites",
    DocumentRelationKind.SUPERSEDES: "supersedes",
    DocumentRelationKind.REFRESHES: "refreshes",
    DocumentRelationKind.IMPLEMENTS: "implements",
    DocumentRelationKind.RESPONDS_TO: "responds to",
}
ASSESSMENT_KINDS: Final = ("EIA", "PSED", "SIA", "DPIA")
ASSESSMENT_OUTCOMES: Final = (
    "No adverse impact identified",
    "Adverse impact mitigated",
    "Full assessment recommended",
)
CONFIDENCES: Final = {Confidence.STATED: 75, Confidence.INFERRED: 20, Confidence.DISPUTED: 5}
FOI_OUTCOMES: Final = {
    FoiOutcome.INFORMATION_PROVIDED: 40,
    FoiOutcome.PROVIDED_OUTSIDE_ACT: 10,
    FoiOutcome.NOT_HELD: 25,
    FoiOutcome.PARTIAL: 15,
    FoiOutcome.REFUSED: 10,
}
FOI_QUESTIONS: Final = (
    "Please list the organisations consulted on {title}.",
    "Was an equality impact assessment undertaken for {title}?",
    "Which groups representing people affected by {topic} were consulted?",
    "Please provide the minutes of meetings held to develop {title}.",
    "Who drafted {title}, and who approved it?",
    "Were people with lived experience of {topic} consulted?",
)
FOI_ANSWERS: Final = {
    FoiOutcome.INFORMATION_PROVIDED: "The information is provided in the attached response.",
    FoiOutcome.PROVIDED_OUTSIDE_ACT: "Provided outside the Act as a matter of goodwill.",
    FoiOutcome.NOT_HELD: "No information is held.",
    FoiOutcome.PARTIAL: "Part of the information is provided; the remainder is not held.",
    FoiOutcome.REFUSED: None,
}
VERSION_LABELS: Final = ("1.0", "1.1", "1.2")
VERSION_CHANGES: Final = (
    "Updated contact details and references.",
    "Revised following consultation feedback.",
    "Reworded the safeguarding section.",
    "Added a section on online sex work.",
)
EARLIEST_PUBLICATION: Final = dt.date(2000, 1, 1).toordinal()
PUBLICATION_DAYS: Final = 25 * 365


class SyntheticRegisterExists(RuntimeError):
    """The seed's synthetic register is already in the database; nothing was written."""


@dataclass(frozen=True)
class SyntheticReport:
    seed: int
    documents: int
    rows: dict[str, int] = field(default_factory=dict)  # table name -> rows added, write order

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        counts = ", ".join(f"{count:,} {table}" for table, count in self.rows.items() if count)
        return f"synthetic register {prefix_for(self.seed)}*: {self.total:,} rows ({counts})"


def prefix_for(seed: int) -> str:
    return f"syn{seed}-"


# ---------------------------------------------------------------- helpers


class Weighted(Generic[T]):
    """A weighted choice with its cumulative weights computed once."""

    def __init__(self, weights: Mapping[T, int]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        # What rng.choices does for one item, without building a list each call.
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder)."""
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    parts = [int(share) for share in shares]
    # Sorting is stable, so equal remainders go to the earlier part: deterministic.
    by_remainder = sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def distinct_sample(
    rng: random.Random, population: int, count: int, favoured: Sequence[int], favoured_count: int
) -> list[int]:
    """`count` distinct indexes below `population`, `favoured_count` of them from `favoured`."""
    if count > population:
        raise ValueError(f"cannot draw {count} distinct of {population}")
    chosen = dict.fromkeys(rng.sample(favoured, min(favoured_count, len(favoured), count)))
    while len(chosen) < count:
        chosen[rng.randrange(population)] = None
    return list(chosen)


def first_day(date: dt.date, precision: DatePrecision) -> dt.date:
    """The date as stored at this precision: January 2019 is 2019-01-01."""
    if precision is DatePrecision.MONTH:
        return date.replace(day=1)
    if precision is DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    return date


def acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper())


def organisation_count(documents: int) -> int:
    return max(round(documents * ORGANISATIONS_PER_DOCUMENT), MIN_ORGANISATIONS)


# ---------------------------------------------------------------- buffered writes


class RowBuffer:
    """Rows waiting to be written, by model, with ids allocated on the way in."""

    def __init__(self, next_ids: Mapping[str, int]) -> None:
        self.next_ids = dict(next_ids)
        self.pending: Batch = {model: [] for model in WRITE_ORDER}
        self.size = 0

    def add(self, model: type[Base], **values: Any) -> int:
        """Queue a row of a table keyed by `id`; return the id it will have."""
        new_id = self.next_ids[model.__tablename__]
        self.next_ids[model.__tablename__] = new_id + 1
        self.add_keyed(model, id=new_id, **values)
        return new_id

    def add_keyed(self, model: type[Base], **values: Any) -> None:
        """Queue a row whose primary key is among `values`."""
        self.pending[model].append(values)
        self.size += 1

    def take(self) -> Batch:
        batch = self.pending
        self.pending = {model: [] for model in WRITE_ORDER}
        self.size = 0
        return batch


class RowWriter:
    """Writes batches in `WRITE_ORDER` and counts the rows per table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        # asyncpg's executemany runs one statement per row; asking for RETURNING makes
        # SQLAlchemy send multi-row VALUES pages instead (insertmanyvalues), about twice as fast.
        # sqlite3's executemany is faster as it is.
        self.batch_values = connection.dialect.name == "postgresql"
        self.written = {model.__tablename__: 0 for model in WRITE_ORDER}

    async def write(self, batch: Batch) -> None:
        for model, rows in batch.items():
            statement = insert(model)
            if self.batch_values:
                statement = statement.returning(*model.__table__.primary_key)
            for start in range(0, len(rows), CHUNK_ROWS):
                await self.connection.execute(statement, rows[start : start + CHUNK_ROWS])
            self.written[model.__tablename__] += len(rows)


# ---------------------------------------------------------------- the register's shape


@dataclass(frozen=True, slots=True)
class SyntheticDocument:
    index: int
    id: int
    title: str
    topic: str
    published_on: dt.date
    publisher: int  # organisation index
    weight: float  # relative size: consultations, principles and influences scale with it


class Synthesiser:
    """Draws the register row by row; all randomness flows from one `random.Random(seed)`."""

    def __init__(
        self,
        seed: int,
        documents: int,
        groups: Sequence[tuple[int, str]],
        next_ids: Mapping[str, int],
    ) -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix_for(seed)
        self.document_count = documents
        self.buffer = RowBuffer(next_ids)
        self.groups = list(groups)
        # Without a synthetic tree every kind of organisation may join any group.
        self.group_pools: dict[str, list[int]] = {
            key: [group_id for group_id, _ in groups] for _, key in ORGANISATION_KINDS
        }
        self.organisation_ids: list[int] = []
        self.organisation_names: list[str] = []
        # The first tenth stands for national bodies, consulted far more often than the rest.
        self.favoured: range = range(0)
        self.documents: list[SyntheticDocument] = []
        self.foi_responses: list[int] = []
        self.texts: dict[int, list[str]] = {}  # document id -> passages of its stored text
        # document id -> its text so far, normalised (db.quotes), and how many passages that is
        self.normalised: dict[int, tuple[Normalised, int]] = {}
        self.normalised_passages: dict[int, int] = {}
        self.roles = Weighted(CONSULTATION_ROLES)
        self.effects = Weighted(INFLUENCE_EFFECTS)
        self.bases = Weighted(EXPECTATION_BASES)
        self.relation_kinds = Weighted(RELATION_KINDS)
        self.confidences = Weighted(CONFIDENCES)
        self.kinds = Weighted(DOCUMENT_KINDS)
        self.precisions = Weighted(DATE_PRECISIONS)
        self.foi_outcomes = Weighted(FOI_OUTCOMES)

    def batches(self) -> Iterator[Batch]:
        """The whole register, in batches of about `FLUSH_ROWS` rows, parents first."""
        if not self.groups:
            self.group_tree()
        self.organisations()
        for index in range(self.document_count):
            self.document(index)
        yield self.buffer.take()
        for document, size in zip(self.documents, self.sizes(), strict=True):
            self.claims(document, size)
            if self.buffer.size >= FLUSH_ROWS:
                yield self.buffer.take()
        self.foi_requests()
        self.stored_texts()
        yield self.buffer.take()

    # ------------------------------------------------------------ who takes part

    def group_tree(self) -> None:
        """A small taxonomy, for databases that have none yet."""
        for position, (key, name) in enumerate(GROUP_ROOTS, start=1):
            root = self.buffer.add(
                StakeholderGroup,
                slug=f"{self.prefix}group-{key}",
                name=name,
                description=f"Synthetic stakeholder group: {name.lower()}.",
                parent_id=None,
                position=position,
            )
            self.groups.append((root, name))
            self.group_pools[key] = []
            for branch_position, branch in enumerate(GROUP_BRANCHES, start=1):
                branch_name = f"{name} ({branch})"
                branch_id = self.buffer.add(
                    StakeholderGroup,
                    slug=f"{self.prefix}group-{key}-{branch}",
                    name=branch_name,
                    description=f"Synthetic stakeholder group: {branch_name.lower()}.",
                    parent_id=root,
                    position=branch_position,
                )
                self.groups.append((branch_id, branch_name))
                self.group_pools[key].append(branch_id)

    def organisations(self) -> None:
        count = organisation_count(self.document_count)
        self.favoured = range(max(count // 10, 1))
        places = [stem + ending for stem in PLACE_STEMS for ending in PLACE_ENDINGS]
        combinations = len(places) * len(ORGANISATION_KINDS)
        # Distinct names while they last, then numbered repeats.
        drawn = self.rng.sample(range(combinations), min(count, combinations))
        for index in range(count):
            combination = drawn[index] if index < len(drawn) else index % combinations
            place = places[combination // len(ORGANISATION_KINDS)]
            kind, group_key = ORGANISATION_KINDS[combination % len(ORGANISATION_KINDS)]
            repeat = f" {index // combinations + 1}" if index >= combinations else ""
            self.organisation(index, f"{place}{repeat}", kind, group_key)

    def organisation(self, index: int, place: str, kind: str, group_key: str) -> None:
        named = self.rng.random() >= UNNAMED_SHARE
        name = f"{place} {kind}" if named else f"{kind} partners in the {place} area"
        slug = f"{self.prefix}org-{index + 1:06d}"
        has_url = named and self.rng.random() < 0.7
        organisation_id = self.buffer.add(
            Organisation,
            slug=slug,
            name=name,
            named=named,
            description=f"Synthetic {kind.lower()} serving {place}.",
            url=f"https://{slug}.example.org" if has_url else None,
        )
        self.organisation_ids.append(organisation_id)
        self.organisation_names.append(name)
        if named and self.rng.random() < ALIAS_SHARE:
            self.aliases(organisation_id, name)
        self.memberships(organisation_id, group_key)

    def aliases(self, organisation_id: int, name: str) -> None:
        aliases = [acronym(name)]
        if self.rng.random() < SECOND_ALIAS_SHARE:
            aliases.append(f"The {name}")
        for position, alias in enumerate(aliases, start=1):
            self.buffer.add(
                OrganisationAlias, organisation_id=organisation_id, alias=alias, position=position
            )

    def memberships(self, organisation_id: int, group_key: str) -> None:
        groups = {self.rng.choice(self.group_pools[group_key])}
        if self.rng.random() < SECOND_GROUP_SHARE:
            groups.add(self.rng.choice(self.groups)[0])
        for group_id in sorted(groups):
            self.buffer.add_keyed(
                OrganisationGroup, organisation_id=organisation_id, group_id=group_id
            )

    # ------------------------------------------------------------ documents

    def document(self, index: int) -> None:
        rng = self.rng
        kind = self.kinds.pick(rng)
        noun, formality = DOCUMENT_STYLE[kind]
        topic = rng.choice(TOPICS)
        published_on = dt.date.fromordinal(EARLIEST_PUBLICATION + rng.randrange(PUBLICATION_DAYS))
        precision = self.precisions.pick(rng)
        published_on = first_day(published_on, precision)
        title = f"{rng.choice(SCOPES)} {noun} on {topic} ({published_on.year})"
        slug = f"{self.prefix}doc-{index + 1:06d}"
        publisher = rng.choice(self.favoured)
        publisher_name = self.organisation_names[publisher]
        reviewed = rng.random() < 0.5
        document_id = self.buffer.add(
            Document,
            slug=slug,
            title=title,
            kind=kind,
            formality=formality,
            publisher_id=self.organisation_ids[publisher],
            published_on=published_on,
            published_precision=precision,
            review_due_on=first_day(
                published_on + dt.timedelta(days=365 * rng.randint(1, 3)), precision
            )
            if reviewed
            else None,
            # An absent date keeps the default precision, as a loaded one does.
            review_due_precision=precision if reviewed else DatePrecision.DAY,
            url=f"https://example.org/{slug}",
            summary=f"Synthetic {noun} on {topic} published by {publisher_name}.",
        )
        document = SyntheticDocument(
            index, document_id, title, topic, published_on, publisher, rng.uniform(0.5, 1.5)
        )
        self.documents.append(document)
        if kind is DocumentKind.FOI_RESPONSE:
            self.foi_responses.append(index)
        if rng.random() < STORED_TEXT_SHARE:
            self.texts[document_id] = [title, f"Published {published_on:%d %B %Y}."]
        self.versions(document)

    def versions(self, document: SyntheticDocument) -> None:
        date = document.published_on
        for position in range(1, self.rng.randint(1, len(VERSION_LABELS)) + 1):
            self.buffer.add(
                DocumentVersion,
                document_id=document.id,
                position=position,
                label=VERSION_LABELS[position - 1],
                date=date,
                changes="First published." if position == 1 else self.rng.choice(VERSION_CHANGES),
                author=f"{document.topic.capitalize()} lead" if self.rng.random() < 0.5 else None,
            )
            date += dt.timedelta(days=self.rng.randint(30, 400))

    # ------------------------------------------------------------ claims, document by document

    def sizes(self) -> list[tuple[int, int, int]]:
        """(principles, consultations, influences) per document, totals exact."""
        weights = [document.weight for document in self.documents]
        total = self.document_count
        return list(
            zip(
                apportion(total * PRINCIPLES_PER_DOCUMENT, weights),
                apportion(total * CONSULTATIONS_PER_DOCUMENT, weights),
                apportion(total * INFLUENCES_PER_DOCUMENT, weights),
                strict=True,
            )
        )

    def claims(self, document: SyntheticDocument, size: tuple[int, int, int]) -> None:
        principle_count, consultation_count, influence_count = size
        principles = [self.principle(document, p) for p in range(1, principle_count + 1)]
        consultees = distinct_sample(
            self.rng,
            len(self.organisation_ids),
            consultation_count,
            self.favoured,
            consultation_count // 3,
        )
        for organisation in consultees:
            self.consultation(document, organisation)
        weights = [self.rng.uniform(0.5, 1.5) for _ in principles]
        for (position, principle_id), count in zip(
            principles, apportion(influence_count, weights), strict=True
        ):
            # Influence mostly comes from those consulted on the document.
            influencers = distinct_sample(
                self.rng, len(self.organisation_ids), count, consultees, count
            )
            for organisation in influencers:
                self.influence(document, position, principle_id, organisation)
        self.expectations(document)
        self.absence(document)
        self.assessments(document)
        self.relations(document)

    def principle(self, document: SyntheticDocument, position: int) -> tuple[int, int]:
        rng = self.rng
        statement = (
            f"{rng.choice(PRINCIPLE_SUBJECTS)} should {rng.choice(PRINCIPLE_ACTIONS)} "
            f"{rng.choice(PRINCIPLE_OBJECTS)}."
        )
        principle_id = self.buffer.add(
            Principle,
            document_id=document.id,
            position=position,
            title=f"Principle {position}: {document.topic}" if rng.random() < 0.5 else None,
            text=statement,
        )
        if document.id in self.texts:
            self.texts[document.id].append(f"{position}. {statement}")
        return position, principle_id

    def consultation(self, document: SyntheticDocument, organisation: int) -> None:
        role = self.roles.pick(self.rng)
        name = self.organisation_names[organisation]
        consultation_id = self.buffer.add(
            Consultation,
            document_id=document.id,
            organisation_id=self.organisation_ids[organisation],
            role=role,
            summary=f"{name} took part in developing the document."
            if self.rng.random() < 0.3
            else None,
        )
        quote = f"{name} {ROLE_PHRASES[role]} the {document.title}."
        self.evidence(document, "consultation_id", consultation_id, quote)

    def influence(
        self, document: SyntheticDocument, position: int, principle_id: int, organisation: int
    ) -> None:
        effect = self.effects.pick(self.rng)
        name = self.organisation_names[organisation]
        influence_id = self.buffer.add(
            Influence,
            organisation_id=self.organisation_ids[organisation],
            principle_id=principle_id,
            effect=effect,
            summary=None,
        )
        quote = f"Principle {position} {EFFECT_PHRASES[effect]} {name}."
        self.evidence(document, "influence_id", influence_id, quote)

    def expectations(self, document: SyntheticDocument) -> None:
        rng = self.rng
        expected: set[tuple[int | None, int | None, ExpectationBasis]] = set()
        for _ in range(rng.randint(1, 4)):
            basis = self.bases.pick(rng)
            group_id: int | None = None
            organisation_id: int | None = None
            if rng.random() < EXPECTED_GROUP_SHARE:
                group_id, target = rng.choice(self.groups)
            else:
                organisation = rng.randrange(len(self.organisation_ids))
                organisation_id = self.organisation_ids[organisation]
                target = self.organisation_names[organisation]
            if (group_id, organisation_id, basis) in expected:
                continue  # one expectation per party and basis, as the register keys them
            expected.add((group_id, organisation_id, basis))
            reason = EXPECTATION_REASONS[basis].format(
                target=target, title=document.title, topic=document.topic
            )
            expectation_id = self.buffer.add(
                Expectation,
                document_id=document.id,
                group_id=group_id,
                organisation_id=organisation_id,
                basis=basis,
                reason=reason,
            )
            self.evidence(document, "expectation_id", expectation_id, reason)

    def absence(self, document: SyntheticDocument) -> None:
        rng = self.rng
        if rng.random() >= ABSENCE_SHARE:
            return
        group_id, name = rng.choice(self.groups)
        summary = f"No organisation of {name} is named among those consulted on the document."
        absence_id = self.buffer.add(
            Absence,
            document_id=document.id,
            group_id=group_id,
            organisation_id=None,
            summary=summary,
        )
        quote = f"The {document.title} names no organisation of {name} among those it consulted."
        self.evidence(document, "absence_id", absence_id, quote)

    def assessments(self, document: SyntheticDocument) -> None:
        rng = self.rng
        if rng.random() >= ASSESSED_SHARE:
            return
        for kind in rng.sample(ASSESSMENT_KINDS, rng.randint(1, 2)):
            undertaken = rng.random() < 0.6
            assessment_id = self.buffer.add(
                ImpactAssessment,
                document_id=document.id,
                kind=kind,
                undertaken=undertaken,
                outcome=rng.choice(ASSESSMENT_OUTCOMES) if undertaken else None,
                date=document.published_on - dt.timedelta(days=rng.randint(10, 120))
                if undertaken
                else None,
                date_precision=DatePrecision.DAY,
                reference=f"{kind}/{document.published_on.year}/{document.index + 1}"
                if undertaken
                else None,
            )
            outcome = "was undertaken" if undertaken else "was not undertaken"
            quote = f"An {kind} {outcome} for the {document.title}."
            self.evidence(document, "impact_assessment_id", assessment_id, quote)

    def relations(self, document: SyntheticDocument) -> None:
        """Links to earlier documents only, so a relation never points at itself."""
        rng = self.rng
        if document.index == 0 or rng.random() >= RELATED_SHARE:
            return
        targets = {rng.randrange(document.index) for _ in range(rng.randint(1, 2))}
        for target_index in sorted(targets):
            target = self.documents[target_index]
            kind = self.relation_kinds.pick(rng)
            relation_id = self.buffer.add(
                DocumentRelation,
                document_id=document.id,
                kind=kind,
                target_id=target.id,
                note=None,
            )
            quote = f"This document {RELATION_PHRASES[kind]} the {target.title}."
            self.evidence(document, "relation_id", relation_id, quote)

    def evidence(
        self, document: SyntheticDocument, claim_column: str, claim_id: int, quote: str
    ) -> None:
        """One quote, now and then two, mostly from the document the claim is about."""
        rng = self.rng
        count = 2 if rng.random() < SECOND_EVIDENCE_SHARE else 1
        cited: set[tuple[int, str]] = set()
        for position in range(count):
            own = position == 0 and rng.random() < OWN_SOURCE_SHARE
            source = document if own else self.other_source()
            locator = self.locator()
            if (source.id, locator) in cited:
                continue  # the same quote at the same place is one piece of evidence
            cited.add((source.id, locator))
            claims = dict.fromkeys(CLAIM_COLUMNS)
            claims[claim_column] = claim_id
            self.buffer.add(
                Evidence,
                source_id=source.id,
                locator=locator,
                quote=quote,
                confidence=self.confidences.pick(rng),
                position=position + 1,  # 1-based, as the loader numbers a claim's evidence
                **self.checked(source, quote),
                **claims,
            )

    def checked(self, source: SyntheticDocument, quote: str) -> dict[str, Any]:
        """The quote's verification columns, as db.quotes decides them: found in the source's
        stored text (built of its quoted passages, in order), or read at its address. Every
        row holds every column: the rows are inserted together."""
        passages = self.texts.get(source.id)
        if passages is None:
            return {
                "verification": VerificationStatus.UNVERIFIED,
                "match_start": None,
                "match_end": None,
                "url": f"https://synthetic.example/documents/{source.id}",
                "read_on": source.published_on,
            }
        passages.append(quote)
        # The text so far, normalised a passage at a time: later passages only ever follow
        # this one, so where the quote is first found stays put.
        so_far, length = self.normalised.get(source.id, (Normalised("", []), 0))
        for passage in passages[self.normalised_passages.get(source.id, 0) :]:
            so_far, length = joined(so_far, length, passage)
        self.normalised[source.id] = (so_far, length)
        self.normalised_passages[source.id] = len(passages)
        found = find_in(so_far, quote)
        assert found is not None
        return {
            "verification": VerificationStatus.VERIFIED,
            "match_start": found[0],
            "match_end": found[1],
            "url": None,
            "read_on": None,
        }

    def other_source(self) -> SyntheticDocument:
        """An FOI response where there is one: the usual second record of a consultation."""
        pool = self.foi_responses or range(len(self.documents))
        return self.documents[self.rng.choice(pool)]

    def locator(self) -> str:
        rng = self.rng
        form = rng.randrange(3)
        if form == 0:
            return f"p. {rng.randint(1, 60)}"
        if form == 1:
            return f"section {rng.randint(1, 9)}.{rng.randint(1, 12)}"
        return f"paragraph {rng.randint(1, 120)}"

    # ------------------------------------------------------------ FOI and stored texts

    def foi_requests(self) -> None:
        rng = self.rng
        # Each response answers one request; requests beyond them still wait for an answer.
        responses = [self.documents[index] for index in self.foi_responses]
        rng.shuffle(responses)
        for number in range(1, max(1, self.document_count // DOCUMENTS_PER_FOI_REQUEST) + 1):
            response = responses.pop() if responses else None
            subject = rng.choice(self.documents)
            received_on = subject.published_on + dt.timedelta(days=rng.randint(30, 1500))
            request_id = self.buffer.add(
                FoiRequest,
                reference=f"{self.prefix.upper()}{number:04d}",
                authority_id=self.organisation_ids[subject.publisher],
                received_on=received_on,
                responded_on=received_on + dt.timedelta(days=rng.randint(10, 40)),
                subject_id=subject.id,
                response_id=None if response is None else response.id,
                summary=f"Who was consulted on the {subject.title}?",
            )
            questions = rng.sample(FOI_QUESTIONS, rng.randint(2, len(FOI_QUESTIONS)))
            for position, question in enumerate(questions, start=1):
                outcome = self.foi_outcomes.pick(rng)
                text = question.format(title=subject.title, topic=subject.topic)
                self.buffer.add(
                    FoiQuestion,
                    request_id=request_id,
                    number=position,
                    text=text,
                    answer=FOI_ANSWERS[outcome],
                    outcome=outcome,
                )
                if response is not None and response.id in self.texts:
                    # A response quotes each question before answering it.
                    answer = FOI_ANSWERS[outcome]
                    self.texts[response.id].extend((text, answer) if answer else (text,))

    def stored_texts(self) -> None:
        """Texts built from the passages quoted from them, so every quote is found in its source."""
        for document_id, passages in self.texts.items():
            self.buffer.add_keyed(
                DocumentText,
                document_id=document_id,
                text="\n\n".join(passages),
                note="Synthetic: its principles and every passage quoted from it.",
            )


# ---------------------------------------------------------------- reading and locking


async def lock_tables(connection: AsyncConnection) -> None:
    """Hold off other writers, so the ids read next stay free until this run commits."""
    if connection.dialect.name == "postgresql":
        tables = ", ".join(model.__tablename__ for model in WRITE_ORDER)
        await connection.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))


async def refuse_if_present(connection: AsyncConnection, seed: int) -> None:
    prefix = prefix_for(seed)
    if await queries.slug_prefix_taken(connection, prefix):
        raise SyntheticRegisterExists(
            f"the synthetic register {prefix}* is already present; choose another seed"
        )


async def advance_sequences(connection: AsyncConnection, written: Mapping[str, int]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the new rows."""
    if connection.dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        if written[table]:
            await connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, 'id'), max(id)) FROM {table}"
                ).bindparams(table=table)
            )


async def refresh_statistics(connection: AsyncConnection, written: Mapping[str, int]) -> None:
    """Bulk loads leave the planner's row estimates stale, and stale estimates pick plans that
    take seconds instead of milliseconds (measured: search on 2,000 documents timed out)."""
    for table in written:
        if written[table]:
            await connection.execute(text(f"ANALYZE {table}"))
    if connection.dialect.name == "postgresql":
        # The search index is a plain table there (an FTS5 virtual table on SQLite).
        await connection.execute(text("ANALYZE search_index"))


# ---------------------------------------------------------------- entry points


async def generate_register(
    sessionmaker: async_sessionmaker[AsyncSession], *, documents: int, seed: int = 1
) -> SyntheticReport:
    """Add the synthetic register of `documents` documents for `seed`, in one transaction."""
    if documents < 1:
        raise ValueError("a synthetic register needs at least one document")
    if seed < 0:
        raise ValueError("the seed must not be negative")
    async with sessionmaker.begin() as session:
        connection = await session.connection()
        await lock_tables(connection)
        await refuse_if_present(connection, seed)
        ids = await queries.next_free_ids(connection, ID_TABLES)
        synthesiser = Synthesiser(seed, documents, await queries.group_names(connection), ids)
        writer = RowWriter(connection)
        for batch in synthesiser.batches():
            await writer.write(batch)
        await advance_sequences(connection, writer.written)
        await refresh_statistics(connection, writer.written)
    return SyntheticReport(seed=seed, documents=documents, rows=writer.written)


async def generate_into(url: str, *, documents: int, seed: int = 1) -> SyntheticReport:
    """`footprint seed --synthetic N --random-seed S`: a whole run against one database URL."""
    engine = create_engine(url)
    try:
        return await generate_register(create_sessionmaker(engine), documents=documents, seed=seed)
    finally:
        await engine.dispose()
