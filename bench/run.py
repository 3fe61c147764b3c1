"""`python -m bench [--quick]`: load the registers, start the servers, measure, write the report.

Servers run pinned to core 0 (`taskset -c 0`), this process (the load generator) to core 1.
Every measurement is interleaved (request by request for latency, run by run for throughput),
so a noisy moment on a shared machine falls on all of them alike, and the ratios compare like
with like.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench import load, servers
from bench.load import Sample, Target
from bench.queries import CLIENT_SHAPED, QUESTIONS, Question
from bench.register import Register, postgresql_register, sqlite_register
from bench.report import Measurements, update_figures, write_report
from bench.statements import statements_per_question

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REPORTS = Path(__file__).parent / "reports"
SERVER_CPUS = "0"
LOAD_CPUS = {1}


@dataclass(frozen=True)
class Profile:
    rounds: int
    seconds: float  # per target per round, at one client
    at_least: int  # requests per target per round, however long they take
    throughput_seconds: float  # per target per round, at `clients` clients
    clients: int
    memory_clients: int
    documents: int  # the main register
    small: int  # the two registers compared for growth
    large: int


FULL = Profile(3, 2.0, 5, 3.0, 8, 50, 2000, 100, 1000)
QUICK = Profile(1, 0.3, 2, 0.5, 8, 50, 2000, 100, 1000)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, for development")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL),
        help="a PostgreSQL database on the cluster to create the bench databases in "
        f"(default {DEFAULT_ADMIN_URL}, or BENCH_ADMIN_URL)",
    )
    parser.add_argument(
        "--port-base", type=int, default=8500, help="servers listen from here (default 8500)"
    )
    parser.add_argument("--output", type=Path, default=REPORTS, help="report folder")
    return parser.parse_args(argv)


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def running(started: list[servers.Server]) -> Iterator[None]:
    try:
        for server in started:
            server.wait_ready()
        yield
    finally:
        for server in started:
            server.stop()


def _measure_interleaved(
    targets: Sequence[Target], profile: Profile, *, clients: int, seconds: float, at_least: int
) -> dict[Target, Sample]:
    samples = {target: Sample() for target in targets}
    for number in range(profile.rounds):
        # Rotate the order each round, so no target always follows the same neighbour.
        order = [*targets[number:], *targets[:number]] if targets else []
        for target in order:
            sample = asyncio.run(
                load.run(target, clients=clients, seconds=seconds, at_least=at_least)
            )
            samples[target].add(sample)
    return samples


def _latency(targets: Sequence[Target], profile: Profile) -> dict[Target, Sample]:
    """Per question, one client asks its servers in turn, request by request."""
    samples = {target: Sample() for target in targets}
    questions = list(dict.fromkeys(target.question for target in targets))
    for _ in range(profile.rounds):
        for question in questions:
            same = [target for target in targets if target.question == question]
            found = asyncio.run(
                load.cycle(same, seconds=profile.seconds * len(same), at_least=profile.at_least)
            )
            for target, sample in found.items():
                samples[target].add(sample)
    return samples


def _throughput(targets: Sequence[Target], profile: Profile) -> dict[Target, Sample]:
    return _measure_interleaved(
        targets,
        profile,
        clients=profile.clients,
        seconds=profile.throughput_seconds,
        at_least=profile.clients,
    )


def _check_answers(
    footprint: Callable[[Question], Target], floor: Callable[[Question], Target]
) -> list[str]:
    """The floor must answer exactly what Footprint answers, or the ratio means nothing."""
    checked = []
    for question in QUESTIONS:
        if question.floor is None:
            continue
        ours = orjson.loads(asyncio.run(load.fetch(footprint(question))))
        theirs = orjson.loads(asyncio.run(load.fetch(floor(question))))
        if ours != theirs:
            raise RuntimeError(f"the floor's answer to ({question.key}) differs from Footprint's")
        checked.append(question.key)
    return checked


def _end_cursor(answer: object) -> str | None:
    if isinstance(answer, dict):
        info = answer.get("pageInfo")
        if isinstance(info, dict) and isinstance(info.get("endCursor"), str):
            return str(info["endCursor"])
        answer = list(answer.values())
    if isinstance(answer, list):
        for value in answer:
            found = _end_cursor(value)
            if found is not None:
                return found
    return None


def _second_page(footprint: Callable[[Question], Target], question: Question) -> Question:
    """The client-shaped question's page 2: `after` the endCursor its page 1 answers."""
    cursor = _end_cursor(orjson.loads(asyncio.run(load.fetch(footprint(question)))))
    if cursor is None:
        raise RuntimeError(f"({question.key}) answers no endCursor to ask page 2 after")
    variables = {**(question.variables or {}), "after": cursor}
    return dataclasses.replace(
        question, key=f"{question.key} p2", title=f"{question.title}, page 2", variables=variables
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    profile = QUICK if args.quick else FULL
    began = time.perf_counter()
    _say("preparing the registers (loaded once, then reused)")
    main_pg = postgresql_register(args.admin_url, profile.documents)
    small_pg = postgresql_register(args.admin_url, profile.small)
    large_pg = postgresql_register(args.admin_url, profile.large)
    main_sqlite = sqlite_register(profile.documents)
    registers = [main_pg, small_pg, large_pg, main_sqlite]
    for register in registers:
        how = f"loaded in {register.loaded_in:.0f} s" if register.loaded_in else "reused"
        _say(f"  {register.documents} documents at {_where(register)}: {how}")

    _say("counting SQL statements per request")
    statements = {
        f"{register.documents} documents": statements_per_question(register.url)
        for register in (small_pg, large_pg)
    }

    port = args.port_base
    started = {
        "footprint": servers.footprint("footprint", main_pg.url, port, cpus=SERVER_CPUS),
        "footprint-no-policies": servers.footprint(
            "footprint-no-policies", main_pg.url, port + 1, cpus=SERVER_CPUS, policies=False
        ),
        "floor": servers.floor(main_pg.dsn, port + 2, cpus=SERVER_CPUS),
        "postgraphile": servers.postgraphile(main_pg.dsn, port + 3, cpus=SERVER_CPUS),
        "footprint-sqlite": servers.footprint(
            "footprint-sqlite", main_sqlite.url, port + 4, cpus=SERVER_CPUS
        ),
        f"footprint-{profile.small}": servers.footprint(
            f"footprint-{profile.small}", small_pg.url, port + 5, cpus=SERVER_CPUS
        ),
        f"footprint-{profile.large}": servers.footprint(
            f"footprint-{profile.large}", large_pg.url, port + 6, cpus=SERVER_CPUS
        ),
    }
    ports = {name: server.port for name, server in started.items()}
    os.sched_setaffinity(0, LOAD_CPUS)

    def footprint_target(name: str) -> Callable[[Question], Target]:
        return lambda q: Target.graphql(
            name, q.key, ports[name], q.footprint, q.operation_name, q.variables
        )

    def floor_target(q: Question) -> Target:
        return Target("floor", q.key, f"http://127.0.0.1:{ports['floor']}/q/{q.key}", None)

    def postgraphile_target(q: Question) -> Target:
        assert q.postgraphile is not None
        return Target.graphql("postgraphile", q.key, ports["postgraphile"], q.postgraphile)

    with running(list(started.values())):
        for server in started.values():
            server.watch_memory()
        _say("checking that the floor answers exactly what Footprint answers")
        checked = _check_answers(footprint_target("footprint"), floor_target)

        latency_targets: list[Target] = []
        for q in QUESTIONS:
            latency_targets.append(footprint_target("footprint")(q))
            latency_targets.append(footprint_target("footprint-no-policies")(q))
            if q.floor is not None:
                latency_targets.append(floor_target(q))
            if q.postgraphile is not None:
                latency_targets.append(postgraphile_target(q))
            if q.sqlite:
                latency_targets.append(footprint_target("footprint-sqlite")(q))
            latency_targets.append(footprint_target(f"footprint-{profile.small}")(q))
            latency_targets.append(footprint_target(f"footprint-{profile.large}")(q))
        client_shaped = [
            *CLIENT_SHAPED,
            *(_second_page(footprint_target("footprint"), q) for q in CLIENT_SHAPED),
        ]
        for q in client_shaped:
            latency_targets.append(footprint_target("footprint")(q))
            if q.sqlite:
                latency_targets.append(footprint_target("footprint-sqlite")(q))
        _say(f"warming up {len(latency_targets)} targets")
        for target in latency_targets:
            asyncio.run(load.run(target, clients=1, seconds=0.0, at_least=3))

        _say(f"latency at 1 client: {profile.rounds} rounds, servers asked in turn")
        latency = _latency(latency_targets, profile)

        throughput_targets = [
            make(q)
            for q in QUESTIONS
            if q.postgraphile is not None
            for make in (footprint_target("footprint"), floor_target, postgraphile_target)
        ] + [footprint_target("footprint")(q) for q in client_shaped]
        _say(f"throughput at {profile.clients} clients")
        throughput = _throughput(throughput_targets, profile)

        _say(f"memory with {profile.memory_clients} clients")
        memory_question = QUESTIONS[0]
        # The server has been watched since it started: its peak covers this burst and the rest.
        memory_sample = asyncio.run(
            load.run(
                footprint_target("footprint")(memory_question),
                clients=profile.memory_clients,
                seconds=0.0,
                at_least=profile.memory_clients,
            )
        )
        peaks = {name: s.stop_watching() for name, s in started.items()}
        memory_peak = peaks["footprint"]

    _say("workers: 1 and 2, unpinned")
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    workers = _measure_workers(main_pg, args.port_base + 10, profile)

    measurements = Measurements(
        profile=profile.__dict__,
        machine=_machine(),
        registers={_where(r): r.documents for r in registers},
        checked=checked,
        statements=statements,
        latency=latency,
        throughput=throughput,
        memory_question=memory_question.key,
        memory_clients=profile.memory_clients,
        memory_peak=memory_peak,
        memory_sample=memory_sample,
        peaks=peaks,
        workers=workers,
        small=profile.small,
        large=profile.large,
        quick=args.quick,
        took=time.perf_counter() - began,
    )
    markdown, json_path = write_report(measurements, args.output)
    if not args.quick:
        update_figures(measurements)  # the performance guide shows the latest full run
    _say(f"report: {markdown} and {json_path}")
    print(markdown.read_text())
    return 0


def _measure_workers(register: Register, port: int, profile: Profile) -> dict[int, Sample]:
    """Requests/s of `footprint serve --workers N` at N = 1 and 2, on every core, interleaved."""
    question = QUESTIONS[1]
    results: dict[int, Sample] = {}
    started = [
        servers.footprint(f"workers-{n}", register.url, port + n, cpus=None, workers=n)
        for n in (1, 2)
    ]
    with running(started):
        targets = [
            Target.graphql(f"workers-{n}", question.key, port + n, question.footprint)
            for n in (1, 2)
        ]
        for target in targets:
            # Every worker warms its pool and caches, not only the first to accept.
            asyncio.run(load.run(target, clients=profile.clients, seconds=1.0, at_least=16))
        samples = _throughput(targets, profile)
        for n, target in zip((1, 2), targets, strict=True):
            results[n] = samples[target]
    return results


def _where(register: Register) -> str:
    return register.dsn.rsplit("/", 1)[-1] if register.dsn else register.url.rsplit("/", 1)[-1]


def _machine() -> dict[str, str]:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "node": node,
        "cpus": str(os.cpu_count()),
        "platform": platform.platform(),
    }
