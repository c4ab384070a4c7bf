"""A relay round handles its batch once, whatever PostgreSQL's statistics say about the outbox.

An outbox is a queue: emptied by the relay, filled again by the next burst. When (auto)analyze
catches it empty, its statistics say it holds no rows however much it grows afterwards, and a
round planned on them joined the outbox to its batch in a nested loop that went through the
batch (its byte-budget window function) once for every row of the outbox: 20 000 rows here, 60
million rows handled for a batch of 1 000. The benchmark met it twice in four runs (the round's
statement busy for seconds, the relay 70 to 90 s behind until autovacuum analyzed again); in
production it is a relay minutes behind after a quiet spell and a burst. Counted in the rows the
executed plan handled, not in time."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.infra.db.relay import OutboxRelay
from loket.infra.metrics import PlatformMetrics

BACKLOG = 20_000
BATCH = 1_000


async def _fill(conn: asyncpg.Connection, schema: str, rows: int) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.outbox (event_id, topic, key, event_type, payload) "
        f"SELECT gen_random_uuid(), 't', (n % 97)::text, 'E', convert_to(repeat('x', 200), 'UTF8') "
        f"FROM generate_series(1, $1) AS n", rows)


async def _nowhere(*_: object) -> None:
    return None


@pytest.mark.parametrize("keep_published_s", [0.0, 3600.0], ids=["deleting", "marking sent"])
async def test_a_round_handles_its_batch_once_when_the_statistics_say_the_outbox_is_empty(
        pool: asyncpg.Pool, schema: str, keep_published_s: float) -> None:
    async with pool.acquire() as conn:
        await conn.execute(f"ALTER TABLE {schema}.outbox SET (autovacuum_enabled = false)")
        await _fill(conn, schema, 5_000)
        await conn.execute(f"DELETE FROM {schema}.outbox")
        await conn.execute(f"ANALYZE {schema}.outbox")  # as autovacuum would, right after a burst went out
        assert await conn.fetchval("SELECT reltuples FROM pg_class WHERE oid = $1::regclass",
                                   f"{schema}.outbox") == 0
        await _fill(conn, schema, BACKLOG)  # the next burst, not analyzed yet
        relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), batch_size=BATCH,
                            keep_published_s=keep_published_s)
        tr = conn.transaction()
        await tr.start()
        try:  # the round's own statement, measured and rolled back
            explained = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {relay._take}",
                                            BATCH, relay.batch_bytes)
            plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
        finally:
            await tr.rollback()
    assert plan["Actual Rows"] == BATCH  # the round took a full batch
    processed = _rows_processed(plan)
    # One pass over the backlog and the batch is a few times their rows; a pass per row is a
    # thousand times that (the old plan: 20 000 × 1 000 rows through its window function).
    assert processed < 5 * (BACKLOG + BATCH), f"a round's plan handled {processed:,} rows for a batch of {BATCH:,}"


def _rows_processed(node: dict[str, Any]) -> int:
    """Rows that went through every node of an executed plan (a rescanned node counts each time)."""
    own = int(node.get("Actual Rows", 0) * node.get("Actual Loops", 1))
    return own + sum(_rows_processed(child) for child in node.get("Plans", []))
