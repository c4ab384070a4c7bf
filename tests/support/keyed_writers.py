"""Concurrent writers appending events of a few keys to an outbox, as services do: what the
relay's order-per-key tests feed it, with the order each key's events committed in."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict

import asyncpg

from loket.infra.db.outbox import Outbox
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
            async with pool.acquire() as conn:
                async with conn.transaction():
                    await outbox.append(conn, event)
                    # Hold the transaction open a little: without per-key serialisation a
                    # later append of the same key could commit (and be relayed) first.
                    await asyncio.sleep(rng.uniform(0, max_hold_s))
                # Noted right after the commit, before the connection goes back to the pool
                # (whose reset is a round trip: another writer's later commit could be noted first).
                committed[str(key)].append(str(event.event_id))

    await asyncio.gather(*(writer(n) for n in range(writers)))
    return committed
