"""The report: every figure, and every target as a ratio measured in this run, met or not."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.load import Sample, Target
from bench.queries import CLIENT_SHAPED, QUESTIONS

MB = 1024 * 1024


@dataclass
class Measurements:
    profile: dict[str, Any]
    machine: dict[str, str]
    registers: dict[str, int]
    checked: list[str]
    statements: dict[str, dict[str, int]]  # register -> question -> statements
    latency: dict[Target, Sample]
    throughput: dict[Target, Sample]
    memory_question: str
    memory_clients: int
    memory_peak: int
    memory_sample: Sample
    peaks: dict[str, int]
    workers: dict[int, Sample]
    small: int
    large: int
    quick: bool
    took: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _stats(sample: Sample) -> dict[str, float]:
    values = sample.latencies
    return {
        "requests": len(values),
        "p50_ms": statistics.median(values) * 1000,
        "p95_ms": _percentile(values, 0.95) * 1000,
        "rps": len(values) / sample.elapsed if sample.elapsed else 0.0,
        "errors": sample.errors,
    }


def _by(samples: dict[Target, Sample]) -> dict[tuple[str, str], dict[str, float]]:
    return {(t.server, t.question): _stats(s) for t, s in samples.items()}


@dataclass(frozen=True)
class Ratio:
    target: str
    measured: float
    goal: str
    met: bool
    shown: str


def ratios(m: Measurements) -> list[Ratio]:
    lat, thr = _by(m.latency), _by(m.throughput)
    found: list[Ratio] = []
    small, large = (f"{m.small} documents", f"{m.large} documents")
    for q in QUESTIONS:
        a, b = m.statements[small][q.key], m.statements[large][q.key]
        found.append(
            Ratio(
                f"({q.key}) SQL statements per request, {m.small} vs {m.large} documents",
                b / a,
                "identical",
                a == b,
                f"{a} vs {b}",
            )
        )
    for key, goal in (("a", 2.5), ("b", 2.5), ("c", 1.5)):
        value = lat["footprint", key]["p50_ms"] / lat["floor", key]["p50_ms"]
        found.append(
            Ratio(
                f"({key}) p50 Footprint / floor", value, f"≤ {goal}", value <= goal, f"{value:.2f}×"
            )
        )
    for key in ("a", "b"):
        value = thr["footprint", key]["rps"] / thr["postgraphile", key]["rps"]
        found.append(
            Ratio(
                f"({key}) requests/s Footprint / PostGraphile, {m.profile['clients']} clients",
                value,
                "≥ 1",
                value >= 1,
                f"{value:.2f}×",
            )
        )
    for q in QUESTIONS:
        value = (
            lat[f"footprint-{m.large}", q.key]["p50_ms"]
            / lat[f"footprint-{m.small}", q.key]["p50_ms"]
        )
        found.append(
            Ratio(
                f"({q.key}) p50 at {m.large} / at {m.small} documents",
                value,
                "≤ 10",
                value <= 10,
                f"{value:.2f}×",
            )
        )
    peak = m.memory_peak / MB
    found.append(
        Ratio(
            f"peak server memory, {m.memory_clients} clients on ({m.memory_question})",
            peak,
            "≤ 300 MB",
            peak <= 300,
            f"{peak:.0f} MB",
        )
    )
    for q in QUESTIONS:
        on = lat["footprint", q.key]["p50_ms"]
        off = lat["footprint-no-policies", q.key]["p50_ms"]
        cost = on / off - 1
        path = "compiled path: the policies do not run" if q.compiled else "field by field"
        found.append(
            Ratio(
                f"({q.key}) cost of the policies (error masking, limits) on p50, {path}",
                cost,
                "≤ 5 %",
                cost <= 0.05,
                f"{cost * 100:+.1f} %",
            )
        )
    return found


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def headline(m: Measurements) -> list[str]:
    rows = [[r.target, r.shown, r.goal, "yes" if r.met else "**no**"] for r in ratios(m)]
    return _table(rows, ["target", "measured", "goal", "met"])


def render(m: Measurements) -> str:
    lat, thr = _by(m.latency), _by(m.throughput)
    lines = [
        "# Footprint benchmark",
        "",
        f"{m.machine['when']}, {m.machine['cpus']} cores, Python {m.machine['python']}, "
        f"Node {m.machine['node']}; {'quick run (not for the record)' if m.quick else 'full run'}"
        f", {m.took / 60:.1f} minutes. Command: `.venv/bin/python -m bench"
        f"{' --quick' if m.quick else ''}`.",
        "",
        "Servers pinned to core 0, the load generator to core 1. Latency: one client asks the "
        "servers of a question in turn, request by request; throughput: each server in turn, "
        f"rotating; {m.profile['rounds']} rounds of each. Registers: "
        + ", ".join(f"{name} ({n} documents)" for name, n in m.registers.items())
        + ". The floor's JSON was checked equal to Footprint's for "
        + ", ".join(f"({k})" for k in m.checked)
        + ".",
        "",
        "## Targets",
        "",
        *headline(m),
        "",
        "## Latency at 1 client (PostgreSQL unless named)",
        "",
    ]
    rows = []
    # The literal questions, then the client-shaped ones (pages 1 and 2).
    keys = [q.key for q in QUESTIONS] + sorted({k for _, k in lat} - {q.key for q in QUESTIONS})
    titles = {q.key: q.title for q in (*QUESTIONS, *CLIENT_SHAPED)}
    for question_key in keys:
        for (server, key), s in lat.items():
            if key == question_key:
                title = titles.get(key, titles.get(key.removesuffix(" p2"), "") + ", page 2")
                rows.append(
                    [
                        f"({key}) {title}" if server == "footprint" else "",
                        server,
                        f"{s['p50_ms']:.1f}",
                        f"{s['p95_ms']:.1f}",
                        f"{s['rps']:.1f}",
                        str(int(s["requests"])),
                    ]
                )
    lines += _table(rows, ["question", "server", "p50 ms", "p95 ms", "requests/s", "requests"])
    lines += ["", f"## Throughput at {m.profile['clients']} clients", ""]
    rows = [
        [f"({key})", server, f"{s['rps']:.1f}", f"{s['p50_ms']:.1f}", f"{s['p95_ms']:.1f}"]
        for (server, key), s in thr.items()
    ]
    lines += _table(rows, ["question", "server", "requests/s", "p50 ms", "p95 ms"])
    lines += ["", "## SQL statements per request", ""]
    registers = list(m.statements)
    rows = [[f"({q.key})", *(str(m.statements[r][q.key]) for r in registers)] for q in QUESTIONS]
    lines += _table(rows, ["question", *registers])
    lines += ["", "## Memory (peak resident set, server and its children)", ""]
    rows = [[name, f"{peak / MB:.0f}"] for name, peak in m.peaks.items()]
    lines += _table(rows, ["server", "peak MB"])
    burst = _stats(m.memory_sample)
    lines += [
        "",
        f"The footprint server's peak includes a burst of {m.memory_clients} concurrent "
        f"clients on ({m.memory_question}): p50 {burst['p50_ms']:.0f} ms, "
        f"p95 {burst['p95_ms']:.0f} ms.",
        "",
        "## Workers (`footprint serve --workers N`, unpinned, both cores shared with the load "
        "generator)",
        "",
    ]
    one, two = _stats(m.workers[1]), _stats(m.workers[2])
    rows = [[str(n), f"{s['rps']:.1f}", f"{s['p50_ms']:.1f}"] for n, s in ((1, one), (2, two))]
    lines += _table(rows, ["workers", "requests/s on (b)", "p50 ms"])
    lines += ["", f"2 workers / 1 worker: {two['rps'] / one['rps']:.2f}× requests/s.", ""]
    return "\n".join(lines)


FIGURES = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def readme_block(m: Measurements) -> str:
    """The performance guide's figures: when and how, every target, and p50 beside the floor
    and peer."""
    lat = _by(m.latency)
    lines = [
        f"From `bench/reports/latest.md` ({m.machine['when'][:10]}, {m.machine['cpus']} cores "
        "shared with other work, so absolute times are noisy; the ratios come from one run).",
        "",
        *headline(m),
        "",
    ]
    rows = []
    for q in QUESTIONS:
        cells = [f"({q.key})"]
        for server in ("footprint", "floor", "postgraphile", "footprint-sqlite"):
            found = lat.get((server, q.key))
            cells.append(f"{found['p50_ms']:.0f}" if found else "")
        rows.append(cells)
    header = ["question", "Footprint p50 ms", "floor", "PostGraphile", "Footprint on SQLite"]
    lines += _table(rows, header)
    return "\n".join(lines)


def update_figures(m: Measurements, readme: Path = FIGURES) -> None:
    text = readme.read_text()
    if START not in text or END not in text:
        return
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    readme.write_text(f"{before}{START}\n{readme_block(m)}\n{END}{after}")


def write_report(m: Measurements, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    name = "latest-quick" if m.quick else "latest"
    markdown = folder / f"{name}.md"
    markdown.write_text(render(m))
    data = {
        "machine": m.machine,
        "profile": m.profile,
        "registers": m.registers,
        "checked": m.checked,
        "statements": m.statements,
        "latency": [
            {"server": t.server, "question": t.question, **_stats(s)} for t, s in m.latency.items()
        ],
        "throughput": [
            {"server": t.server, "question": t.question, **_stats(s)}
            for t, s in m.throughput.items()
        ],
        "memory_peak_mb": {name: peak / MB for name, peak in m.peaks.items()},
        "workers": {str(n): _stats(s) for n, s in m.workers.items()},
        "ratios": [r.__dict__ for r in ratios(m)],
        "took_seconds": m.took,
    }
    json_path = folder / f"{name}.json"
    json_path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    return markdown, json_path
