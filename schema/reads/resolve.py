"""Small resolver helpers shared by the domain modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from db import models
from schema.context import Info, loaders

if TYPE_CHECKING:
    from schema.types.consultations import Evidence
    from schema.types.documents import Document
    from schema.types.organisations import Organisation

K = TypeVar("K")
V = TypeVar("V")


async def required(loader: DataLoader[K, V | None], key: K) -> V:
    """Load a row that a foreign key guarantees; its absence is a bug, not a user error."""
    row = await loader.load(key)
    if row is None:
        raise LookupError(f"dangling reference {key!r}")
    return row


async def evidence_of(
    info: Info, claim: InstrumentedAttribute[int | None], claim_id: int
) -> list[Evidence]:
    """The evidence for one claim (consultation, influence...), in the order recorded."""
    from schema.types.consultations import Evidence

    loader = loaders(info).children(claim, models.Evidence.position, models.Evidence.id)
    rows: list[Any] = await loader.load(claim_id)
    return [Evidence.from_row(row) for row in rows]


async def document(info: Info, document_id: int) -> Document:
    from schema.types.documents import Document

    return Document.from_row(await required(loaders(info).by_id(models.Document), document_id))


async def optional_document(info: Info, document_id: int | None) -> Document | None:
    """An optional link: null when unset, or when the document is hidden from this reader."""
    from schema.types.documents import Document

    if document_id is None:
        return None
    row = await loaders(info).by_id(models.Document).load(document_id)
    return None if row is None else Document.from_row(row)


async def organisation(info: Info, organisation_id: int) -> Organisation:
    from schema.types.organisations import Organisation

    row = await required(loaders(info).by_id(models.Organisation), organisation_id)
    return Organisation.from_row(row)


async def optional_organisation(info: Info, organisation_id: int | None) -> Organisation | None:
    """An optional link: null when unset, or when the organisation is hidden from this reader."""
    from schema.types.organisations import Organisation

    if organisation_id is None:
        return None
    row = await loaders(info).by_id(models.Organisation).load(organisation_id)
    return None if row is None else Organisation.from_row(row)
