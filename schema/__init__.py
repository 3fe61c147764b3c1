"""The GraphQL schema: one module per domain, loaders, errors and extensions."""

from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.analysis import AnalysisQuery
from schema.answers import AnswerQuery
from schema.audit import AuditQuery
from schema.claim_edits import ClaimMutation
from schema.consultation_edits import ConsultationMutation
from schema.consultations import Consultation
from schema.document_edits import DocumentMutation
from schema.documents import Document, Principle
from schema.errors import ErrorPolicy
from schema.evidence_mutations import EvidenceMutation
from schema.foi import FoiRequest
from schema.foi_edits import FoiMutation
from schema.group_edits import StakeholderGroupMutation
from schema.limits import QueryLimits, limit_extensions
from schema.lineage_edits import LineageMutation
from schema.organisation_edits import OrganisationMutation
from schema.organisation_merge import OrganisationMergeMutation
from schema.organisations import Organisation, StakeholderGroup
from schema.principle_edits import PrincipleMutation
from schema.query import RegisterQuery
from schema.search import SearchQuery
from schema.topic_edits import TopicMutation
from schema.topics import Topic, TopicQuery

# Each domain module contributes its own root fields.
Query = merge_types(
    "Query",
    (
        RegisterQuery,
        AnalysisQuery,
        AnswerQuery,
        SearchQuery,
        TopicQuery,
        AuditQuery,
    ),
)

Mutation = merge_types(
    "Mutation",
    (
        OrganisationMutation,
        DocumentMutation,
        ConsultationMutation,
        PrincipleMutation,
        ClaimMutation,
        StakeholderGroupMutation,
        LineageMutation,
        FoiMutation,
        TopicMutation,
        EvidenceMutation,
        OrganisationMergeMutation,
    ),
)

# Types only a Node field returns must be named for the schema to include them.
NODE_TYPES = [Document, Principle, Organisation, StakeholderGroup, Consultation, FoiRequest, Topic]


class FootprintSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are not logged; ErrorPolicy logs unexpected ones with the request id."""


Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    extensions: Sequence[Extension] = (),
    limits: QueryLimits | None = None,
    *,
    policies: bool = True,
) -> strawberry.Schema:
    """The schema, with the policies every request passes through (error codes and masking,
    the query limits: defaults unless given) and any further extensions. `policies=False`
    leaves the policies out, only for the benchmark to weigh them."""
    policy: list[Extension] = (
        [ErrorPolicy, *limit_extensions(limits or QueryLimits())] if policies else []
    )
    return FootprintSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[*policy, *extensions],
        config=StrawberryConfig(auto_camel_case=True),
    )
