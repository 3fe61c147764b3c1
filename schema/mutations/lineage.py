"""A document's own versions, and its relations to other documents (with evidence)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models, queries, rules
from db.enums import DocumentRelationKind
from schema.context import Actor, Info
from schema.mutations.editing import (
    RETRACTING,
    EditRefused,
    audited_insert,
    create_once,
    publishing,
    publishing_change,
    retract_once,
    row_state,
    update_once,
)
from schema.mutations.evidence_input import (
    EvidenceInput,
    adding_evidence,
    check_evidence,
    check_position,
    existing,
    found_by_id,
    given_values,
    slug_id,
    state_with_evidence,
)
from schema.mutations.validation import MAX_NAME, MAX_TEXT, Checks
from schema.types.documents import DocumentRelation, DocumentVersion

# ---------------------------------------------------------------- versions

VERSION = "document_version"
MAX_LABEL = 50
_version_state = row_state(models.DocumentVersion)


@strawberry.input(description="A version of a document, as the document lists it.")
class DocumentVersionInput:
    document: str = strawberry.field(description="The document's slug.")
    label: str = strawberry.field(description='As the source writes it: "V1", "V1.1", "1.2".')
    date: dt.date | None = None
    changes: str | None = None
    author: str | None = None
    position: int | None = strawberry.field(
        default=None, description="Its place, oldest first; by default after the last one."
    )
    published: bool = publishing()


@strawberry.input(description="Changes to a document version: only the fields given change.")
class DocumentVersionChanges:
    label: str | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    changes: str | None = strawberry.UNSET
    author: str | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The document version as it is after the change.")
class DocumentVersionSaved:
    document_version: DocumentVersion


DocumentVersionPayload = Annotated[
    DocumentVersionSaved | EditRefused, strawberry.union("DocumentVersionPayload")
]


def _check_version(checks: Checks, prefix: str, values: dict[str, Any]) -> None:
    if values.get("label") is not None:
        checks.text(f"{prefix}.label", values["label"], MAX_LABEL, required=True)
    if "changes" in values:
        checks.text(f"{prefix}.changes", values["changes"], MAX_TEXT)
    if "author" in values:
        checks.text(f"{prefix}.author", values["author"], MAX_NAME)
    if "position" in values:
        check_position(checks, f"{prefix}.position", values["position"])


async def _label_taken(
    session: AsyncSession, document_id: int, label: str, version_id: int | None = None
) -> bool:
    return await queries.taken(
        session, models.DocumentVersion, {"document_id": document_id, "label": label}, version_id
    )


async def _version_saved(session: AsyncSession, version_id: int) -> DocumentVersionSaved:
    row = (await queries.by_ids(session, models.DocumentVersion, [version_id]))[version_id]
    return DocumentVersionSaved(document_version=DocumentVersion.from_row(row))


# ---------------------------------------------------------------- relations

RELATION = "document_relation"
MAX_NOTE = MAX_TEXT
_relation_state = state_with_evidence(models.DocumentRelation, models.Evidence.relation_id)


@strawberry.input(description="`document` --kind--> `target`, with evidence.")
class DocumentRelationInput:
    document: str = strawberry.field(description="The document's slug.")
    kind: DocumentRelationKind
    target: str = strawberry.field(description="The other document's slug.")
    note: str | None = None
    evidence: list[EvidenceInput]
    published: bool = publishing()


@strawberry.input(description="Changes to a document relation: only the fields given change.")
class DocumentRelationChanges:
    kind: DocumentRelationKind | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    published: bool | None = publishing_change()


@strawberry.type(description="The relation as it is after the change.")
class DocumentRelationSaved:
    document_relation: DocumentRelation


DocumentRelationPayload = Annotated[
    DocumentRelationSaved | EditRefused, strawberry.union("DocumentRelationPayload")
]


async def _relation_taken(
    session: AsyncSession,
    document_id: int,
    kind: DocumentRelationKind,
    target_id: int,
    relation_id: int | None = None,
) -> bool:
    return await queries.taken(
        session,
        models.DocumentRelation,
        {"document_id": document_id, "kind": kind, "target_id": target_id},
        relation_id,
    )


async def _relation_saved(session: AsyncSession, relation_id: int) -> DocumentRelationSaved:
    row = (await queries.by_ids(session, models.DocumentRelation, [relation_id]))[relation_id]
    return DocumentRelationSaved(
        document_relation=DocumentRelation.from_row(row, other_id=row.target_id)
    )


@strawberry.type
class LineageMutation:
    # ------------------------------------------------------------ versions

    @strawberry.mutation(description="Add a version to a document's list of its versions.")
    async def create_document_version(
        self, info: Info, input: DocumentVersionInput, idempotency_key: str | None = None
    ) -> DocumentVersionPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.label", input.label, MAX_LABEL, required=True)
            _check_version(
                checks,
                "input",
                {"changes": input.changes, "author": input.author, "position": input.position},
            )
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            if document_id is not None and await _label_taken(session, document_id, input.label):
                checks.broken(
                    "input.label",
                    rules.DUPLICATE_VERSION,
                    "The document has a version with this label.",
                )
            checks.done()
            position = input.position
            if position is None:
                last = await session.scalar(
                    select(func.max(models.DocumentVersion.position)).where(
                        models.DocumentVersion.document_id == document_id
                    )
                )
                position = (last or 0) + 1
            row = models.DocumentVersion(
                document_id=document_id,
                position=position,
                label=input.label,
                date=input.date,
                changes=input.changes,
                author=input.author,
                published=input.published,
            )
            return await audited_insert(session, info, actor, VERSION, row, _version_state)

        return await create_once(
            info, idempotency_key, "createDocumentVersion", asdict(input), create, _version_saved
        )

    @strawberry.mutation(
        description="Change a document version at the version you read; a stale one is a CONFLICT."
    )
    async def update_document_version(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        changes: DocumentVersionChanges,
    ) -> DocumentVersionPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.DocumentVersion, id, "document version")
            version_id, document_id = current.id, current.document_id
            checks = Checks()
            values = given_values(
                checks, "changes", changes, required=("label", "position", "published")
            )
            _check_version(checks, "changes", values)
            label = values.get("label")
            if label is not None and await _label_taken(session, document_id, label, version_id):
                checks.broken(
                    "changes.label",
                    rules.DUPLICATE_VERSION,
                    "The document has another version with this label.",
                )
            checks.done()
            return version_id, values

        return await update_once(
            info,
            VERSION,
            models.DocumentVersion,
            expected_version,
            prepare,
            _version_state,
            _version_saved,
        )

    # ------------------------------------------------------------ relations

    @strawberry.mutation(
        description="Record that a document supersedes, refreshes, cites, implements or responds "
        "to another, with evidence. A document cannot be related to itself."
    )
    async def create_document_relation(
        self, info: Info, input: DocumentRelationInput, idempotency_key: str | None = None
    ) -> DocumentRelationPayload:
        async def create(session: AsyncSession, actor: Actor) -> int:
            checks = Checks()
            checks.text("input.note", input.note, MAX_NOTE)
            document_id = await slug_id(
                session, checks, models.Document, "input.document", input.document, "document"
            )
            target_id = await slug_id(
                session, checks, models.Document, "input.target", input.target, "document"
            )
            if input.document == input.target:
                checks.broken("input.target", rules.RELATION_TO_ITSELF)
            evidence = await check_evidence(session, checks, "input.evidence", input.evidence)
            checks.done()
            assert document_id is not None and target_id is not None
            if await _relation_taken(session, document_id, input.kind, target_id):
                checks.broken(
                    "input.kind",
                    rules.DUPLICATE_RELATION,
                    "These documents are related so already.",
                )
                checks.done()
            row = models.DocumentRelation(
                document_id=document_id,
                kind=input.kind,
                target_id=target_id,
                note=input.note,
                published=input.published,
            )
            add = adding_evidence(session, "relation_id", evidence)
            return await audited_insert(session, info, actor, RELATION, row, _relation_state, add)

        return await create_once(
            info,
            idempotency_key,
            "createDocumentRelation",
            asdict(input),
            create,
            _relation_saved,
        )

    @strawberry.mutation(description="Change a relation's kind or note at the version you read.")
    async def update_document_relation(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        changes: DocumentRelationChanges,
    ) -> DocumentRelationPayload:
        async def prepare(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            current = await existing(session, models.DocumentRelation, id, "document relation")
            relation_id, document_id, target_id = current.id, current.document_id, current.target_id
            checks = Checks()
            values = given_values(checks, "changes", changes, required=("kind", "published"))
            if "note" in values:
                checks.text("changes.note", values["note"], MAX_NOTE)
            kind = values.get("kind")
            if kind is not None and await _relation_taken(
                session, document_id, kind, target_id, relation_id
            ):
                checks.broken(
                    "changes.kind",
                    rules.DUPLICATE_RELATION,
                    "These documents are related so already.",
                )
            checks.done()
            return relation_id, values

        return await update_once(
            info,
            RELATION,
            models.DocumentRelation,
            expected_version,
            prepare,
            _relation_state,
            _relation_saved,
        )

    @strawberry.mutation(description=f"Retract a version from a document's list. {RETRACTING}")
    async def retract_document_version(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> DocumentVersionPayload:
        find = found_by_id(models.DocumentVersion, id, "document version")
        return await retract_once(
            info,
            VERSION,
            models.DocumentVersion,
            expected_version,
            reason,
            find,
            _version_state,
            _version_saved,
        )

    @strawberry.mutation(
        description=f"Retract a relation between documents, and its evidence. {RETRACTING}"
    )
    async def retract_document_relation(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> DocumentRelationPayload:
        find = found_by_id(models.DocumentRelation, id, "document relation")
        return await retract_once(
            info,
            RELATION,
            models.DocumentRelation,
            expected_version,
            reason,
            find,
            _relation_state,
            _relation_saved,
        )
