"""The HTTP side of `loket bench letters --via http`: a back-office posting its letters to the
letters API (`POST /v1/letters/batch`, as many batches in flight as it likes), and a steady
stream of single `POST /v1/letters` at a fixed rate for their latency. The bridge and the
simulator are the ones the bus path of the same run measured, so the two ways in compare."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import asyncpg
import psutil

from loket.bench.letters_bus import bench_bus
from loket.bench.letters_load import LoadItem
from loket.bench.letters_loket import (
    LoketResult,
    RunningBridge,
    SettleWatch,
    bridge_process,
    cpu_seconds,
)
from loket.bench.letters_sim import RunningSim
from loket.bench.timing import Timed
from loket.contracts import topics
from loket.infra.identity import api_keys, repository
from loket.infra.identity.schema import migrate_identity

MUNICIPALITY = "12025"
T = TypeVar("T")


class HttpBenchError(RuntimeError):
    """The API answered something a correct request should never get (a 4xx or 5xx to a batch)."""


@dataclass
class SingleResult(Timed):
    """Single-letter POSTs sent open-loop at `rate` per second: each one's time to its answer."""

    counted = "accepted"
    accepted: int
    seconds: float
    latencies_s: list[float]
    rate: float
    refused: dict[int, int] = field(default_factory=dict)  # status → how many


