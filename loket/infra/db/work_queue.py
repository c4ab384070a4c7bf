"""Durable work held in a table: claim due rows with a lease, call out, record the outcome.

The one shape of the bridge's eBox dispatcher, its read poller and notify's dispatcher.

Invariants:
- A claim is its own short transaction. `FOR UPDATE SKIP LOCKED` keeps concurrent rounds and
  replicas apart, and the claim moves each row's due time to the lease's end: a worker that dies
  during the call-out holds no lock, its rows simply become due again when the lease runs out.
- The call-out (eBox, SMS provider, SMTP) happens outside any transaction and holds no
  connection.
- An outcome, its history and its events are written in one transaction, and only for rows still
  under this lease (the steps' `record` checks it): a worker whose lease ran out records nothing,
  the next claimant does. Repeating a call after a lost lease is safe only because every
  call-out carries an idempotency key; that is the steps' duty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Lease:
    """When a claim was made and until when its rows are this worker's."""

    now: dt.datetime
    until: dt.datetime


class WorkSteps(Protocol[Item, Result]):
    """What one kind of work does in each of the three steps."""

    async def claim(self, conn: asyncpg.Connection, limit: int, lease: Lease) -> Sequence[Item]:
        """Take up to `limit` due rows (SKIP LOCKED) and push their due time to `lease.until`."""
        ...

    async def call(self, items: Sequence[Item], lease: Lease) -> Result:
        """Call out for the claimed items; never raises for an item's failure (return it)."""
        ...

    async def record(
        self, conn: asyncpg.Connection, items: Sequence[Item], result: Result, lease: Lease
    ) -> list[Event]:
        """Write outcomes and history for the items still under `lease`; return their events."""
        ...


class WorkQueue(Generic[Item, Result]):
    def __init__(
        self, name: str, pool: Callable[[], asyncpg.Pool], outbox: Outbox, steps: WorkSteps[Item, Result],
        *, batch_size: int, lease_s: float, idle_s: float, clock: Callable[[], dt.datetime],
    ) -> None:
        # `pool` resolves on use: a service opens its pool after building its objects.
        self.name, self.pool, self.outbox, self.steps = name, pool, outbox, steps
        self.batch_size, self.lease_s, self.idle_s, self.clock = batch_size, lease_s, idle_s, clock

    async def run(self) -> None:
        async def round_() -> bool:
            return await self.once() >= self.batch_size

        await run_rounds(round_, self.idle_s, self.name)

    async def once(self) -> int:
        """One round; returns how many rows it claimed."""
        now = self.clock()
        lease = Lease(now, now + dt.timedelta(seconds=self.lease_s))
        async with self.pool().acquire() as conn, conn.transaction():
            items = await self.steps.claim(conn, self.batch_size, lease)
        if not items:
            return 0
        result = await self.steps.call(items, lease)
        await self.commit(items, result, lease)
        return len(items)

    async def commit(self, items: Sequence[Item], result: Result, lease: Lease) -> None:
        """Record outcomes and their events in one transaction. Steps whose call-out cannot be
        recognised when repeated (SMTP) call this early, per item, to keep that window small."""
        async with self.pool().acquire() as conn, conn.transaction():
            events = await self.steps.record(conn, items, result, lease)
            await self.outbox.append(conn, *events)
