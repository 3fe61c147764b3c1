"""Freedom of Information requests, their numbered questions and the answers given."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from db import models
from schema.context import Info, loaders
from schema.ids import global_id
from schema.reads import resolve
from schema.reads.bounds import paged
from schema.types.enums import FoiOutcome
from schema.types.node import Edited, Node

if TYPE_CHECKING:
    from schema.types.documents import Document
    from schema.types.organisations import Organisation

DocumentType = Annotated["Document", strawberry.lazy("schema.types.documents")]
OrganisationType = Annotated["Organisation", strawberry.lazy("schema.types.organisations")]


@strawberry.type
class FoiQuestion(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "foi_question"
    id: strawberry.ID = strawberry.field(description="Pass it to updateFoiQuestion.")
    number: int
    text: str
    answer: str | None
    outcome: FoiOutcome

    @classmethod
    def from_row(cls, row: models.FoiQuestion) -> "FoiQuestion":
        return cls(
            id=strawberry.ID(global_id("FoiQuestion", row.id)),
            number=row.number,
            text=row.text,
            answer=row.answer,
            outcome=row.outcome,
            version=row.version,
            published=row.published,
            db_id=row.id,
        )


@strawberry.type(description="A request under the Freedom of Information Act and its answer.")
class FoiRequest(Node, Edited):
    AUDIT_ENTITY: ClassVar[str] = "foi_request"
    id: strawberry.ID
    reference: str = strawberry.field(description='As the authority writes it: "059/19".')
    received_on: dt.date | None
    responded_on: dt.date | None
    summary: str | None
    db_id: strawberry.Private[int]
    authority_id: strawberry.Private[int]
    subject_id: strawberry.Private[int | None]
    response_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.FoiRequest) -> "FoiRequest":
        return cls(
            id=strawberry.ID(global_id("FoiRequest", row.id)),
            reference=row.reference,
            received_on=row.received_on,
            responded_on=row.responded_on,
            summary=row.summary,
            version=row.version,
            published=row.published,
            db_id=row.id,
            authority_id=row.authority_id,
            subject_id=row.subject_id,
            response_id=row.response_id,
        )

    @strawberry.field(description="The public authority that answered.")
    async def authority(self, info: Info) -> OrganisationType:
        return await resolve.organisation(info, self.authority_id)

    @strawberry.field(description="The document the request asks about.")
    async def subject(self, info: Info) -> DocumentType | None:
        return await resolve.optional_document(info, self.subject_id)

    @strawberry.field(description="The response itself, as a source document.")
    async def response(self, info: Info) -> DocumentType | None:
        return await resolve.optional_document(info, self.response_id)

    @strawberry.field(extensions=[paged(50)], description="In the order the request numbers them.")
    async def questions(self, info: Info) -> list[FoiQuestion]:
        loader = loaders(info).children(models.FoiQuestion.request_id, models.FoiQuestion.number)
        return [FoiQuestion.from_row(row) for row in await loader.load(self.db_id)]
