"""The read compiler answers exactly what field-by-field execution answers, in one statement.

On the backend the suite runs on (SQLite by default, PostgreSQL with
FOOTPRINT_TEST_DATABASE_URL): the same queries go to an app with compiled reads and to one
without, over a register with drafts, retractions and a merge in it, for readers and editors;
fixed queries, then generated ones (FOOTPRINT_DIFFERENTIAL_SEED picks another draw).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from bench.queries import BUSY_ORGANISATION, CLIENT_SHAPED, QUESTIONS
from db import models, tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from schema import build_schema
from schema.ids import encode_cursor
from schema.reads.compiler import Plans
from seeds.loader import load_seeds
from seeds.synthetic import generate_register
from tests.databases import backend_name, empty_database
from tests.graphql import counting_statements

BACKEND = backend_name()
MERGED = "syn1-org-000003"  # merged into syn1-org-000001 by the fixture
FRAGMENT = "fragment D on Document { id __typename slug title }"

COMPILED = [
    *(q.footprint for q in QUESTIONS if q.key in "ab"),
    "{ documents { totalCount nodes { slug } } }",
    """{ first: documents(first: 3) { count: totalCount items: nodes { name: title kind
        formality publishedOn publishedPrecision reviewDueOn reviewDuePrecision url summary
        version published } } }""",
    """{ document(slug: "npcc-sex-work-and-prostitution-guidance-2019") { title
        consultations(first: 4) { nodes { role summary organisation { name named } } totalCount }
        principles { position title text document { slug } shapedBy { effect summary
            principle { position } organisation { slug description url version } } } } }""",
    """{ organisation(slug: "syn1-org-000001") { name influences { effect principle {
        position document { title } } } consultations(first: 2) { totalCount } } }""",
    '{ organisation(slug: "no-such-organisation") { name } }',
    f'{{ organisation(slug: "{MERGED}") {{ slug name id }} }}',
    '{ document(slug: "syn1-doc-000002") { slug } organisation(slug: "home-office") { slug } }',
    # What client libraries send: names, variables with defaults, fragments, ids, typenames.
    """query Page($n: Int = 2, $after: String) { documents(first: $n, after: $after) {
        __typename pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
        edges { cursor __typename node { ...D publisher { id name } } } } } """
    + FRAGMENT,
    f"""query Next {{ documents(first: 3, after: "{encode_cursor(5)}") {{ totalCount
        nodes {{ ... on Document {{ slug }} ... on Node {{ id }} }} pageInfo {{ endCursor }} }} }}""",
    """query Who($slug: String! = "syn1-org-000001", $withDocs: Boolean = true) { organisation(slug: $slug) {
        id __typename name consultations(first: 2) { edges { node { id role
        document @include(if: $withDocs) { ...D } } } } } }"""
    + FRAGMENT,
    """{ documents(first: 2) { nodes { slug title @skip(if: true) consultations {
        nodes { evidence { locator quote source { slug } } } } } } }""",
]
if BACKEND == "postgresql":
    COMPILED += [
        next(q.footprint for q in QUESTIONS if q.key == "c"),
        """{ coverageMatrix(first: 7) { rows { cells { gap group { slug name } status expected
            organisationCount } document { slug title } } totalCount columns { slug description
            version } } }""",
    ]

NOT_COMPILED = [
    '{ documents(first: 2, filter: {text: "policy"}) { nodes { slug } } }',
    "{ documents(first: 0) { nodes { slug } } }",  # refused by the resolver, with its error
    '{ documents(first: 2, after: "not-a-cursor") { nodes { slug } } }',
    "{ documents(first: 2) { nodes { slug } } nope }",  # invalid: answered with its errors
    "{ documents(first: 2) { nodes { aliasesOf: slug versions { label } } } }",
    '{ node(id: "RG9jdW1lbnQ6MQ") { id } }',
    'mutation { createOrganisation(input: {name: "x"}) { __typename } }',
]


async def _hide_some_records(url: str) -> dict[str, str]:
    """Drafts and retractions at every level, so the visibility rules have work to do; returns
    an editor's and an admin's token."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    await load_seeds(sessionmaker)
    await generate_register(sessionmaker, documents=30, seed=1)
    gone = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hidden: list[tuple[Any, list[int], dict[str, Any]]] = [
        (models.Document, [3, 12], {"published": False}),
        (models.Organisation, [20, 33], {"retracted_at": gone}),
        (models.Consultation, [5, 40, 41], {"published": False}),
        (models.Principle, [15, 16], {"retracted_at": gone}),
        (models.Influence, [7, 8, 9], {"retracted_at": gone}),
        (models.Expectation, [2, 6], {"published": False}),
        (models.Absence, [1], {"retracted_at": gone}),
        (models.StakeholderGroup, [4, 20], {"published": False}),
        (models.Evidence, [3, 4], {"published": False}),
    ]
    async with sessionmaker.begin() as session:
        for model, ids, values in hidden:
            await session.execute(update(model).where(model.id.in_(ids)).values(**values))
        who = {
            role: (await tokens.issue(session, role.lower(), role, None)).token
            for role in (TokenRole.EDITOR, TokenRole.ADMIN)
        }
    await engine.dispose()
    return {"editor": who[TokenRole.EDITOR], "admin": who[TokenRole.ADMIN]}


