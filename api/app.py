"""The application factory: `create_app(settings)` builds the whole app; nothing at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from api.answers import answer_endpoint
from api.backpressure import DatabaseBreaker, LoadShedding
from api.graphql import GraphQLView
from api.health import livez, readyz
from api.logs import configure_logging
from api.metrics import Metrics
from api.middleware import RequestContextMiddleware
from api.rate_limit import MutationRateLimit, TokenBuckets
from api.settings import Settings
from api.web.routes import web_routes
from db.engine import create_engine, create_sessionmaker
from schema import build_schema
from schema.reads.limits import QueryLimits


async def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


def create_app(settings: Settings, *, policies: bool = True) -> Starlette:
    """The app; `policies=False` (error masking and query limits off) is for the benchmark only."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        pool_timeout=settings.db_pool_timeout,
    )
    sessionmaker = create_sessionmaker(engine)
    breaker = DatabaseBreaker()
    limits = _query_limits(settings)
    graphql = GraphQLView(
        build_schema(_rate_limit(settings), limits, policies=policies),
        sessionmaker,
        graphiql=settings.graphiql,
        assets_dir=settings.assets_dir,
        compiled_reads=settings.compiled_reads and not settings.embedded,
        query_limits=limits if policies else None,
        max_body_bytes=settings.max_body_bytes,
        breaker=breaker,
    )
    metrics = Metrics(engine)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", graphql),
            Route("/answers/{file}", answer_endpoint(graphql.schema, sessionmaker)),
            Route("/livez", livez),
            Route("/readyz", readyz),
            *web_routes(settings.assets_dir),
            Route("/metrics", metrics.endpoint),
        ],
        middleware=[
            Middleware(RequestContextMiddleware, metrics=metrics),
            Middleware(
                LoadShedding,
                max_in_flight=settings.max_in_flight,
                max_active=settings.max_active,
                queue_timeout=settings.queue_timeout,
                breaker=breaker,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.metrics = metrics
    app.state.breaker = breaker
    return app


def _query_limits(settings: Settings) -> QueryLimits:
    return QueryLimits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_directives=settings.max_directives,
        max_cost=settings.max_cost,
        cache_size=settings.query_cache_size,
        introspection=settings.introspection,
    )


def _rate_limit(settings: Settings) -> list[Callable[[], MutationRateLimit]]:
    if not settings.mutations_per_minute:
        return []
    buckets = TokenBuckets(settings.mutations_per_minute)
    return [lambda: MutationRateLimit(buckets)]


def make_app() -> Starlette:
    """For uvicorn's --factory and each worker process: settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
