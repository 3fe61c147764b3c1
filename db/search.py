"""Full-text search over the register: one function, each backend's native feature behind it.

The index is the table `search_index`: one row per searchable field of a record (a document's
title or stored text, a principle, an organisation's name or an alias, an evidence quote),
with `kind` saying which field and `ref_id` which row. Triggers on the source tables, made by
migration 0003, keep it in step with every insert, update and delete, whoever writes: no writer
can forget to. On SQLite it is an FTS5 table ranked with bm25(); on PostgreSQL a table with a
stored tsvector under a GIN index, ranked with ts_rank_cd(). It is not part of the models.

From the matching rows on, both backends share one statement: each match is traced to the Node
it belongs to, the best match of each node is kept, and the nodes are ranked, counted and paged;
snippets are cut for the page's rows only. Only the first CANDIDATES matching rows the index
yields are ranked, so a search costs the same for a common word as for a rare one; past that
the count is a lower bound and the page is marked approximate.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    FromClause,
    Integer,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    Text,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import (
    Absence,
    Base,
    Consultation,
    Document,
    DocumentRelation,
    Evidence,
    Expectation,
    ImpactAssessment,
    Influence,
    Organisation,
    OrganisationAlias,
    Principle,
    TopicOmission,
)

INDEX = "search_index"
# FTS5 keeps an FTS5 table's data in these tables beside it.
_FTS5_SHADOW_TABLES = {
    f"{INDEX}_{part}" for part in ("data", "idx", "content", "docsize", "config")
}

search_index = Table(
    INDEX,
    MetaData(),  # not Base.metadata: the migration builds it, natively per backend
    Column("kind", String(16)),
    Column("ref_id", Integer),
    Column("body", Text),
    Column("words"),  # PostgreSQL only: the body's tsvector
)


class SearchField(enum.Enum):
    """Which field of a record matched."""

    TITLE = "title"  # a document's title
    TEXT = "text"  # a document's stored full text
    PRINCIPLE = "principle"  # a principle's title and text
    NAME = "name"  # an organisation's name
    ALIAS = "alias"  # another name of an organisation
    QUOTE = "quote"  # an evidence quote


# How much a match in each field counts against one in a document's text: a word in a title or
# a name says more about what the record is than the same word somewhere in a long text.
WEIGHTS = {
    SearchField.TITLE: 4.0,
    SearchField.NAME: 4.0,
    SearchField.ALIAS: 4.0,
    SearchField.PRINCIPLE: 2.0,
    SearchField.QUOTE: 1.5,
    SearchField.TEXT: 1.0,
}

NODE_MODELS: dict[str, type[Base]] = {
    model.__tablename__: model for model in (Document, Principle, Organisation, Consultation)
}

SNIPPET_START, SNIPPET_STOP, SNIPPET_CUT = "«", "»", "…"
SNIPPET_WORDS = 24
# Every character in here is ours, never the user's.
_HEADLINE_OPTIONS = (
    f"StartSel={SNIPPET_START}, StopSel={SNIPPET_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=10, "
    f'MaxFragments=2, FragmentDelimiter=" {SNIPPET_CUT} "'
)
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter: leave out the search index (and FTS5's tables), which no model holds."""
    return not (type_ == "table" and (name == INDEX or name in _FTS5_SHADOW_TABLES))


# ---------------------------------------------------------------- the user's text

_SEPARATORS = re.compile(r"[\x00-\x1f\x7f]")  # control characters, NUL among them
_WORD = re.compile(r"[^\W_]")  # a letter or a digit


def search_terms(text: str) -> list[str]:
    """The words and "quoted phrases" of a search; every one of them must match.

    Nothing in the text is an operator: a term is matched as written (stemmed), so `AND`,
    `NEAR(`, `*` or `-x` are words or nothing. An unclosed quote runs to the end of the text.
    Terms without a letter or digit could match nothing and are left out.
    """
    terms: list[str] = []
    for position, part in enumerate(_SEPARATORS.sub(" ", text).split('"')):
        chunks = [part] if position % 2 else part.split()
        terms += [" ".join(chunk.split()) for chunk in chunks if _WORD.search(chunk)]
    return terms


_NAME_WORD = re.compile(r"[^\W_]+")
# A run-together word shorter than this is left as it is: too many names would hold it.
_MIN_RUN_TOGETHER = 4