async def _merge(app: Starlette, admin: str) -> None:
    versions = "query($s: String!) { organisation(slug: $s) { version } }"
    async with _client(app) as client:
        found = [
            (await client.post("/graphql", json={"query": versions, "variables": {"s": s}})).json()[
                "data"
            ]["organisation"]["version"]
            for s in ("syn1-org-000001", MERGED)
        ]
        merge = f"""mutation($mv: Int!, $sv: Int!) {{ mergeOrganisations(survivor:
            "syn1-org-000001", merged: "{MERGED}", survivorVersion: $sv, mergedVersion: $mv,
            reason: "The same body.") {{ __typename }} }}"""
        answer = await client.post(
            "/graphql",
            json={"query": merge, "variables": {"sv": found[0], "mv": found[1]}},
            headers={"authorization": f"Bearer {admin}"},
        )
    assert answer.json()["data"]["mergeOrganisations"]["__typename"] == "OrganisationSaved"


def _client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://footprint.test")


@pytest.fixture(scope="module")
async def apps(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[bool, Starlette]]:
    with empty_database(tmp_path_factory.mktemp("compiled")) as url:
        who = await _hide_some_records(url)
        built = {
            compiled: create_app(
                Settings(_env_file=None, database_url=url, compiled_reads=compiled)  # type: ignore[call-arg]
            )
            for compiled in (True, False)
        }
        await _merge(built[False], who["admin"])
        built[True].state.editor_token = who["editor"]
        yield built
        for app in built.values():
            await app.state.engine.dispose()


async def _ask(
    app: Starlette, query: str, headers: dict[str, str] | None = None, method: str = "POST"
) -> tuple[dict[str, Any], int]:
    async with _client(app) as client:
        await client.post("/graphql", json={"query": query}, headers=headers)  # warm the pool
        with counting_statements(app.state.engine) as counter:
            if method == "GET":
                response = await client.get("/graphql", params={"query": query}, headers=headers)
            else:
                response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body, _counted(counter)


def _counted(counter: Any) -> int:
    """Statements sent, SQLite's BEGIN (which opens every read there) left out."""
    return sum(statement != "BEGIN" for statement in counter.statements)


def _plans() -> Plans:
    return Plans(build_schema()._schema)


def _compiles(query: str, dialect: str = BACKEND) -> bool:
    found = _plans().get(query)
    variables = found.variables({}) if found else None
    return (
        variables is not None
        and found is not None
        and bool(found.statement(dialect, *_readers(), variables))
    )


def _readers() -> tuple[Any]:
    from db.visibility import Audience

    return (Audience.READERS,)


@pytest.mark.parametrize("query", COMPILED)
async def test_a_compiled_query_answers_as_field_by_field_execution(
    apps: dict[bool, Starlette], query: str
) -> None:
    assert _compiles(query)  # it does take the path
    compiled, statements = await _ask(apps[True], query)
    usual, _ = await _ask(apps[False], query)
    assert "errors" not in usual, usual
    assert compiled == usual
    assert statements == 1, compiled
    by_get, statements = await _ask(apps[True], query, method="GET")
    assert by_get == usual and statements == 1


