"""One writer process of `loket bench outbox`: WRITERS connections committing one event per
transaction for SECONDS, as a service replica's request handlers do (a letter posted, a booking
made), either through `Outbox.append` (`loket`) or as a plain INSERT of the same row into a
table of the same shape (`raw`).

    LOKET_DATABASE_URL=… python -m loket.bench.outbox_writer loket|raw SCHEMA WRITERS SECONDS

Prints `ready` once its connections are open, starts on a line on stdin (so that every process
starts together), prints one JSON line (its commits and each commit's latency in ms), and closes
its connections on the next line on stdin (or at the end of stdin).
The URL (with its password) comes from the environment, never the command line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid

from loket.bench.sample_events import LetterFailedFactory
from loket.contracts import LetterFailed
from loket.infra.db.outbox import Outbox
from loket.infra.db.pool import create_pool
from loket.infra.service_process import run_like_a_service

SIDES = ("loket", "raw")
RAW_TABLE = "bench_raw_rows"


def raw_table_ddl(schema: str) -> str:
    """The outbox's columns without what makes it an outbox (the per-key locks, the notification,
    the index of unsent rows, a relay)."""
    return f"""
        CREATE TABLE {schema}.{RAW_TABLE} (
            id bigserial PRIMARY KEY, event_id uuid NOT NULL, topic text NOT NULL, key text NOT NULL,
            event_type text NOT NULL, payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )"""


async def serve(database_url: str, side: str, schema: str, writers: int, seconds: float) -> None:
    pool = await create_pool(database_url, min_size=writers, max_size=writers)
    factory, outbox = LetterFailedFactory(f"bench-outbox-{schema}"), Outbox(schema)
    insert = (f"INSERT INTO {schema}.{RAW_TABLE} (event_id, topic, key, event_type, payload) "
              "VALUES ($1, $2, $3, $4, $5)")
    latencies: list[float] = []

    async def commit_one(event: LetterFailed) -> None:
        async with pool.acquire() as conn, conn.transaction():
            if side == "loket":
                await outbox.append(conn, event)
            else:
                await conn.execute(insert, event.event_id, event.topic, event.partition_key(), event.event_type,
                                   event.to_bytes())

    async def write(until: float) -> None:
        while (began := time.perf_counter()) < until:
            await commit_one(factory.build(uuid.uuid4()))
            latencies.append(time.perf_counter() - began)

    try:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        started = time.perf_counter()
        await asyncio.gather(*(write(started + seconds) for _ in range(writers)))
        took = time.perf_counter() - started  # to the end of the last commit
        # Before the connections close: their server processes' CPU is counted while they live.
        print(json.dumps({"commits": len(latencies), "seconds": took,
                          "latencies_ms": [round(s * 1000, 3) for s in latencies]}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the CPU was read
    finally:
        await pool.close()


def main(argv: list[str]) -> None:
    side, schema, writers, seconds = argv
    if side not in SIDES:
        raise SystemExit(f"side must be one of {', '.join(SIDES)}, not {side!r}")
    run_like_a_service(serve(os.environ["LOKET_DATABASE_URL"], side, schema, int(writers), float(seconds)))


if __name__ == "__main__":
    main(sys.argv[1:])