def _compacted(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """A name in lower case without spaces, hyphens, dots or apostrophes, in SQL."""
    compacted: ColumnElement[str] = func.lower(column)
    for mark in (" ", "-", ".", "'", "\u2019"):
        compacted = func.replace(compacted, mark, "")
    return compacted


async def spelled_as_names(session: AsyncSession, terms: list[str]) -> list[str]:
    """The terms, each one-word term that an organisation's name or alias writes as several
    words ("ScotPep" for SCOT-PEP) replaced by those words, as a phrase."""
    wanted = {
        term: "".join(_NAME_WORD.findall(term)).lower()
        for term in terms
        if " " not in term and len("".join(_NAME_WORD.findall(term))) >= _MIN_RUN_TOGETHER
    }
    if not wanted:
        return terms
    names: list[str] = []
    for column in (Organisation.name, OrganisationAlias.alias):
        conditions = [_compacted(column).contains(key, autoescape=True) for key in wanted.values()]
        names += await session.scalars(select(column).where(or_(*conditions)).limit(200))
    spelled: dict[str, str] = {}
    for name in names:
        words = _NAME_WORD.findall(name)
        for start in range(len(words)):
            for end in range(start + 2, len(words) + 1):
                run = "".join(words[start:end]).lower()
                for term, key in wanted.items():
                    if run == key:
                        spelled.setdefault(term, " ".join(words[start:end]))
    return [spelled.get(term, term) for term in terms]


def _query_text(terms: list[str]) -> str:
    """The terms as quoted strings: an FTS5 query and a websearch_to_tsquery() text alike.

    Inside quotes both read every character literally, and no term holds a quote.
    """
    return " ".join(f'"{term}"' for term in terms)


# ---------------------------------------------------------------- each backend's matching


@dataclass(frozen=True)
class _Backend:
    matching: ColumnElement[bool]
    relevance: ColumnElement[float]  # higher is better
    entry: list[ColumnElement[Any]]  # extra columns that find a match's index row again
    same_entry: Callable[[Subquery], ColumnElement[bool]]
    snippet: ColumnElement[str]


def _sqlite(query: ColumnElement[str]) -> _Backend:
    table: ColumnElement[Any] = literal_column(INDEX)
    rowid: ColumnElement[int] = literal_column(f"{INDEX}.rowid")
    return _Backend(
        matching=table.op("MATCH")(query),
        relevance=-func.bm25(table),
        entry=[rowid.label("entry")],
        # With MATCH as well, FTS5 reads each page row by rowid and can cut its snippet.
        same_entry=lambda page: and_(rowid == page.c.entry, table.op("MATCH")(query)),
        snippet=func.snippet(
            table, 2, SNIPPET_START, SNIPPET_STOP, SNIPPET_CUT, SNIPPET_WORDS, type_=String
        ),
    )


def _postgresql(query: ColumnElement[str]) -> _Backend:
    tsquery = func.websearch_to_tsquery(_ENGLISH, query)
    words = search_index.c.words
    return _Backend(
        matching=words.op("@@")(tsquery),
        # Normalisation 1 divides by the log of the body's length, so long texts do not win
        # by length alone.
        relevance=func.ts_rank_cd(words, tsquery, 1, type_=Float),
        entry=[],
        same_entry=lambda page: and_(
            search_index.c.kind == page.c.kind, search_index.c.ref_id == page.c.ref_id
        ),
        snippet=func.ts_headline(
            _ENGLISH, search_index.c.body, tsquery, literal(_HEADLINE_OPTIONS), type_=String
        ),
    )


# ---------------------------------------------------------------- the shared statement

# Matching index rows ranked at most: bounds the cost of a search by the page, not the matches.
CANDIDATES = 5000


def _matches(backend: _Backend) -> Subquery:
    """Every matching index row with its score and the node it belongs to."""
    kind = search_index.c.kind
    ref_id = search_index.c.ref_id
    weight = case({field.value: literal(w, Float) for field, w in WEIGHTS.items()}, value=kind)
    # An evidence quote belongs to its claim: a consultation, the principle an influence is
    # on, or else the document the claim (an expectation, assessment, relation...) is about.
    quote_node = case(
        (Evidence.consultation_id.is_not(None), Consultation.__tablename__),
        (Evidence.influence_id.is_not(None), Principle.__tablename__),
        else_=Document.__tablename__,
    )
    node = case(
        (kind.in_([SearchField.TITLE.value, SearchField.TEXT.value]), Document.__tablename__),
        (kind == SearchField.PRINCIPLE.value, Principle.__tablename__),
        (kind.in_([SearchField.NAME.value, SearchField.ALIAS.value]), Organisation.__tablename__),
        else_=quote_node,
    )
    node_id = case(
        (kind == SearchField.ALIAS.value, OrganisationAlias.organisation_id),
        (
            kind == SearchField.QUOTE.value,
            func.coalesce(
                Evidence.consultation_id,
                Influence.principle_id,
                Expectation.document_id,
                ImpactAssessment.document_id,
                DocumentRelation.document_id,
                Absence.document_id,
                TopicOmission.document_id,
            ),
        ),
        else_=ref_id,
    )
    source: FromClause = (
        search_index.outerjoin(
            OrganisationAlias,
            and_(kind == SearchField.ALIAS.value, OrganisationAlias.id == ref_id),
        )
        .outerjoin(Evidence, and_(kind == SearchField.QUOTE.value, Evidence.id == ref_id))
        .outerjoin(Influence, Influence.id == Evidence.influence_id)
        .outerjoin(Expectation, Expectation.id == Evidence.expectation_id)
        .outerjoin(ImpactAssessment, ImpactAssessment.id == Evidence.impact_assessment_id)
        .outerjoin(DocumentRelation, DocumentRelation.id == Evidence.relation_id)
        .outerjoin(Absence, Absence.id == Evidence.absence_id)
        .outerjoin(TopicOmission, TopicOmission.id == Evidence.omission_id)
    )
    return (
        select(
            kind,
            ref_id,
            (backend.relevance * weight).label("score"),
            node.label("node"),
            node_id.label("node_id"),
            *backend.entry,
        )
        .select_from(source)
        .where(backend.matching, _visible(node, node_id))
        .limit(CANDIDATES + 1)  # one more: tells whether the cap was reached
        .subquery("matches")
    )


def _visible(node: ColumnElement[str], node_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The hit's node exists for this session: through the models, the visibility rules for
    the session's audience (no drafts for readers, nothing retracted) apply to it."""
    return or_(
        *(
            and_(node == model.__tablename__, exists(select(model.id).where(model.id == node_id)))
            for model in (Document, Principle, Organisation, Consultation)
        )
    )


def _best_per_node(matches: Subquery) -> Subquery:
    place = func.row_number().over(
        partition_by=(matches.c.node, matches.c.node_id),
        order_by=(matches.c.score.desc(), matches.c.kind, matches.c.ref_id),
    )
    candidates = func.count().over().label("candidates")
    return select(matches, place.label("place"), candidates).subquery("ranked")


def _ranked(best: Subquery) -> tuple[ColumnElement[Any], ...]:
    return (best.c.score.desc(), best.c.node, best.c.node_id)


def _page_statement(backend: _Backend, *, limit: int, offset: int) -> Select[Any]:
    best = _best_per_node(_matches(backend))
    page = (
        select(best, func.count().over().label("total"))
        .where(best.c.place == 1)
        .order_by(*_ranked(best))
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return (
        select(
            page.c.node,
            page.c.node_id,
            page.c.kind,
            page.c.ref_id,
            page.c.score,
            page.c.total,
            page.c.candidates,
            backend.snippet.label("snippet"),
        )
        .select_from(page.join(search_index, backend.same_entry(page)))
        .order_by(*_ranked(page))
    )


def _count_statement(backend: _Backend) -> Select[Any]:
    matches = _matches(backend)
    nodes = select(matches.c.node, matches.c.node_id).distinct().subquery("nodes")
    rows = select(func.count()).select_from(matches).scalar_subquery()
    return select(func.count(), rows).select_from(nodes)


# ---------------------------------------------------------------- the entry point


@dataclass(frozen=True, slots=True)
class Match:
    """A node that matched: its best-matching field, how well, and the text around the match."""

    node: type[Base]
    node_id: int
    field: SearchField
    ref_id: int  # the row whose field matched: for a QUOTE, the evidence
    rank: float
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    matches: list[Match]
    has_next: bool
    total: int  # nodes matching in all; among the candidates when approximate
    approximate: bool = False  # more than CANDIDATES index rows matched


async def search(session: AsyncSession, text: str, *, limit: int, offset: int) -> SearchPage:
    """The nodes matching `text`, best first: `limit` of them after the first `offset`.

    One statement, whatever the number of matches; a second one counts them only when the
    page is past the end. The text is always a bound parameter, never part of the SQL. Only
    when nothing matches are run-together names respelled ("ScotPep" as SCOT-PEP) and the
    search made again.
    """
    terms = search_terms(text)
    if not terms:
        return SearchPage([], False, 0)
    page = await _search(session, terms, limit=limit, offset=offset)
    if page.total == 0:
        respelled = await spelled_as_names(session, terms)
        if respelled != terms:
            page = await _search(session, respelled, limit=limit, offset=offset)
    return page


async def _search(
    session: AsyncSession, terms: list[str], *, limit: int, offset: int
) -> SearchPage:
    query = bindparam("query", _query_text(terms), type_=String)
    dialect = session.get_bind().dialect.name
    backend = _sqlite(query) if dialect == "sqlite" else _postgresql(query)
    rows = (await session.execute(_page_statement(backend, limit=limit + 1, offset=offset))).all()
    approximate = False
    if rows:
        total = rows[0].total
        approximate = rows[0].candidates > CANDIDATES
    elif offset:
        total, candidates = (await session.execute(_count_statement(backend))).one()
        approximate = candidates > CANDIDATES
    else:
        total = 0
    matches = [
        Match(
            node=NODE_MODELS[row.node],
            node_id=row.node_id,
            field=SearchField(row.kind),
            ref_id=row.ref_id,
            rank=float(row.score),
            snippet=" ".join(row.snippet.split()),
        )
        for row in rows[:limit]
    ]
    return SearchPage(matches, len(rows) > limit, total, approximate)
