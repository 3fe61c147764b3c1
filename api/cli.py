"""`footprint` (or `python -m api`): serve, migrate, seed, token, source, import, export,
export-csv, export-schema, assets."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import errno
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from api.logs import configure_logging
from api.metrics import MULTIPROCESS_DIRECTORY
from api.settings import Settings
from api.startup import RETRY_SECONDS, check
from api.web.assets import AssetError, install, missing
from db import source_texts, tokens
from db.engine import create_engine, create_sessionmaker, write_transaction
from db.enums import TokenRole
from db.faults import sqlite_folder_problem, where, why
from db.migrate import upgrade
from db.models import Document
from db.queries import by_slugs, count_of
from db.visibility import Audience
from schema.ids import global_id
from seeds.csv_import import CSV_IMPORT_KINDS, import_csv
from seeds.errors import SeedError
from seeds.export import CSV_KINDS, export_database, read_database, write_csv
from seeds.loader import seed_database
from seeds.source_files import ExtractedText, read_source_file
from seeds.synthetic import SyntheticRegisterExists, generate_into

log = logging.getLogger("footprint.cli")

DATABASE_HELP = """\
the database:
  DATABASE_URL  postgresql://user:password@host:5432/database, or sqlite:///path/file.db;
                unset: the SQLite file ./footprint.db, which serve creates and seeds.
  Every other setting is a FOOTPRINT_* variable (or a line in ./.env): docs/operations.md.
"""


class UsageError(Exception):
    """A command given arguments it cannot use: said with that command's own usage."""


class CommandFailed(Exception):
    """A command could not do its work; the message says what and why."""


