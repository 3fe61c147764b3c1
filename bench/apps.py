"""Footprint app factories the benchmark starts with uvicorn, with and without the policies."""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings


def with_policies() -> Starlette:
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)


def without_policies() -> Starlette:
    """Error masking (and query limits) off: only to measure what they cost."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings, policies=False)