async def bench_api_key(database_url: str) -> str:
    """A back-office key of Mechelen for this run only (expires in a day), as `loket keys create`
    would make it."""
    key = api_keys.new_key()
    conn = await asyncpg.connect(database_url)
    try:
        await migrate_identity(conn)
        await repository.insert_key(conn, key.prefix, key.secret_sha256, "bench back-office", MUNICIPALITY,
                                    "backoffice", [], "bench", dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    finally:
        await conn.close()
    return key.token


async def _until_ready(http: aiohttp.ClientSession, url: str, timeout_s: float = 60) -> None:
    """Until the tenant directory's first load the API answers 503; an empty letter then gets 422."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        async with http.post(f"{url}/v1/letters", json={}) as r:
            if r.status == 422:
                return
            if r.status != 503:
                raise HttpBenchError(f"the letters API answered {r.status} to an empty letter: {await r.text()}")
        await asyncio.sleep(0.2)
    raise HttpBenchError(f"the letters API was not ready within {timeout_s:.0f} s")


@contextlib.asynccontextmanager
async def ready_api(database_url: str, bus_url: str, sim: RunningSim, work_dir: Path,
                    **session: Any) -> AsyncIterator[tuple[RunningBridge, aiohttp.ClientSession]]:
    """A fresh bridge process and an HTTP session holding a key of this run, once the API takes letters."""
    token = await bench_api_key(database_url)
    async with bridge_process(database_url, bus_url, sim, work_dir) as bridge, aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {token}"}, **session) as http:
        await _until_ready(http, bridge.url)
        yield bridge, http


async def _open_loop(items: Sequence[T], rate: float, send: Callable[[T], Awaitable[None]]) -> float:
    """Start `send(item)` every 1/rate s whatever the earlier ones are doing (open loop: a slow
    answer does not slow the sender down, so queueing shows in the latency instead of hiding in
    a lower rate); the seconds until the last one is done."""
    started = time.perf_counter()
    tasks = []
    for n, item in enumerate(items):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(send(item)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - started


async def run_http_letters(
    database_url: str, bus_url: str, sim: RunningSim, work_dir: Path, letters: list[dict[str, Any]],
    batch_size: int, in_flight: int, timeout_s: float, progress: Callable[[str, float], None],
) -> LoketResult:
    """Letters in batches over HTTP until all are answered, then until all have settled. The
    latency is from the batch's POST to the letter's settling event, as on the bus path from
    the publish."""
    async with ready_api(database_url, bus_url, sim, work_dir, timeout=aiohttp.ClientTimeout(total=120)) as (
            bridge, http):
        watch = SettleWatch(bus_url, {letter["letter_id"] for letter in letters})
        sent: dict[str, float] = {}
        answered: dict[str, float] = {}
        refused = 0
        batches = [letters[i:i + batch_size] for i in range(0, len(letters), batch_size)]
        pending = iter(batches)

        async def poster() -> None:
            nonlocal refused
            for batch in pending:  # the workers share one iterator: each batch is posted once
                at = time.perf_counter()
                for letter in batch:
                    sent[letter["letter_id"]] = at
                async with http.post(f"{bridge.url}/v1/letters/batch", json={"letters": batch},
                                     headers={"Idempotency-Key": str(uuid.uuid4())}) as r:
                    body = await r.json(content_type=None)
                    if r.status != 200:
                        raise HttpBenchError(f"a batch got {r.status}: {str(body)[:500]}")
                done = time.perf_counter()
                for item in body["results"]:
                    if item["status"] == 202:
                        answered[item["letter_id"]] = done
                    else:
                        refused += 1
                progress("accepted", len(answered) + refused)

        bridge_proc, sim_proc = psutil.Process(bridge.pid), psutil.Process(sim.pid)
        async with watch.watching():
            cpu_before = (cpu_seconds(bridge_proc), cpu_seconds(sim_proc))
            started = time.perf_counter()
            await asyncio.gather(*(poster() for _ in range(in_flight)))
            handed_over = len(answered) / (max(answered.values(), default=started) - started or 1e-9)
            await watch.wait_for_all(started + timeout_s, progress)
            last = max(watch.settled.values(), default=time.perf_counter())
            cpu_after = (cpu_seconds(bridge_proc), cpu_seconds(sim_proc))
    return LoketResult(
        letters=len(watch.settled), seconds=last - started,
        latencies_s=[watch.settled[i] - sent[i] for i in watch.settled],
        outcomes=watch.outcomes, bridge_cpu_s=cpu_after[0] - cpu_before[0], sim_cpu_s=cpu_after[1] - cpu_before[1],
        missing=len(letters) - len(watch.settled), handed_over_per_s=handed_over, extra={"refused": refused},
    )


@dataclass(frozen=True)
class SingleRuns:
    """Single POSTs answered by an HTTP-only replica (LOKET_HTTP_ONLY, beside the bridge that
    consumes and works), the same answered by that working bridge itself, and single publishes
    on the bus as the baseline."""

    http_replica: SingleResult
    in_worker: SingleResult
    bus: SingleResult


async def run_single_posts(
    database_url: str, bus_url: str, sim: RunningSim, work_dir: Path, letters: list[dict[str, Any]],
    letters_in_worker: list[dict[str, Any]], events: list[LoadItem], rate: float,
    progress: Callable[[str, float], None],
) -> SingleRuns:
    """One `POST /v1/letters` every 1/rate s (open loop), each with its own idempotency key,
    first to an HTTP-only replica, then to the bridge process that also consumes and sends the
    letters. Then, as the baseline, the same number of `LetterIssued` published one at a time
    to the bus at the same rate, each timed to its ack, while the same bridge works on them."""
    token = await bench_api_key(database_url)
    async with (bridge_process(database_url, bus_url, sim, work_dir) as worker,
                bridge_process(database_url, bus_url, sim, work_dir, http_only=True) as replica,
                aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"},
                                      timeout=aiohttp.ClientTimeout(total=60),
                                      connector=aiohttp.TCPConnector(limit=0)) as http):
        for bridge in (worker, replica):
            await _until_ready(http, bridge.url)
        over_replica = await _single_posts(http, replica.url, letters, rate, progress)
        in_worker = await _single_posts(http, worker.url, letters_in_worker, rate, progress)
        on_the_bus = await _single_publishes(bus_url, events, rate, progress)
    return SingleRuns(over_replica, in_worker, on_the_bus)


async def _single_posts(http: aiohttp.ClientSession, url: str, letters: list[dict[str, Any]], rate: float,
                        progress: Callable[[str, float], None]) -> SingleResult:
    latencies: list[float] = []
    refused: dict[int, int] = {}

    async def one(letter: dict[str, Any]) -> None:
        at = time.perf_counter()
        async with http.post(f"{url}/v1/letters", json=letter, headers={"Idempotency-Key": str(uuid.uuid4())}) as r:
            await r.read()
            if r.status == 202:
                latencies.append(time.perf_counter() - at)
            else:
                refused[r.status] = refused.get(r.status, 0) + 1
        progress("answered", len(latencies) + sum(refused.values()))

    seconds = await _open_loop(letters, rate, one)
    return SingleResult(accepted=len(latencies), seconds=seconds, latencies_s=latencies, rate=rate, refused=refused)


async def _single_publishes(bus_url: str, events: list[LoadItem], rate: float,
                            progress: Callable[[str, float], None]) -> SingleResult:
    latencies: list[float] = []
    async with bench_bus(bus_url) as bus:
        async def one(item: LoadItem) -> None:
            at = time.perf_counter()
            await bus.publish(topics.LETTERS_ISSUED, item.body, item.event_id, item.letter_id)
            latencies.append(time.perf_counter() - at)
            progress("bus acks", len(latencies))

        seconds = await _open_loop(events, rate, one)
    return SingleResult(accepted=len(latencies), seconds=seconds, latencies_s=latencies, rate=rate)
