"""Outbox relay: publish committed outbox rows in id order, then delete them (or mark them sent).

- One active relay per schema: the leader holds a session advisory lock; other replicas wait
  for it, so two relays never interleave the same key's events.
- Rows are locked `FOR UPDATE SKIP LOCKED` while they are published, and deleted only after
  the broker acknowledged them, in the same transaction. A crash in between republishes them
  after restart; the broker's de-duplication (`Nats-Msg-Id`) and the consumers' inbox make that
  harmless.
- Deleted, because the bus now holds the event for its retention: a row kept here would be a
  second copy of its personal data, and marking it sent wrote a new version of the whole row.
  With `keep_published_s` > 0 (an operator who wants an audit copy) rows are marked sent
  instead and `purge_sent` deletes them after that long.
- Woken by `LISTEN/NOTIFY` when a transaction appends, with a slow poll as a safety net.
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
from typing import Any

import asyncpg

from loket.infra.db.outbox import notify_channel
from loket.infra.metrics import PlatformMetrics

log = logging.getLogger(__name__)

PublishRow = Callable[[str, str, str, bytes, dict[str, str]], Awaitable[None]]
PublishRows = Callable[[list[tuple[str, str, str, bytes, dict[str, str]]]], Awaitable[None]]
_LEADER_SALT = 0x0B0D


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        publish: PublishRow,
        metrics: PlatformMetrics,
        *,
        batch_size: int = 500,
        idle_poll_s: float = 1.0,
        keep_published_s: float = 0.0,
        publish_in_order: PublishRows | None = None,
    ) -> None:
        self.pool, self.schema, self.publish, self.metrics = pool, schema, publish, metrics
        self.publish_in_order = publish_in_order
        self.batch_size, self.idle_poll_s, self.keep_published_s = batch_size, idle_poll_s, keep_published_s
        self._wake = asyncio.Event()
        self._select = (
            f"SELECT id, event_id, topic, key, event_type, payload FROM {schema}.outbox "
            "WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
        )
        self._published = (
            f"UPDATE {schema}.outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::bigint[])"
            if keep_published_s > 0 else f"DELETE FROM {schema}.outbox WHERE id = ANY($1::bigint[])"
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
                log.warning("outbox relay for %s paused: %s", self.schema, exc)
                await asyncio.sleep(1.0)

    async def _lead(self, leader: asyncpg.Connection) -> None:
        await leader.execute("SELECT pg_advisory_lock(hashtextextended($1, $2))", self.schema, _LEADER_SALT)
        listener = lambda *_: self._wake.set()  # noqa: E731
        await leader.add_listener(notify_channel(self.schema), listener)
        try:
            while True:
                self._wake.clear()
                published = await self.relay_once()
                if published < self.batch_size:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.idle_poll_s)
                    except TimeoutError:
                        pass
        finally:
            # After a lost connection these fail; the lock died with the session anyway.
            with contextlib.suppress(Exception):
                await leader.remove_listener(notify_channel(self.schema), listener)
                await leader.execute("SELECT pg_advisory_unlock_all()")

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; return how many were published."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(self._select, self.batch_size)
            if not rows:
                return 0
            await self._publish_in_key_order(rows)
            await conn.execute(self._published, [r["id"] for r in rows])
        self.metrics.outbox_published.labels(self.schema).inc(len(rows))
        return len(rows)

    async def _publish_in_key_order(self, rows: list[Any]) -> None:
        if self.publish_in_order is not None:
            await self.publish_in_order([_publication(r) for r in rows])
            return
        by_key: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_key[row["key"]].append(row)

        async def publish_key(key_rows: list[Any]) -> None:
            for r in key_rows:
                await self.publish(*_publication(r))

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


def _publication(row: Any) -> tuple[str, str, str, bytes, dict[str, str]]:
    """(topic, key, message id, body, headers) of an outbox row, as both publish paths take it."""
    return (row["topic"], row["key"], str(row["event_id"]), bytes(row["payload"]),
            {"x-loket-event-type": row["event_type"]})