@pytest.mark.parametrize("question", CLIENT_SHAPED, ids=[q.key for q in CLIENT_SHAPED])
async def test_the_benchmarks_client_shaped_questions_are_compiled_pages_1_and_2(
    apps: dict[bool, Starlette], question: Any
) -> None:
    if question.key == "c client" and BACKEND != "postgresql":
        pytest.skip("the compiled matrix is written for PostgreSQL")
    body = {
        "query": question.footprint.replace(BUSY_ORGANISATION, "syn1-org-000001"),
        "operationName": question.operation_name,
        "variables": {**question.variables, "first": 4},
    }
    if "slug" in body["variables"]:
        body["variables"]["slug"] = "syn1-org-000001"
    for page in (1, 2):
        async with _client(apps[True]) as fast, _client(apps[False]) as usual:
            with counting_statements(apps[True].state.engine) as counter:
                compiled = (await fast.post("/graphql", json=body)).json()
            expected = (await usual.post("/graphql", json=body)).json()
        assert "errors" not in expected, expected
        assert compiled == expected
        assert _counted(counter) == 1, (page, [s[:80] for s in counter.statements])
        cursor = _end_cursor(expected)
        assert cursor is not None
        body["variables"]["after"] = cursor


def _end_cursor(answer: Any) -> str | None:
    if isinstance(answer, dict):
        if isinstance(answer.get("pageInfo"), dict):
            return answer["pageInfo"]["endCursor"]  # type: ignore[no-any-return]
        answer = list(answer.values())
    if isinstance(answer, list):
        return next((c for c in map(_end_cursor, answer) if c is not None), None)
    return None


@pytest.mark.parametrize("query", NOT_COMPILED)
async def test_other_queries_take_the_usual_path_with_its_answers_and_errors(
    apps: dict[bool, Starlette], query: str
) -> None:
    compiled, _ = await _ask(apps[True], query)
    usual, _ = await _ask(apps[False], query)
    assert compiled == usual


async def test_a_get_with_an_operation_name_and_variables_is_compiled(
    apps: dict[bool, Starlette],
) -> None:
    query = """query Other { documents(first: 1) { totalCount } }
        query Org($slug: String!) { organisation(slug: $slug) { id name } }"""
    params = {"query": query, "operationName": "Org", "variables": '{"slug": "home-office"}'}
    async with _client(apps[True]) as fast, _client(apps[False]) as usual:
        with counting_statements(apps[True].state.engine) as counter:
            compiled = (await fast.get("/graphql", params=params)).json()
        expected = (await usual.get("/graphql", params=params)).json()
    assert compiled == expected
    assert expected["data"]["organisation"]["name"]
    assert _counted(counter) == 1


async def test_a_merged_organisations_slug_leads_to_the_survivor(
    apps: dict[bool, Starlette],
) -> None:
    query = f'{{ organisation(slug: "{MERGED}") {{ slug }} }}'
    compiled, statements = await _ask(apps[True], query)
    assert compiled == {"data": {"organisation": {"slug": "syn1-org-000001"}}}
    assert statements == 1


async def test_with_a_token_editors_see_drafts_in_one_statement(
    apps: dict[bool, Starlette],
) -> None:
    query = "{ documents(first: 100) { totalCount } }"
    anonymous, _ = await _ask(apps[True], query)
    # An unknown token is refused as ever, not answered by the compiled path.
    refused, _ = await _ask(apps[True], query, {"authorization": "Bearer fp_unknown"})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = apps[True].state.editor_token
    editor, statements = await _ask(apps[True], query, {"authorization": f"Bearer {token}"})
    assert anonymous["data"]["documents"]["totalCount"] == 12 + 30 - 2  # two drafts hidden
    assert editor["data"]["documents"]["totalCount"] == 12 + 30
    assert statements == 2  # the token, then the answer


def test_the_benchmark_knows_which_of_its_questions_are_compiled() -> None:
    assert [q.key for q in QUESTIONS if _compiles(q.footprint, "postgresql")] == [
        q.key for q in QUESTIONS if q.compiled
    ]


def test_the_plan_cache_is_bounded() -> None:
    plans = Plans(build_schema()._schema, size=2)
    queries = [f"{{ documents(first: {n}) {{ totalCount }} }}" for n in (1, 2, 3)]
    for query in queries:
        assert plans.get(query) is not None
    assert len(plans) == 2


