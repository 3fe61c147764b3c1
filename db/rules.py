"""The register's uniqueness and consistency rules, each written once with its refusal code.

Every way in calls these: the mutations (schema/mutations/*), the import and the seed loader
(seeds/checks.py) and the spreadsheet import (seeds/csv_import.py). A rule's `code` is what
the editor sees as `rule` on a refused mutation and beside the line of a refused import, so
the same mistake is refused with the same code whichever way it came in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries

# The broad codes a mutation's error carries beside its rule (see schema/mutations/editing.py).
DUPLICATE = "DUPLICATE"
INVALID = "BAD_USER_INPUT"


@dataclass(frozen=True)
class Rule:
    """One rule: its code, what it protects, and the sentence an editor reads when refused."""

    code: str
    what: str
    message: str
    category: str = INVALID


@dataclass(frozen=True)
class UniqueRule(Rule):
    """No two rows of `model` hold the same values in `columns` (retracted rows count too:
    an export holds them, and the import matches rows by these columns)."""

    model: type[models.Base] | None = None
    columns: tuple[str, ...] = ()
    category: str = DUPLICATE

    def key(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The rule's key of a row or record given as column → value."""
        return tuple(values[column] for column in self.columns)

    async def taken(
        self, session: AsyncSession, values: Mapping[str, Any], except_id: int | None = None
    ) -> bool:
        """Whether another row already holds this key."""
        assert self.model is not None
        key = dict(zip(self.columns, self.key(values), strict=True))
        return await queries.taken(session, self.model, key, except_id)


def unique(
    code: str, what: str, message: str, model: type[models.Base], *columns: str
) -> UniqueRule:
    return UniqueRule(code=code, what=what, message=message, model=model, columns=columns)


SLUG_TAKEN = Rule(
    "SLUG_TAKEN", "slug", "A record of this kind has this slug already.", category=DUPLICATE
)
UNKNOWN_REFERENCE = Rule("UNKNOWN_REFERENCE", "reference", "No record has this slug.")
# A list repeating an item is bad input (as it always was), not a clash with a stored record.
DUPLICATE_ALIAS = Rule("DUPLICATE_ALIAS", "alias", "An alias is given twice for one organisation.")
DUPLICATE_MEMBERSHIP = Rule(
    "DUPLICATE_MEMBERSHIP", "group", "A group is given twice for one organisation."
)
MERGED_INTO_ITSELF = Rule(
    "MERGED_INTO_ITSELF", "merge", "An organisation cannot be merged into itself."
)
DUPLICATE_VERSION = unique(
    "DUPLICATE_VERSION",
    "version label",
    "The document has a version with this label.",
    models.DocumentVersion,
    "document_id",
    "label",
)
DUPLICATE_PRINCIPLE = unique(
    "DUPLICATE_PRINCIPLE",
    "principle position",
    "The document has a principle at this position.",
    models.Principle,
    "document_id",
    "position",
)
POSITION_RANGE = Rule("POSITION_RANGE", "position", "Positions start at 1.")
DUPLICATE_INFLUENCE = unique(
    "DUPLICATE_INFLUENCE",
    "influence",
    "This organisation has this effect on this principle already.",
    models.Influence,
    "principle_id",
    "organisation_id",
    "effect",
)
DUPLICATE_RELATION = unique(
    "DUPLICATE_RELATION",
    "relation",
    "These documents are related so already.",
    models.DocumentRelation,
    "document_id",
    "kind",
    "target_id",
)
RELATION_TO_ITSELF = Rule(
    "RELATION_TO_ITSELF", "relation", "A document cannot be related to itself."
)
EVIDENCE_REQUIRED = Rule(
    "EVIDENCE_REQUIRED", "evidence", "Every claim needs at least one piece of evidence."
)
DUPLICATE_CONSULTATION = unique(
    "DUPLICATE_CONSULTATION",
    "consultation",
    "This organisation is recorded in this role on this document already.",
    models.Consultation,
    "document_id",
    "organisation_id",
    "role",
)
DUPLICATE_IMPACT_ASSESSMENT = unique(
    "DUPLICATE_IMPACT_ASSESSMENT",
    "impact assessment kind",
    "The document has an impact assessment of this kind already: change that one.",
    models.ImpactAssessment,
    "document_id",
    "kind",
)
DUPLICATE_EXPECTATION = unique(
    "DUPLICATE_EXPECTATION",
    "expectation",
    "This expectation (the same group or organisation, on the same basis) is recorded on "
    "this document already: add evidence to it instead.",
    models.Expectation,
    "document_id",
    "group_id",
    "organisation_id",
    "basis",
)
DUPLICATE_ABSENCE = unique(
    "DUPLICATE_ABSENCE",
    "absence",
    "An absence of this party from this document is recorded already: add evidence to it instead.",
    models.Absence,
    "document_id",
    "group_id",
    "organisation_id",
)
DUPLICATE_OMISSION = unique(
    "DUPLICATE_OMISSION",
    "topic not covered",
    "This document is recorded as leaving this topic out already.",
    models.TopicOmission,
    "document_id",
    "topic_id",
)
COVERED_AND_OMITTED = Rule(
    "COVERED_AND_OMITTED",
    "topic",
    "A document cannot both cover a topic (itself or through a principle) and leave it out.",
)
DUPLICATE_TOPIC = Rule("DUPLICATE_TOPIC", "topic", "A topic is given twice.")
# Evidence is matched by its claim, source, locator and quote; the claim column varies.
DUPLICATE_EVIDENCE = Rule(
    "DUPLICATE_EVIDENCE",
    "evidence",
    "The claim has this evidence already (the same source, locator and quote).",
    DUPLICATE,
)
QUOTE_NOT_IN_SOURCE = Rule(
    "QUOTE_NOT_IN_SOURCE",
    "quote",
    "The quote is not in the stored text of its source: quotes are verbatim.",
)
DUPLICATE_FOI_REQUEST = unique(
    "DUPLICATE_FOI_REQUEST",
    "FOI request",
    "The authority has a request with this reference.",
    models.FoiRequest,
    "authority_id",
    "reference",
)
DUPLICATE_FOI_QUESTION = unique(
    "DUPLICATE_FOI_QUESTION",
    "question number",
    "The request has a question with this number.",
    models.FoiQuestion,
    "request_id",
    "number",
)
PARTY_REQUIRED = Rule(
    "PARTY_REQUIRED", "party", "Give a group or an organisation, not both or neither."
)

RULES: tuple[Rule, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Rule)
)


async def evidence_taken(
    session: AsyncSession,
    column: str,
    claim_id: int,
    source_id: int,
    locator: str,
    quote: str,
    except_id: int | None = None,
) -> bool:
    """Whether the claim holds this evidence already (`DUPLICATE_EVIDENCE`)."""
    key = {column: claim_id, "source_id": source_id, "locator": locator, "quote": quote}
    return await queries.taken(session, models.Evidence, key, except_id)


def repeated(keys: list[Any]) -> set[int]:
    """The indexes of keys that repeat an earlier one (`DUPLICATE_EVIDENCE` within one input)."""
    seen: set[Any] = set()
    found = set()
    for n, key in enumerate(keys):
        if key in seen:
            found.add(n)
        seen.add(key)
    return found
