"""The load generator: closed-loop clients on one aiohttp session, latency of every request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp
import orjson


@dataclass(frozen=True)
class Target:
    """One way to ask one question: a server and the request that asks it."""

    server: str
    question: str
    url: str
    body: bytes | None  # a GraphQL POST body, or None for the floor's GET

    @classmethod
    def graphql(
        cls,
        server: str,
        question: str,
        port: int,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, object] | None = None,
    ) -> Target:
        asked: dict[str, object] = {"query": query}
        if operation_name is not None:
            asked |= {"operationName": operation_name, "variables": variables or {}}
        return cls(server, question, f"http://127.0.0.1:{port}/graphql", orjson.dumps(asked))


@dataclass
class Sample:
    """Latencies (seconds) and the wall time they were collected in, over one or more runs."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0

    def add(self, other: Sample) -> None:
        self.latencies.extend(other.latencies)
        self.elapsed += other.elapsed
        self.errors += other.errors


HEADERS = {"content-type": "application/json", "accept": "application/json"}


async def _ask(session: aiohttp.ClientSession, target: Target) -> bytes:
    if target.body is None:
        async with session.get(target.url) as response:
            body: bytes = await response.read()
            ok = response.status == 200
    else:
        async with session.post(target.url, data=target.body, headers=HEADERS) as response:
            body = await response.read()
            ok = response.status == 200
    if not ok or b'"errors"' in body[:4096]:
        raise RuntimeError(f"{target.server} failed on {target.question}: {body[:300]!r}")
    return body


async def fetch(target: Target) -> bytes:
    async with aiohttp.ClientSession() as session:
        return await _ask(session, target)


async def run(target: Target, *, clients: int, seconds: float, at_least: int) -> Sample:
    """`clients` clients ask back to back until `seconds` have passed and at least `at_least`
    requests have been answered."""
    sample = Sample()
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def client() -> None:
            while time.perf_counter() < deadline or len(sample.latencies) < at_least:
                began = time.perf_counter()
                try:
                    await _ask(session, target)
                except (RuntimeError, aiohttp.ClientError):
                    sample.errors += 1
                    if sample.errors > 5:
                        raise
                    continue
                sample.latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(client() for _ in range(clients)))
        sample.elapsed = time.perf_counter() - started
    return sample


async def cycle(
    targets: Sequence[Target], *, seconds: float, at_least: int
) -> dict[Target, Sample]:
    """One client asks each target in turn, request by request, until `seconds` have passed
    and every target has answered `at_least` times: a moment of noise on a shared machine
    then falls on all of them alike, which is what a small ratio (a 5 % cost) needs."""
    samples = {target: Sample() for target in targets}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        deadline = time.perf_counter() + seconds
        while (
            time.perf_counter() < deadline
            or min(len(sample.latencies) for sample in samples.values()) < at_least
        ):
            for target in targets:
                began = time.perf_counter()
                await _ask(session, target)
                took = time.perf_counter() - began
                samples[target].latencies.append(took)
                samples[target].elapsed += took
    return samples