# ---------------------------------------------------------------- generated queries

SCALARS = {
    "Document": [
        "slug",
        "title",
        "kind",
        "formality",
        "publishedOn",
        "publishedPrecision",
        "reviewDueOn",
        "url",
        "summary",
        "version",
        "published",
    ],
    "Principle": ["position", "title", "text", "version", "published"],
    "Influence": ["effect", "summary", "version", "published"],
    "Organisation": ["slug", "name", "named", "description", "url", "version", "published"],
    "Consultation": ["role", "summary", "version", "published"],
    "Evidence": ["locator", "quote", "confidence", "version"],
}
# (field, type, how): "one", "list" or "page"; some are not compiled, to mix both paths.
LINKS = {
    "Document": [
        ("principles", "Principle", "list"),
        ("consultations", "Consultation", "page"),
        ("publisher", "Organisation", "one"),
        ("versions", "DocumentVersion", "list"),
    ],
    "Principle": [("document", "Document", "one"), ("shapedBy", "Influence", "list")],
    "Influence": [
        ("organisation", "Organisation", "one"),
        ("principle", "Principle", "one"),
        ("evidence", "Evidence", "list"),
    ],
    "Organisation": [
        ("consultations", "Consultation", "page"),
        ("influences", "Influence", "list"),
        ("aliases", "", "scalar"),
    ],
    "Consultation": [
        ("document", "Document", "one"),
        ("organisation", "Organisation", "one"),
        ("evidence", "Evidence", "list"),
    ],
    "Evidence": [("source", "Document", "one")],
    "DocumentVersion": [],
}
SCALARS["DocumentVersion"] = ["label", "date"]
SLUGS = ["syn1-org-000001", MERGED, "syn1-org-000020", "home-office", "no-such-one"]
DOCUMENT_SLUGS = [
    "syn1-doc-000001",
    "syn1-doc-000003",
    "npcc-sex-work-and-prostitution-guidance-2019",
]