def _number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="footprint",
        description="Footprint: a register of who shaped public guidance.",
        epilog=DATABASE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help,
            description=help[:1].upper() + help[1:] + ".",
            epilog=DATABASE_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    serve = command("serve", "serve the API, GraphiQL at /graphql and the dashboard")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; 0.0.0.0: all)")
    serve.add_argument("--port", type=_number(1, 65535), help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=_number(1, 64), help="worker processes (default 1)")
    serve.add_argument(
        "--check",
        action="store_true",
        help="only check that the database answers, migrated, then exit (0: it does)",
    )

    command("migrate", "bring the database schema up to date")

    seed = command("seed", "load the curated records of the source documents")
    seed.add_argument(
        "--synthetic",
        type=int,
        metavar="DOCUMENTS",
        help="instead, add a synthetic register of this many documents (for scale tests)",
    )
    seed.add_argument("--random-seed", type=int, default=1, help="for --synthetic (default 1)")

    token = command("token", "manage editors' and admins' bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="issue a token (it is shown only once)")
    create.add_argument("name", help="who or what holds it, e.g. alice-laptop")
    create.add_argument("--role", choices=["editor", "admin"], default="editor")
    create.add_argument(
        "--expires-in-days", type=_number(1, 36_500), metavar="DAYS", help="default: never"
    )
    token_commands.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token_commands.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name")

    source = command("source", "attach a document's text from the file it was published as")
    source_commands = source.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    attach = source_commands.add_parser(
        "add",
        help="attach a PDF, web page (.html), Word file (.docx) or plain text to a document; "
        "its older texts are kept and every quote from it is checked again",
    )
    attach.add_argument("slug", help="the document's slug")
    attach.add_argument("file", type=Path, metavar="FILE")
    attach.add_argument("--url", help="where the file was read")
    attach.add_argument(
        "--retrieved", type=_day, metavar="DATE", help="the day it was read, YYYY-MM-DD"
    )
    attach.add_argument(
        "--actor", default="source", help="who the audit trail names (default source)"
    )

    load = command("import", "load an export (or any folder in the seed format), all or nothing")
    load.add_argument("directory", type=Path, metavar="DIR")
    load.add_argument(
        "--dry-run", action="store_true", help="check and count the changes, write nothing"
    )
    load.add_argument(
        "--actor", default="import", help="who the audit trail names (default import)"
    )

    sheet = command("import-csv", "add consultations from a spreadsheet's CSV, all or nothing")
    sheet.add_argument("kind", choices=CSV_IMPORT_KINDS)
    sheet.add_argument("file", type=Path, metavar="FILE")
    sheet.add_argument(
        "--dry-run", action="store_true", help="check and list the changes, write nothing"
    )
    sheet.add_argument(
        "--actor", default="import", help="who the audit trail names (default import)"
    )

    dump = command("export", "write the whole register in the seed format")
    dump.add_argument(
        "--output",
        type=Path,
        default=Path("footprint-export"),
        metavar="DIR",
        help="folder to write (default ./footprint-export); an earlier export there is replaced",
    )

    table = command("export-csv", "write consultations or influences as CSV")
    table.add_argument("kind", choices=CSV_KINDS)
    table.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")

    assets = commands.add_parser(
        "assets", help="the browser files (GraphiQL, D3), pinned in a lock file"
    )
    asset_commands = assets.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    fetch = asset_commands.add_parser(
        "install", help="fetch them from the npm registry, check their hashes, install them"
    )
    fetch.add_argument("--force", action="store_true", help="fetch again even if installed")

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Each (sub)command keeps its own parser in `args.parser`, to say its own usage on errors."""
    parser.set_defaults(parser=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _remember_parsers(child)


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


def _actor(args: argparse.Namespace) -> str:
    """The --actor a command records its changes under, checked."""
    actor: str = args.actor.strip()
    if not actor or len(actor) > 100:
        raise UsageError("--actor must be 1 to 100 characters")
    return actor


def _import(settings: Settings, args: argparse.Namespace) -> None:
    directory: Path = args.directory
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise UsageError(f"{directory} {what}: give the folder of an export")
    actor = _actor(args)
    report = asyncio.run(
        seed_database(settings.database_url, directory, actor=actor, dry_run=args.dry_run)
    )
    if args.dry_run:
        print(f"Dry run, nothing written. It would make: {report.summary()}")
        for line in report.details():
            print(line)
    else:
        print(f"Imported {directory}: {report.summary()}")


def _source_add(settings: Settings, args: argparse.Namespace) -> None:
    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"{path} {'is not a file' if path.exists() else 'does not exist'}")
    if args.url is not None and not re.fullmatch(r"https?://\S+", args.url):
        raise UsageError("--url must be an http(s) address without spaces")
    _actor(args)
    found = read_source_file(path)
    attached = asyncio.run(_attach(settings.database_url, args, found))
    pages = f", {len(found.pages)} pages" if found.pages else ""
    print(
        f"Attached {path.name} to {args.slug}: {len(found.text)} characters{pages}, "
        f"sha256 {attached.source_text.sha256[:12]}. Quotes verified: {attached.verified}; "
        f"no longer matching: {len(attached.mismatched)}."
    )
    for evidence in attached.mismatched:
        print(
            f"MISMATCH {global_id('Evidence', evidence.id)} ({evidence.locator}): "
            f"{evidence.quote[:80]!r}"
        )


async def _attach(
    database_url: str, args: argparse.Namespace, found: ExtractedText
) -> source_texts.Attached:
    engine = create_engine(database_url)
    try:
        async with write_transaction(create_sessionmaker(engine)) as session:
            document = (await by_slugs(session, Document, [args.slug])).get(args.slug)
            if document is None or document.retracted_at is not None:
                raise CommandFailed(f"no document has the slug '{args.slug[:100]}'")
            attached = await source_texts.attach(
                session,
                document_id=document.id,
                text=found.text,
                content_type=found.content_type,
                url=args.url,
                retrieved_on=args.retrieved,
                pages=found.pages,
                actor=_actor(args),
            )
    finally:
        await engine.dispose()
    return attached


def _import_csv(settings: Settings, args: argparse.Namespace) -> None:
    path: Path = args.file
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise UsageError(f"{path} {what}: give a CSV file")
    actor = _actor(args)
    report = asyncio.run(
        import_csv(settings.database_url, args.kind, path, actor=actor, dry_run=args.dry_run)
    )
    if args.dry_run:
        print(f"Dry run, nothing written. It would make: {report.summary()}")
        for line in report.details():
            print(line)
    else:
        print(f"Imported {path}: {report.summary()}")


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
    problem = sqlite_folder_problem(settings.database_url)
    if problem is not None:  # said before the migration tool meets it in a worse way
        raise CommandFailed(f"cannot use {where(settings.database_url)}: {problem}")
    upgrade(settings.database_url)
    if asyncio.run(_is_empty(settings.database_url)):
        _seed(settings)


def _install_assets(settings: Settings, *, force: bool = False) -> None:
    installed = install(settings.assets_dir, registry=settings.npm_registry, force=force)
    names = ", ".join(f"{package.name}@{package.version}" for package in installed)
    print(
        f"Installed {names} in {settings.assets_dir}."
        if installed
        else f"The browser files are already installed in {settings.assets_dir}.",
        file=sys.stderr,
    )


def _prepare_assets(settings: Settings) -> None:
    """First run: fetch the browser files; offline, serve anyway (the pages say what to do)."""
    if not missing(settings.assets_dir):
        return
    try:
        installed = install(settings.assets_dir, registry=settings.npm_registry)
    except AssetError as error:
        log.warning("the browser files are not installed", extra={"error": str(error)})
        return
    log.info(
        "installed the browser files",
        extra={"packages": [f"{p.name}@{p.version}" for p in installed]},
    )


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    url = settings.database_url
    if args.check:
        problem = check(url, settings.db_connect_timeout)
        if problem is not None:
            raise CommandFailed(str(problem))
        print(f"Footprint: {where(url)} answers, its schema up to date.", file=sys.stderr)
        return
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    _check_address(host, port)
    if settings.embedded and settings.auto_setup:
        _prepare_embedded(settings)
    if settings.graphiql and settings.assets_auto_install:
        _prepare_assets(settings)
    problem = check(url, settings.db_connect_timeout)
    if problem is None:
        print(f"Footprint: using {where(url)}.", file=sys.stderr)
    else:
        print(
            f"footprint: {problem}\nServing anyway: the pages load and say what is wrong, and "
            f"/graphql answers 503 until the database answers; trying it every "
            f"{RETRY_SECONDS:g} s.",
            file=sys.stderr,
        )
    print(
        f"Footprint: serving http://{host}:{port}/dashboard and http://{host}:{port}/graphql "
        "(Ctrl-C stops).",
        file=sys.stderr,
    )
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


def _check_address(host: str, port: int) -> None:
    """Fail now, naming host:port and why, rather than after setting up (uvicorn binds later)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CommandFailed(f"cannot listen on {host}:{port}: {error.strerror}") from None
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            hint = (
                ": another server uses it; pick another port with --port"
                if error.errno == errno.EADDRINUSE
                else ""
            )
            reason = (error.strerror or str(error)).lower()
            raise CommandFailed(f"cannot listen on {host}:{port}: {reason}{hint}") from None


async def _token(database_url: str, args: argparse.Namespace) -> None:
    engine = create_engine(database_url)
    try:
        async with write_transaction(create_sessionmaker(engine)) as session:
            if args.token_command == "create":
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
                rows = await tokens.all_tokens(session)  # before the header: it may fail
                print("name\trole\tprefix\tcreated\texpires\tstatus")
                for row in rows:
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
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # Said by the command given, with its own usage (not the top level's).
        args.parser.error(f"unrecognised arguments: {' '.join(extra)}")
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"footprint: invalid configuration: {problems}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        _run(args, settings)
    except UsageError as error:
        args.parser.error(str(error))
    except (
        CommandFailed,
        SeedError,
        SyntheticRegisterExists,
        AssetError,
        ValueError,
        LookupError,
    ) as error:
        print(f"footprint: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away (`footprint export-csv ... | head`): not an error.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, DBAPIError) as error:
        print(f"footprint: {_what_failed(error, args.command, settings)}", file=sys.stderr)
        return 1
    return 0


def _what_failed(error: OSError | DBAPIError, command: str, settings: Settings) -> str:
    """A file or folder and why, or the database (host:port or file) and why."""
    if isinstance(error, OSError) and error.filename is not None:
        verb = "read" if command in ("import", "import-csv") else "write"
        reason = (error.strerror or type(error).__name__).lower()
        return f"cannot {verb} {error.filename}: {reason}"
    return f"cannot use {where(settings.database_url)}: {why(error, settings.database_url)}"


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
    elif args.command == "source":
        _source_add(settings, args)
    elif args.command == "import":
        _import(settings, args)
    elif args.command == "import-csv":
        _import_csv(settings, args)
    elif args.command == "export":
        _export(settings, args.output)
    elif args.command == "export-csv":
        _export_csv(settings, args.kind, args.output)
    elif args.command == "export-schema":
        _export_schema(args.output)
    elif args.command == "assets":
        _install_assets(settings, force=args.force)
