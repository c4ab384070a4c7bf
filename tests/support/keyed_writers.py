"""Concurrent writers appending events of a few keys to an outbox, as services do, while a relay
runs: what the relay's order-per-key tests feed it, with the order each key's events committed in."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict

import asyncpg

from loket.infra.db.outbox import Outbox
from loket.infra.db.relay import OutboxRelay
from tests.support.bus_harness import activation


async def write_keyed_events(pool: asyncpg.Pool, schema: str, keys: list[uuid.UUID], writers: int,
                             per_writer: int, max_hold_s: float) -> dict[str, list[str]]:
    """Event ids per key (the activation id), in the order their transactions committed."""
    outbox = Outbox(schema)
    committed: dict[str, list[str]] = defaultdict(list)

    async def writer(n: int) -> None:
        rng = random.Random(n)
        for _ in range(per_writer):
            key = rng.choice(keys)
            event = activation(activation_id=key)
            async with pool.acquire() as conn, conn.transaction():
                await outbox.append(conn, event)
                # Noted while the append holds the key's lock, which lasts until the commit: no
                # other writer of this key can append before this one commits, so this is the
                # key's commit order exactly (no writer rolls back). Noted after the commit
                # instead, a loaded machine can deliver a later writer's commit answer first.
                committed[str(key)].append(str(event.event_id))
                # Hold the transaction open a little: without per-key serialisation a later
                # append of the same key could commit (and be relayed) first.
                await asyncio.sleep(rng.uniform(0, max_hold_s))

    await asyncio.gather(*(writer(n) for n in range(writers)))
    return committed


async def relay_while_writing(relay: OutboxRelay, pool: asyncpg.Pool, schema: str, keys: list[uuid.UUID],
                              writers: int, per_writer: int, max_hold_s: float,
                              drain_timeout_s: float) -> dict[str, list[str]]:
    """Run `relay` while the writers write, until the outbox is drained (or `drain_timeout_s`
    passed: the test's count then says what is missing); return what `write_keyed_events` does."""
    relay_task = asyncio.create_task(relay.run())
    try:
        committed = await write_keyed_events(pool, schema, keys, writers, per_writer, max_hold_s)
        for _ in range(int(drain_timeout_s / 0.05)):
            if await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL") == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
    return committed