@dataclass
class Generator:
    rng: random.Random
    variables: dict[str, Any] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)
    fragments: dict[str, str] = field(default_factory=dict)

    def argument(self, type_: str, value: Any, literal: str) -> str:
        if self.rng.random() < 0.6:
            return literal
        name = f"v{len(self.definitions)}"
        if self.rng.random() < 0.5:
            self.definitions.append(f"${name}: {type_} = {literal}")
        else:
            self.definitions.append(f"${name}: {type_}")
            self.variables[name] = value
        return f"${name}"

    def directive(self) -> str:
        roll = self.rng.random()
        if roll > 0.12:
            return ""
        kind = self.rng.choice(["include", "skip"])
        flag = self.rng.random() < 0.5
        return f" @{kind}(if: {self.argument('Boolean!', flag, str(flag).lower())})"

    def key(self, name: str) -> str:
        return f"{name}{self.rng.randint(1, 3)}: {name}" if self.rng.random() < 0.15 else name

    def selection(self, type_: str, depth: int) -> str:
        scalars = SCALARS[type_]
        picked = self.rng.sample(scalars, self.rng.randint(1, min(3, len(scalars))))
        parts = [self.key(s) + self.directive() for s in picked]
        if type_ != "DocumentVersion" and self.rng.random() < 0.3:
            parts.append("id")
        if self.rng.random() < 0.2:
            parts.append("__typename")
        if depth < 3:
            for name, target, how in self.rng.sample(LINKS[type_], len(LINKS[type_])):
                if self.rng.random() > 0.35:
                    continue
                if how == "scalar":
                    parts.append(name)
                elif how == "page":
                    parts.append(self.key(name) + self.page(target, depth + 1) + self.directive())
                else:
                    parts.append(self.key(name) + " { " + self.selection(target, depth + 1) + " }")
        self.rng.shuffle(parts)
        if self.rng.random() < 0.2:
            name = f"F{len(self.fragments)}"
            self.fragments[name] = f"fragment {name} on {type_} {{ {' '.join(parts)} }}"
            return f"...{name}"
        if self.rng.random() < 0.15:
            return f"... on {type_} {{ {' '.join(parts)} }}"
        return " ".join(parts)

    def page(self, type_: str, depth: int) -> str:
        arguments = []
        if self.rng.random() < 0.7:
            first = self.rng.randint(1, 5)
            arguments.append(f"first: {self.argument('Int', first, str(first))}")
        if self.rng.random() < 0.3:
            cursor = encode_cursor(self.rng.randint(0, 60))
            quoted = f'"{cursor}"'
            arguments.append(f"after: {self.argument('String', cursor, quoted)}")
        parts = []
        for part in self.rng.sample(
            ["totalCount", "nodes", "edges", "pageInfo", "__typename"], self.rng.randint(1, 3)
        ):
            if part == "nodes":
                parts.append("nodes { " + self.selection(type_, depth) + " }")
            elif part == "edges":
                parts.append("edges { cursor node { " + self.selection(type_, depth) + " } }")
            elif part == "pageInfo":
                parts.append("pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
            else:
                parts.append(part)
        arguments_text = f"({', '.join(arguments)})" if arguments else ""
        return f"{arguments_text} {{ {' '.join(parts)} }}"

    def _some(self, fields: list[str]) -> str:
        return " ".join(self.rng.sample(fields, self.rng.randint(1, len(fields))))

    def matrix(self) -> str:
        first = self.rng.randint(1, 6)
        arguments = f"first: {self.argument('Int', first, str(first))}"
        if self.rng.random() < 0.4:
            cursor = encode_cursor(self.rng.randint(0, 40))
            quoted = f'"{cursor}"'
            arguments += f", after: {self.argument('String', cursor, quoted)}"
        cell = self._some(
            ["status", "expected", "gap", "organisationCount", "__typename", "group { slug id }"]
        )
        row = self._some(["document { slug id __typename }", f"cells {{ {cell} }}", "__typename"])
        parts = self._some(
            [
                "totalCount",
                "__typename",
                "columns { slug name id }",
                f"rows {{ {row} }}",
                "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }",
            ]
        )
        return f"coverageMatrix({arguments}) {{ {parts} }}"

    def query(self) -> str:
        roots: list[str] = []
        for _ in range(self.rng.randint(1, 2)):
            roll = self.rng.random()
            alias = f"r{len(roots)}: "
            if roll < 0.1:
                roots.append(alias + self.matrix())
            elif roll < 0.45:
                roots.append(alias + "documents" + self.page("Document", 1))
            elif roll < 0.75:
                slug = self.rng.choice(SLUGS)
                value = self.argument("String!", slug, f'"{slug}"')
                roots.append(
                    alias + f"organisation(slug: {value}) {{ {self.selection('Organisation', 1)} }}"
                )
            else:
                slug = self.rng.choice(DOCUMENT_SLUGS)
                value = self.argument("String!", slug, f'"{slug}"')
                roots.append(
                    alias + f"document(slug: {value}) {{ {self.selection('Document', 1)} }}"
                )
        head = "query Q" + (f"({', '.join(self.definitions)})" if self.definitions else "")
        return " ".join([f"{head} {{ {' '.join(roots)} }}", *self.fragments.values()])


GENERATED = 1000


async def test_generated_queries_answer_as_field_by_field_execution(
    apps: dict[bool, Starlette],
) -> None:
    seed = int(os.environ.get("FOOTPRINT_DIFFERENTIAL_SEED", "14"))
    rng = random.Random(seed)
    editor = {"authorization": f"Bearer {apps[True].state.editor_token}"}
    compiled_count = 0
    async with _client(apps[True]) as fast, _client(apps[False]) as usual:
        for number in range(GENERATED):
            generator = Generator(rng)
            query = generator.query()
            body = {"query": query, "variables": generator.variables, "operationName": "Q"}
            headers = editor if number % 3 == 0 else {}
            with counting_statements(apps[True].state.engine) as counter:
                answer = (await fast.post("/graphql", json=body, headers=headers)).json()
            expected = (await usual.post("/graphql", json=body, headers=headers)).json()
            assert answer == expected, (seed, number, query, generator.variables)
            compiled_count += _counted(counter) <= (2 if headers else 1) and "errors" not in answer
    # Most of them do take the compiled path (the rest: fields it does not compile).
    assert compiled_count >= GENERATED // 3, compiled_count
