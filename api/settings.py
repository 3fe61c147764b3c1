"""Settings, read from the environment (and a .env file) once, then passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

from api.web.assets import DEFAULT_ASSETS_DIR, NPM_REGISTRY
from db.engine import DEFAULT_DATABASE_URL, is_sqlite, normalise_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FOOTPRINT_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "FOOTPRINT_DATABASE_URL"),
        description="postgresql+asyncpg://... or sqlite+aiosqlite:///path; unset: ./footprint.db",
    )
    database_read_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_READ_URL", "FOOTPRINT_DATABASE_READ_URL"),
        description="PostgreSQL read replicas, comma-separated; unset: the primary reads too",
    )
    replica_max_lag: float = Field(
        default=2.0, gt=0, le=3600, description="seconds behind the primary, then skipped"
    )
    replica_check_interval: float = Field(
        default=0.5, gt=0, le=60, description="seconds between checks of the replicas"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    graphiql: bool = True
    auto_setup: bool = Field(
        default=True,
        description="serve migrates and seeds an embedded SQLite database that has no data",
    )
    readiness_timeout: float = Field(default=2.0, gt=0, le=30)
    # Sized for 32 concurrent requests per worker: beyond the pool, connections churn.
    db_pool_size: int = Field(default=32, ge=1, le=200)
    db_max_overflow: int = Field(default=8, ge=0, le=200)
    db_connect_timeout: float = Field(default=2.0, gt=0, le=60)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    compiled_reads: bool = Field(
        default=True,
        description="answer the queries the read compiler compiles with one SQL statement",
    )

    # The browser side: GraphiQL's and D3's files, fetched from npm once (api/web/assets.py).
    assets_dir: Path = Field(default=DEFAULT_ASSETS_DIR, description="where the browser files live")
    assets_auto_install: bool = Field(
        default=True, description="serve fetches the browser files first if they are missing"
    )
    npm_registry: str = Field(default=NPM_REGISTRY, pattern=r"^https?://\S+$")

    # Limits and reliability: each refusal has its own error code (docs/security.md).
    db_pool_timeout: float = Field(default=10.0, gt=0, le=60)
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    max_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_tokens: int = Field(default=2_000, ge=100)
    max_directives: int = Field(default=20, ge=0)
    max_cost: int = Field(default=2_000_000, ge=1)
    max_selections: int = Field(default=1_000, ge=1)
    max_overlaps: int = Field(default=1_000, ge=0)
    max_answer: int = Field(default=50_000, ge=1, description="fields a request may answer")
    anonymous_max_aliases: int = Field(default=10, ge=0, description="max_aliases, anonymous")
    anonymous_max_cost: int = Field(default=1_200_000, ge=1, description="max_cost, anonymous")
    anonymous_max_answer: int = Field(default=20_000, ge=1, description="max_answer, anonymous")
    # The heavy lane (api/backpressure.py HeavyLane): requests the cost rule counts this high.
    heavy_cost: int = Field(default=50_000, ge=1, description="cost from which a request is heavy")
    heavy_active: int = Field(default=1, ge=1, description="heavy requests running per worker")
    heavy_waiting: int = Field(default=8, ge=0, description="heavy requests waiting, then 503")
    heavy_wait: float = Field(default=10.0, gt=0, le=600, description="seconds a heavy one waits")
    query_cache_size: int = Field(default=256, ge=1, le=100_000)
    introspection: bool = True
    mutations_per_minute: int = Field(default=120, ge=0, description="per token; 0: no limit")
    max_in_flight: int = Field(default=256, ge=1, description="requests per worker, then 503")
    max_active: int = Field(default=16, ge=1, description="requests running at once per worker")
    queue_timeout: float = Field(default=30.0, gt=0, le=600, description="wait to run, then 503")
    shutdown_timeout: int = Field(default=10, ge=1, le=300)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        try:
            url = normalise_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (postgresql://... or sqlite:///...)") from None
        if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a PostgreSQL or SQLite URL")
        return url

    @field_validator("database_read_url")
    @classmethod
    def _replica_urls(cls, value: str) -> str:
        urls = [url.strip() for url in value.split(",") if url.strip()]
        try:
            urls = [normalise_url(url) for url in urls]
        except ArgumentError:
            raise ValueError("is not a list of database URLs (postgresql://...)") from None
        if any(not url.startswith("postgresql+asyncpg://") for url in urls):
            raise ValueError("read replicas must be PostgreSQL URLs")
        return ",".join(urls)

    @model_validator(mode="after")
    def _replicas_of_postgresql(self) -> Settings:
        if self.read_urls and self.embedded:
            raise ValueError("DATABASE_READ_URL needs a PostgreSQL DATABASE_URL")
        return self

    @property
    def read_urls(self) -> list[str]:
        return self.database_read_url.split(",") if self.database_read_url else []

    @property
    def embedded(self) -> bool:
        return is_sqlite(self.database_url)
