"""`loket bench outbox`: how many one-event transactions PostgreSQL commits when several
processes append to the outbox at once (a service scaled out to replicas, each posting letters
or taking bookings one at a time), against the same rows inserted into a plain table.

Each run starts `processes` writer processes (outbox_writer.py) together, each with `writers`
connections, for `seconds`. The Loket side appends through `Outbox.append` while the schema's
`OutboxRelay` runs in this process and drains the rows to a bus that only counts them; the raw
side inserts the same row into a table of the outbox's shape, with no per-key lock, no
notification and no relay. Sides alternate, `pairs` times; the ratio is the fastest Loket run
÷ the fastest raw run, as `loket bench bus` compares them.

What this measures that `bench bus` does not: `bench bus` commits 50 events per transaction
(a few hundred commits a second). Small transactions from many processes are where commits
queue behind each other, which is why an append notifies the relay only while it sleeps
(outbox.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry

from loket.bench.cpu_usage import CpuMeter
from loket.bench.outbox_writer import RAW_TABLE, raw_table_ddl
from loket.bench.timing import percentile
from loket.infra.db.pool import create_pool
from loket.infra.db.relay import OutboxRelay
from loket.infra.db.schema import migrate_service_schema
from loket.infra.metrics import PlatformMetrics

START_TIMEOUT_S = 60.0
REPORT_LINE_LIMIT = 64 * 1024 * 1024  # a writer's report holds every commit's latency, on one line
DRAIN_TIMEOUT_S = 30.0  # after the Loket side: every committed row relayed by then, or the check fails
# Called with (run name, seconds elapsed, seconds in all) a few times a second.
OnProgress = Callable[[str, float, float], None]


@dataclass
class SideRun:
    side: str
    commits: int
    seconds: float
    per_s: float
    p50_ms: float
    p99_ms: float
    cpu: dict[str, float | int | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _CountingBus:
    """Where the relay publishes: it counts what it was handed, nothing else."""

    def __init__(self) -> None:
        self.published = 0

    async def __call__(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        self.published += len(rows)


async def _nowhere(*_: object) -> None:
    raise AssertionError("never called: with publish_in_order the relay hands over whole rounds")


async def run_outbox_bench(database_url: str, *, processes: int, writers: int, seconds: float, pairs: int,
                           on_progress: OnProgress | None = None) -> dict[str, Any]:
    schema = f"bench_outbox_{uuid.uuid4().hex[:12]}"
    pool = await create_pool(database_url, min_size=2, max_size=4)
    runs: list[SideRun] = []
    relayed, loket_commits, raw_rows = 0, 0, 0
    try:
        async with pool.acquire() as conn:
            await migrate_service_schema(conn, schema, None)
            await conn.execute(raw_table_ddl(schema))
        bus = _CountingBus()
        relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus)
        relay_task = asyncio.create_task(relay.run())
        try:
            for pair in range(1, pairs + 1):
                for side in ("raw", "loket"):
                    run = await _run_side(database_url, side, schema, processes, writers, seconds,
                                          f"{side} {pair}/{pairs}", on_progress)
                    runs.append(run)
            loket_commits = sum(r.commits for r in runs if r.side == "loket")
            relayed = await _drained(pool, schema, bus, loket_commits)
        finally:
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
        raw_rows = int(await pool.fetchval(f"SELECT count(*) FROM {schema}.{RAW_TABLE}"))
    finally:
        with contextlib.suppress(asyncpg.PostgresError):
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()

    best = {side: max((r for r in runs if r.side == side), key=lambda r: r.per_s) for side in ("loket", "raw")}
    raw_commits = sum(r.commits for r in runs if r.side == "raw")
    return {
        "processes": processes, "writers_per_process": writers, "seconds": seconds, "pairs": pairs,
        "loket": best["loket"].as_dict(), "raw": best["raw"].as_dict(),
        "runs": [r.as_dict() for r in runs],
        "ratio": best["loket"].per_s / best["raw"].per_s if best["raw"].per_s else None,
        "checks": {"all_relayed": relayed == loket_commits, "relayed": relayed, "loket_commits": loket_commits,
                   "raw_all_written": raw_rows == raw_commits, "raw_rows": raw_rows, "raw_commits": raw_commits},
    }


async def _run_side(database_url: str, side: str, schema: str, processes: int, writers: int, seconds: float,
                    name: str, on_progress: OnProgress | None) -> SideRun:
    env = {**os.environ, "LOKET_DATABASE_URL": database_url}
    argv = ["-m", "loket.bench.outbox_writer", side, schema, str(writers), str(seconds)]
    children = [await asyncio.create_subprocess_exec(sys.executable, *argv, env=env, stdin=asyncio.subprocess.PIPE,
                                                     stdout=asyncio.subprocess.PIPE, limit=REPORT_LINE_LIMIT)
                for _ in range(processes)]
    try:
        for child in children:
            line = await asyncio.wait_for(child.stdout.readline(), START_TIMEOUT_S)  # type: ignore[union-attr]
            if line.strip() != b"ready":
                raise RuntimeError(f"an outbox writer process did not start (exit code {child.returncode})")
        meter, started = CpuMeter().start(), time.perf_counter()
        for child in children:
            child.stdin.write(b"go\n")  # type: ignore[union-attr]
            await child.stdin.drain()  # type: ignore[union-attr]
        results = asyncio.ensure_future(asyncio.gather(*(child.stdout.readline() for child in children)))  # type: ignore[union-attr]
        while not results.done():
            if on_progress is not None:
                on_progress(name, min(seconds, time.perf_counter() - started), seconds)
            await asyncio.wait([results], timeout=0.2)
        cpu = meter.stop()
        reports = [json.loads(line) for line in results.result()]
        for child in children:
            child.stdin.close()  # type: ignore[union-attr]  # its connections may close now
        await asyncio.wait_for(asyncio.gather(*(child.wait() for child in children)), START_TIMEOUT_S)
    finally:
        for child in children:
            if child.returncode is None:  # it failed, or this run did
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
    latencies = [ms for report in reports for ms in report["latencies_ms"]]
    commits = sum(report["commits"] for report in reports)
    elapsed = max(report["seconds"] for report in reports)  # they started together, on one line each
    if on_progress is not None:
        on_progress(name, seconds, seconds)
    return SideRun(side=side, commits=commits, seconds=elapsed, per_s=commits / elapsed if elapsed else 0.0,
                   p50_ms=percentile(latencies, 0.5, empty=0.0), p99_ms=percentile(latencies, 0.99, empty=0.0),
                   cpu=cpu.as_dict())


async def _drained(pool: asyncpg.Pool, schema: str, bus: _CountingBus, expected: int) -> int:
    """What the relay published once the outbox is empty (or the drain timed out)."""
    deadline = time.perf_counter() + DRAIN_TIMEOUT_S
    while time.perf_counter() < deadline:
        if bus.published >= expected and not await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox"):
            break
        await asyncio.sleep(0.1)
    return bus.published
