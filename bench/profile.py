"""`python -m bench.profile KEY`: where one question's time goes, by pyinstrument, in process.

Profile before optimising: this asks question KEY (a to e, bench/queries.py) of a register a
few times through the whole app (middleware, GraphQL, loaders, SQL) and prints the call tree.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

import httpx
from pyinstrument import Profiler

from api.app import create_app
from api.settings import Settings
from bench.queries import QUESTIONS

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/footprint_bench_2000"


async def _profile(url: str, key: str, times: int, compiled: bool) -> str:
    question = next(q for q in QUESTIONS if q.key == key)
    settings = Settings(_env_file=None, database_url=url, compiled_reads=compiled)  # type: ignore[call-arg]
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    profiler = Profiler(async_mode="enabled")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.post("/graphql", json={"query": question.footprint})  # warm up
            profiler.start()
            for _ in range(times):
                await client.post("/graphql", json={"query": question.footprint})
            profiler.stop()
    finally:
        await app.state.engine.dispose()
    text: str = profiler.output_text(unicode=True, color=False)
    return text


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("key", choices=[q.key for q in QUESTIONS])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--field-by-field", action="store_true", help="without the compiled path")
    args = parser.parse_args(argv)
    print(asyncio.run(_profile(args.database_url, args.key, args.times, not args.field_by_field)))


if __name__ == "__main__":
    main()
