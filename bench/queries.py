"""The questions the benchmark asks, each as Footprint's GraphQL, PostGraphile's GraphQL and the
floor: one PostgreSQL statement that builds the same JSON body Footprint answers.

Every floor statement applies the reader's visibility rules the way a hand-written query would
(published, not retracted, reached through visible parents), so its JSON equals Footprint's;
the benchmark checks that before it measures anything.
"""

from __future__ import annotations

from dataclasses import dataclass

# A national body consulted on many documents (its page is the fullest in the register).
BUSY_ORGANISATION = "syn1-org-000058"
ANSWER_DOCUMENT = "syn1-doc-000001"
SEARCH_TEXT = "safeguarding"


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    footprint: str
    floor: str | None = None
    postgraphile: str | None = None
    sqlite: bool = False  # also measured on the embedded SQLite register
    compiled: bool = False  # answered by the compiled path on PostgreSQL (one statement)
    # What a client library sends beside the query (client-shaped variants).
    operation_name: str | None = None
    variables: dict[str, object] | None = None


def _visible(alias: str) -> str:
    return f"{alias}.published AND {alias}.retracted_at IS NULL"


NESTED = Question(
    key="a",
    compiled=True,
    title="100 documents with principles → shapedBy → organisation",
    footprint="""{ documents(first: 100) { nodes { slug title
  principles { position text shapedBy { effect organisation { slug name } } } } } }""",
    floor=f"""
SELECT json_build_object('data', json_build_object('documents', json_build_object('nodes',
  coalesce((SELECT json_agg(json_build_object(
      'slug', d.slug, 'title', d.title,
      'principles', (SELECT coalesce(json_agg(json_build_object(
          'position', p.position, 'text', p.text,
          'shapedBy', (SELECT coalesce(json_agg(json_build_object(
              'effect', i.effect,
              'organisation', json_build_object('slug', o.slug, 'name', o.name)) ORDER BY i.id),
              '[]')
            FROM influence i JOIN organisation o ON o.id = i.organisation_id AND {_visible("o")}
            WHERE i.principle_id = p.id AND {_visible("i")})) ORDER BY p.position), '[]')
        FROM principle p WHERE p.document_id = d.id AND {_visible("p")})) ORDER BY d.id)
    FROM (SELECT * FROM document d WHERE {_visible("d")} ORDER BY d.id LIMIT 100) d), '[]'))))::text
""",
    postgraphile="""{ allDocuments(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { slug title
  principlesByDocumentId(orderBy: POSITION_ASC) { nodes { position text
    influencesByPrincipleId(orderBy: PRIMARY_KEY_ASC) { nodes { effect
      organisationByOrganisationId { slug name } } } } } } } }""",
    sqlite=True,
)

CONSULTATIONS = Question(
    key="b",
    compiled=True,
    title="one organisation's consultations, 100 per page, with documents",
    footprint=f"""{{ organisation(slug: "{BUSY_ORGANISATION}") {{ consultations(first: 100) {{
  totalCount nodes {{ role document {{ slug title }} }} }} }} }}""",
    floor=f"""
WITH org AS (
  SELECT o.id FROM organisation o WHERE o.slug = '{BUSY_ORGANISATION}' AND {_visible("o")}),
visible_consultation AS (
  SELECT c.id, c.role, d.slug, d.title FROM consultation c
  JOIN document d ON d.id = c.document_id AND {_visible("d")}
  WHERE c.organisation_id = (SELECT id FROM org) AND {_visible("c")})
SELECT json_build_object('data', json_build_object('organisation',
  CASE WHEN EXISTS (SELECT 1 FROM org) THEN json_build_object('consultations', json_build_object(
    'totalCount', (SELECT count(*) FROM visible_consultation),
    'nodes', coalesce((SELECT json_agg(json_build_object(
        'role', v.role, 'document', json_build_object('slug', v.slug, 'title', v.title))
        ORDER BY v.id)
      FROM (SELECT * FROM visible_consultation ORDER BY id LIMIT 100) v), '[]'))) END))::text
""",
    postgraphile=f"""{{ organisationBySlug(slug: "{BUSY_ORGANISATION}") {{
  consultationsByOrganisationId(first: 100, orderBy: PRIMARY_KEY_ASC) {{
    totalCount nodes {{ role documentByDocumentId {{ slug title }} }} }} }} }}""",
    sqlite=True,
)

# Tree order: parents before children, siblings by position then id (as GroupTree walks it).
_GROUPS_IN_TREE_ORDER = f"""
tree AS (
  SELECT g.id, ARRAY[g.position, g.id] AS path FROM stakeholder_group g
  WHERE g.parent_id IS NULL AND {_visible("g")}
  UNION ALL
  SELECT g.id, t.path || g.position || g.id FROM stakeholder_group g
  JOIN tree t ON g.parent_id = t.id WHERE {_visible("g")}),
closure AS (
  SELECT id AS ancestor, id AS member FROM tree
  UNION ALL
  SELECT c.ancestor, g.id FROM closure c JOIN stakeholder_group g ON g.parent_id = c.member
  WHERE {_visible("g")})"""

