"""Baseline: durable one-row commits per second with plain asyncpg, no pool, no outbox.

Each of `connections` tasks loops "INSERT one row" in autocommit (one statement = one
transaction = one WAL flush, shared with whatever other commits are waiting: group commit)
for a fixed duration. This is the ceiling for a design that commits once per event.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

import asyncpg

from loket.bench.cpu_usage import CpuMeter

OnProgress = Callable[[str, float], None]


@dataclass(frozen=True)
class RawPostgresResult:
    connections: int
    seconds: float
    commits: int
    commits_per_s: float
    cpu: dict[str, float | int | None]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def run_raw_postgres(
    database_url: str, connections: int = 16, duration_s: float = 5.0,
    on_progress: OnProgress | None = None, *, keep: bool = False,
) -> RawPostgresResult:
    table = f"bench_raw_commits_{uuid.uuid4().hex[:12]}"
    conns = await asyncio.gather(*(asyncpg.connect(database_url) for _ in range(connections)))
    commits = 0
    try:
        await conns[0].execute(
            f"CREATE TABLE {table} (id bigserial PRIMARY KEY, worker int NOT NULL, "
            "at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        insert = f"INSERT INTO {table} (worker) VALUES ($1)"
        meter = CpuMeter().start()
        deadline = time.perf_counter() + duration_s

        async def commit_loop(conn: asyncpg.Connection, worker: int) -> None:
            nonlocal commits
            while time.perf_counter() < deadline:
                await conn.execute(insert, worker)
                commits += 1

        async def report() -> None:
            while True:
                if on_progress is not None:
                    on_progress("elapsed", round(duration_s - max(0.0, deadline - time.perf_counter()), 1))
                await asyncio.sleep(0.25)

        reporter = asyncio.create_task(report())
        try:
            await asyncio.gather(*(commit_loop(c, i) for i, c in enumerate(conns)))
        finally:
            reporter.cancel()
        cpu = meter.stop()
        if on_progress is not None:
            on_progress("elapsed", duration_s)
        # Cross-check the Python count against what PostgreSQL actually holds.
        stored = await conns[0].fetchval(f"SELECT count(*) FROM {table}")
        if stored != commits:
            raise RuntimeError(f"counted {commits} commits but the table holds {stored} rows")
    finally:
        if not keep:
            await conns[0].execute(f"DROP TABLE IF EXISTS {table}")
        await asyncio.gather(*(c.close() for c in conns))
    return RawPostgresResult(
        connections=connections, seconds=cpu.wall_s, commits=commits,
        commits_per_s=commits / cpu.wall_s, cpu=cpu.as_dict(),
    )
