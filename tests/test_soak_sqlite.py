"""SQLite under write load: 20 writers for 30 s against a real server with two workers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.soak import issue_tokens, run_load, serve

pytestmark = pytest.mark.soak


async def test_20_writers_for_30_s_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    url = f"sqlite+aiosqlite:///{path}"
    # The first start migrates and seeds the empty file; tokens are issued once it exists.
    with serve(url, tmp_path, mutations_per_minute="0", workers="2") as server:
        writer_tokens = await issue_tokens(url, [f"writer{n}" for n in range(20)])
        tally = await run_load(server.url, 30, 0, writer_tokens)
    log = server.log.read_text()
    print(
        f"\nsqlite: {sum(tally.statuses.values())} requests, statuses {dict(tally.statuses)}, "
        f"codes {dict(tally.codes)}, p50 {tally.percentile(0.5) * 1000:.0f} ms, "
        f"p95 {tally.percentile(0.95) * 1000:.0f} ms, acknowledged {len(tally.acknowledged)}"
    )
    locked = [line for line in log.splitlines() if "database is locked" in line]
    assert not locked, locked[:3]
    assert tally.server_errors() == 0, tally.statuses
    assert not tally.codes, tally.codes
    assert not tally.refused_writes, tally.refused_writes[:5]
    with sqlite3.connect(path) as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert database.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {
            slug
            for (slug,) in database.execute(
                "SELECT slug FROM organisation WHERE slug LIKE 'load-%'"
            )
        }
        (audited,) = database.execute(
            "SELECT count(*) FROM audit_entry a JOIN organisation o ON o.id = a.entity_id "
            "WHERE a.entity = 'organisation' AND a.action = 'CREATE' AND o.slug LIKE 'load-%'"
        ).fetchone()
    assert len(tally.acknowledged) > 100
    assert tally.acknowledged == rows
    assert audited == len(rows)
