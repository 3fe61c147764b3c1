"""The application factory: `create_app(settings)` builds the whole app; nothing at import."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route, Router
from strawberry.extensions import SchemaExtension

from api.answers import answer_endpoint
from api.backpressure import DatabaseBreaker, HeavyLane, LoadShedding
from api.graphql import GraphQLView
from api.health import livez, readyz
from api.logs import configure_logging
from api.metrics import Metrics, multiprocess_directory
from api.middleware import RequestContextMiddleware
from api.rate_limit import Allowance, MutationRateLimit, SharedBuckets, TokenBuckets
from api.read_routing import ReadsAfterWrites
from api.settings import Settings
from api.startup import watch
from api.web.routes import GraphiQLFirst, web_routes
from api.web.saved_questions import known_operations
from db.engine import create_engine, create_sessionmaker
from db.replicas import ReadReplicas
from schema import build_schema
from schema.reads.limits import QueryLimits


async def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


def create_app(settings: Settings, *, policies: bool = True) -> Starlette:
    """The app; `policies=False` (error masking and query limits off) is for the benchmark only."""

    def engine_for(url: str) -> AsyncEngine:
        return create_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            pool_timeout=settings.db_pool_timeout,
        )

    engine = engine_for(settings.database_url)
    # /readyz connects on its own, so a pool busy with requests never reads as "unreachable".
    probe_engine = create_engine(
        settings.database_url,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        pooled=False,
    )
    replicas = ReadReplicas(
        engine,
        [engine_for(url) for url in settings.read_urls],
        max_lag=settings.replica_max_lag,
        check_interval=settings.replica_check_interval,
        check_timeout=settings.readiness_timeout,
    )
    sessionmaker = create_sessionmaker(engine)
    breaker = DatabaseBreaker()
    limits = _query_limits(settings)
    extensions = [*_rate_limit(settings, replicas), lambda: ReadsAfterWrites(replicas)]
    schema = build_schema(extensions, limits, policies=policies)
    graphql = GraphQLView(
        schema,
        sessionmaker,
        graphiql=settings.graphiql,
        assets_dir=settings.assets_dir,
        compiled_reads=settings.compiled_reads,
        query_limits=limits if policies else None,
        max_body_bytes=settings.max_body_bytes,
        breaker=breaker,
        replicas=replicas,
        heavy_lane=HeavyLane(
            settings.heavy_cost,
            max_active=settings.heavy_active,
            max_waiting=settings.heavy_waiting,
            wait=settings.heavy_wait,
        )
        if policies
        else None,
    )
    metrics = Metrics(replicas, multiprocess_directory(), known_operations())
    # Admission control guards what reads the database (the API and the answers it writes out):
    # pages and files answer whatever the database does.
    api = LoadShedding(
        Router(
            routes=[
                Route("/graphql", graphql),
                Route("/answers/{file}", answer_endpoint(schema, sessionmaker)),
            ]
        ),
        max_in_flight=settings.max_in_flight,
        max_active=settings.max_active,
        queue_timeout=settings.queue_timeout,
        breaker=breaker,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watching = asyncio.create_task(watch(engine, settings.database_url))
        yield
        watching.cancel()
        with suppress(asyncio.CancelledError):
            await watching
        metrics.close()
        await replicas.close()
        await engine.dispose()
        await probe_engine.dispose()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", GraphiQLFirst(graphql, api)),
            Route("/answers/{file}", api),
            Route("/livez", livez),
            Route("/readyz", readyz),
            *web_routes(settings.assets_dir, schema._schema),
            Route("/metrics", metrics.endpoint),
        ],
        middleware=[Middleware(RequestContextMiddleware, metrics=metrics)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.probe_engine = probe_engine
    app.state.sessionmaker = sessionmaker
    app.state.metrics = metrics
    app.state.breaker = breaker
    app.state.replicas = replicas
    app.state.heavy_lane = graphql.heavy_lane
    return app


def _query_limits(settings: Settings) -> QueryLimits:
    return QueryLimits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_directives=settings.max_directives,
        max_cost=settings.max_cost,
        max_selections=settings.max_selections,
        max_overlaps=settings.max_overlaps,
        max_answer=settings.max_answer,
        anonymous_aliases=settings.anonymous_max_aliases,
        anonymous_cost=settings.anonymous_max_cost,
        anonymous_answer=settings.anonymous_max_answer,
        cache_size=settings.query_cache_size,
        introspection=settings.introspection,
    )


def _rate_limit(settings: Settings, replicas: ReadReplicas) -> list[Callable[[], SchemaExtension]]:
    per_minute = settings.mutations_per_minute
    if not per_minute:
        return []
    allowance: Allowance = (
        TokenBuckets(per_minute)
        if settings.embedded
        else SharedBuckets(replicas.primary.read_engine, per_minute)
    )
    return [lambda: MutationRateLimit(allowance, per_minute)]


def make_app() -> Starlette:
    """For uvicorn's --factory and each worker process: settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
