"""The producing side of the pipeline benchmark: state change + `Outbox.append`, one transaction.

`writers` concurrent tasks take `events_per_tx` letters at a time from one shared queue. Each
transaction marks those letters failed (one row per letter, in one statement) and appends
their `LetterFailed` events. 50 per transaction is what a real batch producer does
(ebox_bridge closing a print batch, a back-office import); an HTTP request changing one
appointment is `events_per_tx=1`. With `rate` > 0 transactions are paced to that offered
load, so latency can be measured below saturation.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from uuid import UUID

import asyncpg

from loket.bench import pipeline_tables as tables
from loket.bench.sample_events import LetterFailedFactory
from loket.infra.db.outbox import Outbox


class Producer:
    def __init__(
        self, pool: asyncpg.Pool, schema: str, factory: LetterFailedFactory, letter_ids: list[UUID],
        *, writers: int, events_per_tx: int, rate: float = 0.0,
    ) -> None:
        self.pool, self.factory = pool, factory
        self.writers, self.events_per_tx, self.rate = writers, events_per_tx, rate
        self.outbox, self.mark_failed = Outbox(schema), tables.mark_failed_sql(schema)
        step = events_per_tx
        self.chunks = deque(enumerate(letter_ids[i : i + step] for i in range(0, len(letter_ids), step)))
        self.written, self.started = 0, 0.0

    async def run(self) -> None:
        self.started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(self.writers):
                group.create_task(self._write())

    async def _write(self) -> None:
        while self.chunks:
            index, ids = self.chunks.popleft()
            if self.rate > 0:  # transaction k is due at k × events_per_tx ÷ rate
                due = self.started + index * self.events_per_tx / self.rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            # Built here, not in advance: turning a state change into an event is producer work.
            events = [self.factory.build(letter_id) for letter_id in ids]
            async with self.pool.acquire() as conn, conn.transaction():
                status = await conn.execute(self.mark_failed, ids)
                if status != f"UPDATE {len(ids)}":
                    raise RuntimeError(f"state change touched {status}, expected {len(ids)} rows")
                await self.outbox.append(conn, *events)
            self.written += len(ids)
