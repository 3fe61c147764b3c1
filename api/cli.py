"""`footprint` (or `python -m api`): serve, migrate, seed, import, export, export-csv,
export-schema, assets."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from api.logs import configure_logging
from api.metrics import MULTIPROCESS_DIRECTORY
from api.settings import Settings
from api.web.assets import AssetError, install, missing
from db import tokens
from db.engine import create_engine, create_sessionmaker
from db.enums import TokenRole
from db.migrate import upgrade
from db.models import Document
from db.queries import count_of
from db.visibility import Audience
from seeds.errors import SeedError
from seeds.export import CSV_KINDS, export_database, read_database, write_csv
from seeds.loader import seed_database
from seeds.synthetic import SyntheticRegisterExists, generate_into

log = logging.getLogger("footprint.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="footprint", description="Footprint: a register of who shaped public guidance."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API (GraphiQL at /graphql)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default 1)")

    commands.add_parser("migrate", help="bring the database schema up to date")

    seed = commands.add_parser("seed", help="load the curated records of the source documents")
    seed.add_argument(
        "--synthetic",
        type=int,
        metavar="DOCUMENTS",
        help="instead, add a synthetic register of this many documents (for scale tests)",
    )
    seed.add_argument("--random-seed", type=int, default=1, help="for --synthetic (default 1)")

    token = commands.add_parser("token", help="manage editors' and admins' bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="issue a token (it is shown only once)")
    create.add_argument("name", help="who or what holds it, e.g. alice-laptop")
    create.add_argument("--role", choices=["editor", "admin"], default="editor")
    create.add_argument("--expires-in-days", type=int, metavar="DAYS", help="default: never")
    token_commands.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token_commands.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name")

    load = commands.add_parser(
        "import", help="load an export (or any folder in the seed format), all or nothing"
    )
    load.add_argument("directory", type=Path, metavar="DIR")
    load.add_argument(
        "--dry-run", action="store_true", help="check and count the changes, write nothing"
    )
    load.add_argument(
        "--actor", default="import", help="who the audit trail names (default import)"
    )

    dump = commands.add_parser("export", help="write the whole register in the seed format")
    dump.add_argument(
        "--output",
        type=Path,
        default=Path("footprint-export"),
        metavar="DIR",
        help="folder to write (default ./footprint-export); an earlier export there is replaced",
    )

    table = commands.add_parser("export-csv", help="write consultations or influences as CSV")
    table.add_argument("kind", choices=CSV_KINDS)
    table.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")

    assets = commands.add_parser("assets", help="GraphiQL's browser files, pinned in a lock file")
    asset_commands = assets.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    fetch = asset_commands.add_parser(
        "install", help="fetch them from the npm registry, check their hashes, install them"
    )
    fetch.add_argument("--force", action="store_true", help="fetch again even if installed")

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    return parser


async def _is_empty(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await count_of(session, Document, []) == 0
    finally:
        await engine.dispose()


def _seed(settings: Settings) -> None:
    report = asyncio.run(seed_database(settings.database_url, actor="seed"))
    log.info("seeded", extra={"report": report.summary()})


def _import(settings: Settings, args: argparse.Namespace) -> None:
    directory: Path = args.directory
    actor = args.actor.strip()
    if not directory.is_dir():
        raise ValueError(f"no such folder: {directory}")
    if not actor or len(actor) > 100:
        raise ValueError("--actor must be 1 to 100 characters")
    report = asyncio.run(
        seed_database(settings.database_url, directory, actor=actor, dry_run=args.dry_run)
    )
    if args.dry_run:
        print(f"Dry run, nothing written. It would make: {report.summary()}")
    else:
        print(f"Imported {directory}: {report.summary()}")


def _export(settings: Settings, output: Path) -> None:
    files = asyncio.run(export_database(settings.database_url, output))
    print(f"Exported the register to {output}: {len(files)} files.", file=sys.stderr)


def _export_csv(settings: Settings, kind: str, output: Path | None) -> None:
    # A spreadsheet is for sharing: it holds what readers see, no drafts or retractions.
    register = asyncio.run(read_database(settings.database_url, Audience.READERS))
    if output is None:
        write_csv(register, kind, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        write_csv(register, kind, stream)


def _prepare_embedded(settings: Settings) -> None:
    """First run on SQLite: create the schema and load the seeds so the API has data."""
    upgrade(settings.database_url)
    if asyncio.run(_is_empty(settings.database_url)):
        _seed(settings)


def _install_assets(settings: Settings, *, force: bool = False) -> None:
    installed = install(settings.assets_dir, registry=settings.npm_registry, force=force)
    names = ", ".join(f"{package.name}@{package.version}" for package in installed)
    print(
        f"Installed {names} in {settings.assets_dir}."
        if installed
        else f"GraphiQL's files are already installed in {settings.assets_dir}.",
        file=sys.stderr,
    )


def _prepare_assets(settings: Settings) -> None:
    """First run: fetch GraphiQL's files; offline, serve anyway (the page says what to do)."""
    if not missing(settings.assets_dir):
        return
    try:
        installed = install(settings.assets_dir, registry=settings.npm_registry)
    except AssetError as error:
        log.warning("GraphiQL's files are not installed", extra={"error": str(error)})
        return
    log.info(
        "installed GraphiQL's files",
        extra={"packages": [f"{p.name}@{p.version}" for p in installed]},
    )


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    if settings.embedded and settings.auto_setup:
        _prepare_embedded(settings)
    if settings.graphiql and settings.assets_auto_install:
        _prepare_assets(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    log.info("serving", extra={"url": f"http://{host}:{port}/graphql", "workers": workers})
    with _shared_metrics(workers):
        _run_uvicorn(settings, host, port, workers)


@contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """With several workers, each writes its metrics to files in one folder that any of them
    adds up when scraped. The folder is set before the workers start (they read it as they
    import prometheus_client) and emptied of an earlier run's files; a temporary one is
    removed afterwards."""
    given = os.environ.get(MULTIPROCESS_DIRECTORY)
    if workers == 1 and not given:
        yield
        return
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="footprint-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIRECTORY] = str(directory)
    try:
        yield
    finally:
        if not given:
            shutil.rmtree(directory, ignore_errors=True)


def _run_uvicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "api.app:make_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
        # On SIGTERM: stop accepting, let requests in flight finish, cancel what is left after
        # this many seconds (a cancelled mutation's transaction is rolled back whole).
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


async def _token(database_url: str, args: argparse.Namespace) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            if args.token_command == "create":
                if args.expires_in_days is not None and args.expires_in_days < 1:
                    raise ValueError("--expires-in-days must be at least 1")
                expires = (
                    tokens.now() + dt.timedelta(days=args.expires_in_days)
                    if args.expires_in_days
                    else None
                )
                issued = await tokens.issue(
                    session, args.name, TokenRole(args.role.upper()), expires
                )
                print(issued.token)
                print(
                    f"Token '{issued.name}' ({issued.role.value.lower()}), "
                    f"expires {issued.expires_at.isoformat() if issued.expires_at else 'never'}. "
                    "It is shown only now: keep it safe.",
                    file=sys.stderr,
                )
            elif args.token_command == "list":
                print("name\trole\tprefix\tcreated\texpires\tstatus")
                for row in await tokens.all_tokens(session):
                    print(
                        "\t".join(
                            [
                                row.name,
                                row.role.value.lower(),
                                row.prefix + "...",
                                row.created_at.isoformat(timespec="seconds"),
                                row.expires_at.isoformat(timespec="seconds")
                                if row.expires_at
                                else "never",
                                tokens.status(row),
                            ]
                        )
                    )
            else:
                await tokens.revoke(session, args.name)
                print(f"Token '{args.name}' is revoked.", file=sys.stderr)
    finally:
        await engine.dispose()


def _export_schema(output: Path | None) -> None:
    from schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"footprint: invalid configuration: {problems}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        _run(args, settings)
    except (SeedError, SyntheticRegisterExists, AssetError, ValueError, LookupError) as error:
        print(f"footprint: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away (`footprint export-csv ... | head`): not an error.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, DBAPIError) as error:
        # The driver's message can name hosts and SQL; the type is enough to act on here.
        log.error("database unavailable", extra={"error": type(error).__name__})
        print(f"footprint: cannot use the database ({type(error).__name__})", file=sys.stderr)
        return 1
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "serve":
        _serve(settings, args)
    elif args.command == "migrate":
        upgrade(settings.database_url)
    elif args.command == "seed":
        if args.synthetic is not None:
            report = asyncio.run(
                generate_into(
                    settings.database_url, documents=args.synthetic, seed=args.random_seed
                )
            )
            log.info("synthetic register added", extra={"report": report.summary()})
        else:
            _seed(settings)
    elif args.command == "token":
        asyncio.run(_token(settings.database_url, args))
    elif args.command == "import":
        _import(settings, args)
    elif args.command == "export":
        _export(settings, args.output)
    elif args.command == "export-csv":
        _export_csv(settings, args.kind, args.output)
    elif args.command == "export-schema":
        _export_schema(args.output)
    elif args.command == "assets":
        _install_assets(settings, force=args.force)
