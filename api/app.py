"""The application factory: `create_app(settings)` builds the whole app; nothing at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from api.graphql import GraphQLView
from api.health import livez, readyz
from api.logs import configure_logging
from api.middleware import RequestContextMiddleware
from api.settings import Settings
from api.web.routes import web_routes
from db.engine import create_engine, create_sessionmaker
from schema import build_schema


async def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


def create_app(settings: Settings, *, policies: bool = True) -> Starlette:
    """The app; `policies=False` (error masking and query limits off) is for the benchmark only."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    sessionmaker = create_sessionmaker(engine)
    graphql = GraphQLView(
        build_schema(policies=policies),
        sessionmaker,
        graphiql=settings.graphiql,
        assets_dir=settings.assets_dir,
        compiled_reads=settings.compiled_reads and not settings.embedded,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", graphql),
            Route("/livez", livez),
            Route("/readyz", readyz),
            *web_routes(settings.assets_dir),
        ],
        middleware=[Middleware(RequestContextMiddleware)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    return app


def make_app() -> Starlette:
    """For uvicorn's --factory and each worker process: settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
