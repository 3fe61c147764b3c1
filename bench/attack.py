"""`python -m bench.attack`: the most expensive anonymous request the limits allow, and what
it does to a bystander.

On the 2,000-document PostgreSQL register (bench/register.py), Footprint runs as the
benchmark runs it (uvicorn, one process, pinned to core 0; this process on core 1). The search
builds fan-outs through every list field of the schema (bench/fanouts.py): three lists deep,
the three widest lists at each level, every scalar of the last type, each at the largest root
page the anonymous limits allow, beside a few heavy reads of real shape; the most costly are
also written with a variable's default, split over as many aliases as allowed, and through a
fragment. Candidates are sent one at a time, most costly first (by the cost rule), within a
time budget. Reported: the worst wall time, and the growth of the server's resident memory
(its peak during the search, less its size after a warm-up). Then `--clients` clients send the
slowest allowed query back to back while a bystander sends
`{ documents(first:1){ totalCount } }` every 0.2 s: its statuses and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import orjson

from bench import servers
from bench.fanouts import cost, fan_outs, refused_codes
from bench.register import postgresql_register
from schema import build_schema
from schema.reads.limits import QueryLimits

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REPORT = Path(__file__).parent / "reports" / "attack.md"
PAGES = (100, 50, 20, 10, 5, 2, 1)
BYSTANDER = "{ documents(first:1){ totalCount } }"
# Heavy reads of real shape, beside the generated fan-outs ($N: the largest page allowed);
# __typename keeps them off the compiled path, which would answer them in one statement.
KNOWN = {
    "documents, principles, who shaped them": """{ documents(first: $N) { nodes { slug title
        principles { position text shapedBy { effect organisation { slug name __typename } } }
        } } }""",
    "organisations, the principles they shaped, who else did": """{ organisations(first: $N) {
        nodes { slug influences { effect principle { title shapedBy { effect
        organisation { slug name __typename } } } } } } }""",
    "documents, consultees, their influences": """{ documents(first: $N) { nodes { slug
        consultations(first: 100) { nodes { role organisation { slug influences { effect
        principle { title __typename } } } } } } } }""",
    "topics, their principles and documents": """{ topics { name principles { title
        document { slug title consultations(first: 100) { nodes { role organisation { name } } }
        } } } }""",
}
HEADERS = {"content-type": "application/json"}


@dataclass
class Tried:
    name: str
    query: str
    cost: int
    last: str = ""  # the type selected at the bottom
    seconds: float = 0.0
    status: int = 0
    size: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status == 200 and not self.codes


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.attack", description=__doc__)
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8760)
    parser.add_argument("--budget", type=float, default=240.0, help="seconds of searching")
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=30.0, help="of the bystander phase")
    parser.add_argument("--output", type=Path, default=REPORT)
    return parser.parse_args(argv)


def _say(message: str) -> None:
    print(f"[attack {time.strftime('%H:%M:%S')}] {message}", flush=True)


async def _names(dsn: str) -> dict[str, str]:
    connection = await asyncpg.connect(dsn)
    try:
        slugs = await connection.fetch(
            "SELECT slug FROM document WHERE published AND retracted_at IS NULL ORDER BY id LIMIT 2"
        )
        foi = await connection.fetchval("SELECT reference FROM foi_request ORDER BY id LIMIT 1")
    finally:
        await connection.close()
    return {"DOCUMENT": slugs[0]["slug"], "OTHER": slugs[1]["slug"], "FOI": str(foi)}


def _fill(query: str, names: dict[str, str]) -> str:
    for name, value in names.items():
        query = query.replace(f"${name}", f'"{value}"')
    return query


ROOT_ARGUMENTS = {
    "search": 'text: "police"',
    "consultationAnswer": "documentSlug: $DOCUMENT",
    "compareDocuments": "a: $DOCUMENT, b: $OTHER",
    "foiRequest": "reference: $FOI",
}


def candidates(names: dict[str, str], limits: QueryLimits) -> list[Tried]:
    """Every fan-out at the largest root page the limits allow, and variants of the costliest."""
    schema = build_schema()._schema
    by_page = {
        page: list(fan_outs(schema, ROOT_ARGUMENTS, levels=3, choices=3, first=page))
        for page in PAGES
    }
    found: list[Tried] = []
    for index, fan in enumerate(by_page[PAGES[0]]):
        for page in PAGES:
            query = _fill(by_page[page][index].query, names)
            if not refused_codes(schema, query, limits):
                name = f"{fan.through} x{fan.levels} first:{page}"
                found.append(Tried(name, query, 0, fan.last))
                break
    for name, text in KNOWN.items():
        for page in PAGES:
            query = text.replace("$N", str(page))
            if not refused_codes(schema, query, limits):
                found.append(Tried(f"{name} first:{page}", query, 0))
                break
    for tried in found:
        tried.cost = cost(schema, tried.query)
    found.sort(key=lambda t: -t.cost)
    variants: list[Tried] = []
    for tried in found[:12]:
        for name, query in _variants(tried, limits.max_aliases):
            if not refused_codes(schema, query, limits):
                variants.append(Tried(f"{tried.name} {name}", query, cost(schema, query)))
    return sorted(found + variants, key=lambda t: -t.cost)


def _variants(tried: Tried, aliases: int) -> list[tuple[str, str]]:
    query = tried.query
    body = query[1:-1].strip()  # the root field and all below it
    page = next((p for p in PAGES if f"(first: {p})" in body), None)
    found: list[tuple[str, str]] = []
    if page is not None:
        with_variable = body.replace(f"(first: {page})", "(first: $n)", 1)
        found.append(("variable default", f"query($n: Int = {page}) {{ {with_variable} }}"))
        share = max(page // aliases, 1)
        one = body.replace(f"(first: {page})", f"(first: {share})", 1)
        split = " ".join(f"a{i}: {one}" for i in range(aliases))
        found.append((f"{aliases} aliases", "{ " + split + " }"))
    # The innermost selection as a fragment, spread twice under two aliases.
    start = body.rfind("{")
    end = body.find("}", start)
    inner = body[start + 1 : end].strip()
    if tried.last and inner != "__typename":
        spread = body[: start + 1] + " ...F " + body[end:]
        found.append(("fragment", f"{{ {spread} }} fragment F on {tried.last} {{ {inner} }}"))
    return found


async def _send(session: aiohttp.ClientSession, url: str, query: str) -> tuple[int, bytes]:
    async with session.post(url, data=orjson.dumps({"query": query}), headers=HEADERS) as reply:
        return reply.status, await reply.read()


async def search(url: str, tried: list[Tried], budget: float) -> list[Tried]:
    """Send each candidate once, most costly first, until `budget` seconds have passed."""
    done: list[Tried] = []
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        for candidate in tried:
            if time.perf_counter() - started > budget:
                break
            began = time.perf_counter()
            try:
                status, body = await _send(session, url, candidate.query)
            except (aiohttp.ClientError, TimeoutError):
                status, body = 0, b"{}"
            candidate.seconds = time.perf_counter() - began
            candidate.status = status
            candidate.size = len(body)
            errors = orjson.loads(body).get("errors", []) if body[:1] == b"{" else []
            candidate.codes = [str(e.get("extensions", {}).get("code")) for e in errors]
            done.append(candidate)
    return done


@dataclass
class Crowd:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    attacks: Counter[int] = field(default_factory=Counter)

    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] if len(self.latencies) > 1 else 0


async def crowd(url: str, query: str, clients: int, seconds: float) -> Crowd:
    """`clients` send `query` back to back; a bystander asks BYSTANDER every 0.2 s."""
    found = Crowd()
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients + 1)
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def attacker() -> None:
            while time.perf_counter() < deadline:
                try:
                    status, _body = await _send(session, url, query)
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                found.attacks[status] += 1

        async def bystander() -> None:
            await asyncio.sleep(1.0)  # once the attackers are all in
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    status, _body = await _send(session, url, BYSTANDER)
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                found.latencies.append(time.perf_counter() - began)
                found.statuses[status] += 1
                await asyncio.sleep(0.2)

        await asyncio.gather(bystander(), *(attacker() for _ in range(clients)))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    limits = QueryLimits().for_reader(anonymous=True)  # what the server allows anonymous readers
    _say(f"register of {args.documents} documents")
    register = postgresql_register(args.admin_url, args.documents)
    names = asyncio.run(_names(register.dsn))
    tried = candidates(names, limits)
    _say(f"{len(tried)} allowed candidates; costliest {tried[0].cost} ({tried[0].name})")
    url = f"http://127.0.0.1:{args.port}/graphql"
    os.sched_setaffinity(0, {1})
    server = _start(register.url, args.port)
    try:
        asyncio.run(search(url, tried[-3:], 30))  # warm up: the cheapest, a few times
        baseline = server.rss()
        server.watch_memory()
        load_before = os.getloadavg()
        done = asyncio.run(search(url, tried, args.budget))
        peak = server.stop_watching()
    finally:
        server.stop()
    answered = sorted((t for t in done if t.answered), key=lambda t: -t.seconds)
    worst = answered[0] if answered else None
    _say(f"tried {len(done)}; slowest answered: {worst.seconds if worst else 0:.2f} s")
    # The slowest of all, and the slowest with one root field: aliased root fields each hold
    # a pooled connection, which is a finding of its own (issue 11, finding 2).
    single = next((t for t in answered if " aliases" not in t.name), None)
    crowds: list[tuple[Tried, Crowd]] = []
    for chosen in [worst] if single is worst else [worst, single]:
        if chosen is None:
            continue
        _say(f"{args.clients} clients sending: {chosen.name}")
        server = _start(register.url, args.port)  # a fresh server: no state from the last
        try:
            crowds.append(
                (chosen, asyncio.run(crowd(url, chosen.query, args.clients, args.seconds)))
            )
        finally:
            server.stop()
    load_after = os.getloadavg()
    report = _report(args, done, answered, baseline, peak, crowds, load_before, load_after)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)
    return 0


def _start(database_url: str, port: int) -> servers.Server:
    server = servers.footprint("attack", database_url, port, cpus=servers_cpus())
    try:
        server.wait_ready()
    except RuntimeError:
        server.stop()
        raise
    return server


def servers_cpus() -> str | None:
    return "0" if os.cpu_count() and (os.cpu_count() or 1) > 1 else None


def _report(
    args: argparse.Namespace,
    done: list[Tried],
    answered: list[Tried],
    baseline: int,
    peak: int,
    crowds: list[tuple[Tried, Crowd]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    mb = 1024 * 1024
    refused = Counter(code for t in done for code in t.codes)
    lines = [
        "# Attack benchmark",
        "",
        f"`python -m bench.attack` on {args.documents} documents (PostgreSQL), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (2 cores, shared).",
        "",
        f"- candidates sent: {len(done)}; answered: {len(answered)}; "
        f"refused by the server: {dict(refused) or 'none'}",
        f"- server RSS: {baseline / mb:.0f} MB after warm-up, peak {peak / mb:.0f} MB "
        f"(growth {(peak - baseline) / mb:.0f} MB)",
        "",
        "| slowest answered | cost counted | seconds | bytes |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t.name} | {t.cost} | {t.seconds:.2f} | {t.size} |" for t in answered[:8]]
    if answered:
        lines += ["", "Slowest query:", "", "```graphql", answered[0].query, "```"]
    for chosen, result in crowds:
        lines += [
            "",
            f"{args.clients} clients sending `{chosen.name}` for {args.seconds:.0f} s "
            f"(their statuses: {dict(result.attacks)}); the bystander's "
            f"`{BYSTANDER}`: statuses {dict(result.statuses)}, "
            f"p95 {result.p95():.2f} s, max {max(result.latencies, default=0):.2f} s.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
