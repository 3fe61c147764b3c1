"""The GraphQL schema: `types/` (what the API shows), `mutations/` (what editors change) and
`reads/` (limits, loaders, pagination, and `compiler/`, which answers a read in one SQL
statement), with the errors and ids they share."""

from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.errors import ErrorPolicy
from schema.mutations.claims import ClaimMutation
from schema.mutations.consultations import ConsultationMutation
from schema.mutations.documents import DocumentMutation
from schema.mutations.evidence import EvidenceMutation
from schema.mutations.foi import FoiMutation
from schema.mutations.gaps import GapMutation
from schema.mutations.groups import StakeholderGroupMutation
from schema.mutations.lineage import LineageMutation
from schema.mutations.merging import OrganisationMergeMutation
from schema.mutations.organisations import OrganisationMutation
from schema.mutations.principles import PrincipleMutation
from schema.mutations.source_texts import SourceTextMutation
from schema.mutations.topics import TopicMutation
from schema.reads.limits import QueryLimits, limit_extensions
from schema.types.analysis import AnalysisQuery
from schema.types.answers import AnswerQuery
from schema.types.audit import AuditQuery
from schema.types.consultations import Consultation
from schema.types.documents import Document, Principle
from schema.types.duplicates import DuplicateMutation, DuplicateQuery
from schema.types.foi import FoiRequest
from schema.types.organisations import Organisation, StakeholderGroup
from schema.types.query import RegisterQuery
from schema.types.search import SearchQuery
from schema.types.topics import Topic, TopicQuery

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
        DuplicateQuery,
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
        GapMutation,
        StakeholderGroupMutation,
        LineageMutation,
        FoiMutation,
        TopicMutation,
        EvidenceMutation,
        SourceTextMutation,
        OrganisationMergeMutation,
        DuplicateMutation,
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
    limits = limits or QueryLimits()
    policy: list[Extension] = (
        [
            lambda: ErrorPolicy(suggestions=limits.introspection),
            *limit_extensions(limits),
        ]
        if policies
        else []
    )
    return FootprintSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[*policy, *extensions],
        config=StrawberryConfig(auto_camel_case=True),
    )
