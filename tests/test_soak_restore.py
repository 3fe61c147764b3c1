"""The restore drill: backups taken while writers run restore to the same rows."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
import yaml

from db.models import Base
from tests.databases import migrate
from tests.soak import cluster_database, issue_tokens, run_load, serve

pytestmark = pytest.mark.soak

TABLES = [table.name for table in Base.metadata.sorted_tables]


def footprint(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "api", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        timeout=120,
        capture_output=True,
    )


async def table_counts(connection: asyncpg.Connection) -> dict[str, int]:
    return {t: int(await connection.fetchval(f'SELECT count(*) FROM "{t}"')) for t in TABLES}


async def test_export_and_pg_dump_under_write_load_restore_to_the_same_rows(
    tmp_path: Path,
) -> None:
    async with cluster_database() as url:
        dsn = url.replace("+asyncpg", "")
        writer_tokens = await issue_tokens(url, [f"writer{n}" for n in range(5)])
        with serve(url, tmp_path, mutations_per_minute="0") as server:
            load = asyncio.create_task(run_load(server.url, 20, 5, writer_tokens))
            await asyncio.sleep(6)
            # pg_dump in a snapshot we count in too, so "the same rows" is exact.
            source = await asyncpg.connect(dsn)
            snapshot = source.transaction(isolation="repeatable_read", readonly=True)
            await snapshot.start()
            name = await source.fetchval("SELECT pg_export_snapshot()")
            at_dump = await table_counts(source)
            dump = tmp_path / "register.dump"
            await asyncio.to_thread(
                subprocess.run,
                ["pg_dump", "-Fc", f"--snapshot={name}", "-f", str(dump), dsn],
                check=True,
                timeout=120,
            )
            await snapshot.rollback()
            await source.close()
            exported = tmp_path / "export"
            await asyncio.to_thread(footprint, url, "export", "--output", str(exported))
            tally = await load
        dumped_rows = await _restored_counts(dsn, dump)
        round_trip, restored_organisations = await _imported(dsn, exported, tmp_path)
    in_export = len(yaml.safe_load((exported / "organisations.yaml").read_text()))
    print(
        f"\nrestore: {len(tally.acknowledged)} writes during the drill; pg_dump rows "
        f"{sum(at_dump.values())} restored {sum(dumped_rows.values())}; export organisations "
        f"{in_export} imported {restored_organisations}"
    )
    assert at_dump["organisation"] > 0 and len(tally.acknowledged) > 0
    assert dumped_rows == at_dump
    assert restored_organisations == in_export
    assert round_trip  # the restored register exports to the very same files


async def _restored_counts(dsn: str, dump: Path) -> dict[str, int]:
    target = f"footprint_restore_{uuid.uuid4().hex[:10]}"
    admin = dsn.rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_dsn = dsn.rsplit("/", 1)[0] + f"/{target}"
        await asyncio.to_thread(
            subprocess.run,
            ["pg_restore", "--no-owner", "-d", restored_dsn, str(dump)],
            check=True,
            timeout=120,
        )
        restored = await asyncpg.connect(restored_dsn)
        try:
            return await table_counts(restored)
        finally:
            await restored.close()
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await connection.close()


async def _imported(dsn: str, exported: Path, tmp_path: Path) -> tuple[bool, int]:
    """Import the export into a new database; does it export to the same files?"""
    target = f"footprint_restore_{uuid.uuid4().hex[:10]}"
    admin = dsn.rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{target}"')
    try:
        url = dsn.rsplit("/", 1)[0] + f"/{target}"
        await asyncio.to_thread(migrate, url)
        await asyncio.to_thread(footprint, url, "import", str(exported))
        again = tmp_path / "export-again"
        await asyncio.to_thread(footprint, url, "export", "--output", str(again))
        same = _files(exported) == _files(again)
        restored = await asyncpg.connect(url)
        try:
            organisations = int(await restored.fetchval("SELECT count(*) FROM organisation"))
        finally:
            await restored.close()
        return same, organisations
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await connection.close()


def _files(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): path.read_text()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
