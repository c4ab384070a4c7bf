"""Outbox relay: publish committed outbox rows in id order, then delete them (or mark them sent).

- One active relay per schema: the leader holds a session advisory lock; other replicas ask for
  it every second, so two relays never interleave the same key's events. A leader whose lock
  connection is gone (the server ended that session, and with it the lock) stops before its next
  round and queues for the lock again: another replica may already lead.
- A round takes up to `batch_size` rows, and no more after `batch_bytes` of payload (a letter
  with its PDF inline is up to 7 MB): one statement locks them `FOR UPDATE`, deletes them and
  returns them. The lock waits rather than skips: should two relays ever overlap (a leader's
  round still running when the next leader starts), the second takes the oldest rows only after
  the first committed or rolled back, so rows still go out in id order. Skipping locked rows
  would have let the second publish later rows of a key first. The delete commits only after
  the broker acknowledged every row, in the same transaction; a failed publish rolls it back.
  A crash in between republishes them after restart; the broker's de-duplication
  (`Nats-Msg-Id`) and the consumers' inbox make that harmless.
- Deleted, because the bus now holds the event for its retention: a row kept here would be a
  second copy of its personal data, and marking it sent wrote a new version of the whole row.
  With `keep_published_s` > 0 (an operator who wants an audit copy) rows are marked sent
  instead and `purge_sent` deletes them after that long.
- Woken by `LISTEN/NOTIFY` when a transaction appends while it sleeps, with a slow poll as a
  safety net. Appends notify only then (outbox.py says why): before it sleeps the relay takes the
  schema's "asleep" lock exclusively, which an append takes shared when it skips its notification.
  The relay cannot take it while a writer that skipped has not committed: it looks again shortly
  instead. Once it holds it, every writer that skipped has committed (a lock is released after the
  commit is visible), so one last look finds their rows, and every later append notifies.
- Lingers while busy: after a round that published rows but was not full, the next starts no
  sooner than `linger_s` after it began, so a steady stream goes out in fewer, larger rounds
  (relay_rounds.LINGER_S says why). A round is full when it took `batch_size` rows or
  `batch_bytes` of payload: a stream of PDFs is not held back. A relay woken from idle
  publishes at once.
- Within a batch, events of one key are published one after the other; different keys go
  out concurrently. A bus that keeps the order of publishes in flight together (Kafka:
  `publish_in_order`) gets the whole batch at once, in id order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import asyncpg

from loket.infra.bus import headers as h
from loket.infra.db import relay_rounds
from loket.infra.db.outbox import RELAY_ASLEEP_SALT, notify_channel
from loket.infra.errors import described
from loket.infra.metrics import PlatformMetrics

log = logging.getLogger(__name__)

PublishRow = Callable[[str, str, str, bytes, dict[str, str]], Awaitable[None]]
# (topic, key, message id, body, headers): an outbox row as both publish paths take it.
Publication = tuple[str, str, str, bytes, dict[str, str]]
PublishRows = Callable[[list[Publication]], Awaitable[None]]
_LEADER_SALT = 0x0B0D
# How soon a relay that could not go to sleep (a writer that skipped its notification has not
# committed yet) looks again when it has no linger of its own.
UNNOTIFIED_POLL_S = 0.01
# How often a standby replica asks for the lead: how long the rows may wait after a leader dies.
STANDBY_POLL_S = 1.0


@dataclass(frozen=True)
class Round:
    """What one relay round published, and whether it took all it may (rows or bytes): a full
    round is followed by the next at once, one that was not lingers."""

    published: int
    full: bool


_NOTHING = Round(0, False)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        publish: PublishRow,
        metrics: PlatformMetrics,
        *,
        batch_size: int = relay_rounds.BATCH_SIZE,
        batch_bytes: int = relay_rounds.BATCH_BYTES,
        idle_poll_s: float = 1.0,
        keep_published_s: float = 0.0,
        publish_in_order: PublishRows | None = None,
        linger_s: float = relay_rounds.LINGER_S,
    ) -> None:
        self.pool, self.schema, self.publish, self.metrics = pool, schema, publish, metrics
        self.publish_in_order = publish_in_order
        self.batch_size, self.batch_bytes = batch_size, batch_bytes
        self.idle_poll_s, self.keep_published_s = idle_poll_s, keep_published_s
        self.linger_s = linger_s
        self._wake = asyncio.Event()
        # The oldest unsent rows, as many as fit the byte budget (always the first: a row is
        # taken when the rows before it hold less than the budget), deleted or marked sent
        # and returned in one round trip. Rows locked beyond the budget are released at commit.
        # The rows are then found by their row address (a TID scan), not joined to the outbox: an
        # outbox analyzed while empty looks empty to the planner however full it is, and the join
        # it then planned, a nested loop, went through the batch once per row of the outbox (60
        # million rows for 1 000 taken from 20 000; tests/integration/test_relay_plan.py).
        taken = f"""
            WITH locked AS (
                SELECT ctid, id, octet_length(payload) AS size FROM {schema}.outbox
                WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE
            ), taken AS (
                SELECT ctid FROM (SELECT ctid, sum(size) OVER (ORDER BY id) - size AS before FROM locked) AS l
                WHERE before < $2
            )"""
        # The event id as text: it leaves as the message id, and PostgreSQL formats a uuid for less
        # than asyncpg's UUID and Python's str() of it (0.7 µs an event).
        returning = "RETURNING o.id, o.event_id::text AS event_id, o.topic, o.key, o.event_type, o.payload"
        these = "o.ctid = ANY (ARRAY(SELECT ctid FROM taken))"
        self._take = (
            f"{taken} UPDATE {schema}.outbox AS o SET sent_at = clock_timestamp() WHERE {these} {returning}"
            if keep_published_s > 0 else
            f"{taken} DELETE FROM {schema}.outbox AS o WHERE {these} {returning}"
        )

    async def run(self) -> None:
        """Relay forever; survives database and bus outages by retrying."""
        while True:
            try:
                async with self.pool.acquire() as leader:
                    await self._lead(leader)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database gone, bus gone: wait and start over
                self.metrics.outbox_publish_errors.labels(self.schema).inc()
                log.warning("outbox relay for %s paused: %s", self.schema, described(exc))
                await asyncio.sleep(1.0)

    async def _lead(self, leader: asyncpg.Connection) -> None:
        await self._wait_for_the_lead(leader)
        listener = lambda *_: self._wake.set()  # noqa: E731
        loop = asyncio.get_running_loop()
        await leader.add_listener(notify_channel(self.schema), listener)
        try:
            while True:
                if _session_lost(leader):  # the lock went with the session: someone else may lead now
                    raise ConnectionError(f"lost the leader's session for {self.schema}")
                began = loop.time()
                done = await self.relay_round()
                if not done.published:
                    began = loop.time()
                    # Its last look before sleeping is a round too: rows it found linger like any.
                    done = await self._sleep(leader)
                if done.published and not done.full:
                    await asyncio.sleep(began + self.linger_s - loop.time())
        finally:
            # After a lost connection these fail; the lock died with the session anyway.
            with contextlib.suppress(Exception):
                await leader.remove_listener(notify_channel(self.schema), listener)
                await leader.execute("SELECT pg_advisory_unlock_all()")

    async def _wait_for_the_lead(self, leader: asyncpg.Connection) -> None:
        """A standby replica waits here as long as another one leads, asking every STANDBY_POLL_S.
        Not one blocking `pg_advisory_lock`: that was a statement, which the pool's command
        timeout cut off every 30 s, so every standby logged "paused: TimeoutError" and counted a
        publish error twice a minute (the operations dashboard's publish errors never went to 0)."""
        while True:  # a lock in another session, not an event of this process: asking is all there is
            if await self._try_lock(leader, _LEADER_SALT):
                return
            await asyncio.sleep(STANDBY_POLL_S)

    async def _try_lock(self, leader: asyncpg.Connection, salt: int) -> bool:
        """This schema's session lock of the kind `salt` names (the lead, or "asleep"), if free."""
        return bool(await leader.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, $2))", self.schema, salt))

    async def _sleep(self, leader: asyncpg.Connection) -> Round:
        """The outbox was empty: wait for an append's notification, or look again shortly while a
        writer that did not notify has yet to commit. Returns what its last look published."""
        if not await self._try_lock(leader, RELAY_ASLEEP_SALT):
            await asyncio.sleep(self.linger_s or UNNOTIFIED_POLL_S)
            return _NOTHING
        try:
            # From here every append notifies; a notification from before is for rows the last
            # look below finds.
            self._wake.clear()
            if (done := await self.relay_round()).published:  # rows of writers that committed without notifying
                return done
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_poll_s)
            return _NOTHING
        finally:
            # If the session is gone, so is its lock; the loop finds out before its next round.
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await leader.execute("SELECT pg_advisory_unlock(hashtextextended($1, $2))",
                                     self.schema, RELAY_ASLEEP_SALT)

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; return how many were published."""
        return (await self.relay_round()).published

    async def relay_round(self) -> Round:
        """Publish one batch of unsent rows; say how many, and whether the batch was full."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(self._take, self.batch_size, self.batch_bytes)
            if not rows:
                return _NOTHING
            # RETURNING follows the row addresses' order, not the ids'.
            publications = [_publication(r) for r in sorted(rows, key=itemgetter("id"))]
            await self._publish_in_key_order(publications)
        self.metrics.outbox_published.labels(self.schema).inc(len(rows))
        # A round stops at the row that takes it to `batch_bytes` or beyond (taken: the rows
        # before it held less), so a round cut short by the budget holds at least that much.
        full = len(rows) >= self.batch_size or sum(len(p[3]) for p in publications) >= self.batch_bytes
        return Round(len(rows), full)

    async def _publish_in_key_order(self, rows: list[Publication]) -> None:
        if self.publish_in_order is not None:
            await self.publish_in_order(rows)
            return
        by_key: dict[str, list[Publication]] = defaultdict(list)
        for row in rows:
            by_key[row[1]].append(row)

        async def publish_key(key_rows: list[Publication]) -> None:
            for r in key_rows:
                await self.publish(*r)

        await asyncio.gather(*(publish_key(k) for k in by_key.values()))

    async def refresh_metrics(self) -> None:
        row = await self.pool.fetchrow(
            f"SELECT count(*) AS n, coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) AS age "
            f"FROM {self.schema}.outbox WHERE sent_at IS NULL"
        )
        self.metrics.outbox_backlog.labels(self.schema).set(row["n"])
        self.metrics.outbox_oldest_age.labels(self.schema).set(float(row["age"]))

    async def purge_sent(self) -> int:
        """Delete rows marked sent longer ago than `keep_published_s`: the audit copies, and the
        rows a relay of an earlier release (which kept every row a day) marked while a rolling
        upgrade ran."""
        status = await self.pool.execute(
            f"DELETE FROM {self.schema}.outbox WHERE sent_at < clock_timestamp() - make_interval(secs => $1)",
            self.keep_published_s,
        )
        return int(status.split()[-1])


def _session_lost(leader: asyncpg.Connection) -> bool:
    try:
        return leader.is_closed()
    except asyncpg.InterfaceError:  # the pool already took the dead connection back
        return True


def _publication(row: Any) -> Publication:
    return (row["topic"], row["key"], row["event_id"], bytes(row["payload"]),
            {h.EVENT_TYPE: row["event_type"]})