MATRIX = Question(
    key="c",
    compiled=True,
    title="the coverage matrix: a page of 100 documents × every stakeholder group",
    footprint="""{ coverageMatrix(first: 100) { columns { slug }
  rows { document { slug } cells { status expected gap organisationCount } } } }""",
    floor=f"""
WITH RECURSIVE {_GROUPS_IN_TREE_ORDER},
docs AS (SELECT d.id, d.slug FROM document d WHERE {_visible("d")} ORDER BY d.id LIMIT 100),
took_part AS (
  SELECT c.document_id, cl.ancestor AS group_id, count(DISTINCT c.organisation_id) AS organisations
  FROM consultation c
  JOIN organisation o ON o.id = c.organisation_id AND {_visible("o")}
  JOIN organisation_group og ON og.organisation_id = c.organisation_id
  JOIN closure cl ON cl.member = og.group_id
  WHERE c.document_id IN (SELECT id FROM docs) AND {_visible("c")}
    AND c.role IN ('CONSULTED', 'ADVISOR', 'PARTNER', 'CO_DEVELOPER', 'REVIEWER',
                   'SUBMITTED_WRITTEN_EVIDENCE', 'GAVE_ORAL_EVIDENCE')
  GROUP BY 1, 2),
absent AS (
  SELECT DISTINCT a.document_id, cl.member AS group_id FROM absence a
  JOIN closure cl ON cl.ancestor = a.group_id
  WHERE a.document_id IN (SELECT id FROM docs) AND {_visible("a")}),
expected AS (
  SELECT DISTINCT e.document_id, e.group_id FROM expectation e
  WHERE e.document_id IN (SELECT id FROM docs) AND e.group_id IS NOT NULL AND {_visible("e")}),
cells AS (
  SELECT d.id AS document_id, t.path,
    CASE WHEN tp.group_id IS NOT NULL AND ab.group_id IS NOT NULL THEN 'CONTESTED'
         WHEN tp.group_id IS NOT NULL THEN 'CONSULTED'
         WHEN ab.group_id IS NOT NULL THEN 'NOT_CONSULTED' ELSE 'NO_RECORD' END AS status,
    ex.group_id IS NOT NULL AS expected,
    coalesce(tp.organisations, 0) AS organisations
  FROM docs d CROSS JOIN tree t
  LEFT JOIN took_part tp ON tp.document_id = d.id AND tp.group_id = t.id
  LEFT JOIN absent ab ON ab.document_id = d.id AND ab.group_id = t.id
  LEFT JOIN expected ex ON ex.document_id = d.id AND ex.group_id = t.id)
SELECT json_build_object('data', json_build_object('coverageMatrix', json_build_object(
  'columns', (SELECT json_agg(json_build_object('slug', g.slug) ORDER BY t.path)
              FROM tree t JOIN stakeholder_group g ON g.id = t.id),
  'rows', coalesce((SELECT json_agg(json_build_object(
      'document', json_build_object('slug', d.slug),
      'cells', (SELECT json_agg(json_build_object(
          'status', c.status, 'expected', c.expected,
          'gap', c.status <> 'CONSULTED' AND (c.expected OR c.status <> 'NO_RECORD'),
          'organisationCount', c.organisations) ORDER BY c.path)
        FROM cells c WHERE c.document_id = d.id)) ORDER BY d.id)
    FROM docs d), '[]'))))::text
""",
    sqlite=True,
)

# Hits, ranks and snippets: one statement. Asking for each hit's `node` adds one statement per
# kind of record among the hits (documents, principles...), which varies with the data.
SEARCH = Question(
    key="d",
    title=f'search: "{SEARCH_TEXT}", the first 20 hits',
    footprint=f"""{{ search(text: "{SEARCH_TEXT}", first: 20) {{ totalCount
  nodes {{ matchedIn rank snippet }} }} }}""",
)

ANSWER = Question(
    key="e",
    title="the FOI answer for one document",
    footprint=f"""{{ consultationAnswer(documentSlug: "{ANSWER_DOCUMENT}") {{ markdown
  consulted {{ role organisation {{ name }} }} leftOut {{ status group {{ slug }} }} }} }}""",
)

QUESTIONS = (NESTED, CONSULTATIONS, MATRIX, SEARCH, ANSWER)

# The same questions as client libraries send them: an operation name, variables, fragments,
# __typename and id on every object (Apollo, Relay), edges with cursors and pageInfo. Page 2
# is asked with the endCursor of page 1 (bench.run finds it): `after` is a variable.
_CLIENT_A = """query NestedDocuments($first: Int = 100, $after: String) {
  documents(first: $first, after: $after) { __typename pageInfo { hasNextPage endCursor }
    edges { cursor node { ...DocumentWithPrinciples } } } }
fragment DocumentWithPrinciples on Document { __typename id slug title
  principles { __typename id position text
    shapedBy { __typename id effect organisation { __typename id slug name } } } }"""

_CLIENT_B = """query OrganisationConsultations($slug: String!, $first: Int = 100, $after: String) {
  organisation(slug: $slug) { __typename id
    consultations(first: $first, after: $after) { __typename totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { __typename id role document { ...DocumentName } } } } } }
fragment DocumentName on Document { __typename id slug title }"""

_CLIENT_C = """query Matrix($first: Int = 100, $after: String) {
  coverageMatrix(first: $first, after: $after) { __typename pageInfo { hasNextPage endCursor }
    columns { __typename id slug }
    rows { __typename document { __typename id slug }
      cells { __typename status expected gap organisationCount } } } }"""

CLIENT_SHAPED = (
    Question(
        key="a client",
        title="(a) as a client sends it",
        footprint=_CLIENT_A,
        operation_name="NestedDocuments",
        variables={},
        sqlite=True,
    ),
    Question(
        key="b client",
        title="(b) as a client sends it",
        footprint=_CLIENT_B,
        operation_name="OrganisationConsultations",
        variables={"slug": BUSY_ORGANISATION},
        sqlite=True,
    ),
    Question(
        key="c client",
        title="(c) as a client sends it",
        footprint=_CLIENT_C,
        operation_name="Matrix",
        variables={},
    ),
)
