"""Outbox writer: events are appended in the caller's transaction, published later by the relay.

Appends for one key are serialised with a transaction-scoped advisory lock, so their ids grow in
commit order and the relay (which publishes in id order) keeps the order per key even when
several transactions write events for the same aggregate at once.
"""

from __future__ import annotations

import asyncpg

from loket.contracts import Event

_LOCK_SALT = 0x0B0C  # keeps these advisory locks apart from any other use of hashtext
# The schema's relay holds this session lock, exclusive, while it sleeps until an append notifies
# it (relay.py). An append notifies only when it cannot take the lock shared, that is while the
# relay sleeps. Why not always: PostgreSQL commits the transactions that notify one at a time,
# in the whole cluster (its notification queue lock is held until the commit is on disk), so
# every outbox writer of every service waited on every other one's commit. Under load the
# relay does not sleep and writers commit side by side.
RELAY_ASLEEP_SALT = 0x0B0E


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


class Outbox:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        # One statement, one round trip: the per-key locks, the rows, the notification if the relay
        # sleeps. (Three statements cost the writer two more round trips per transaction: 2 to 5 µs
        # of client CPU per event at 50 events per transaction.) The locks come first: `locked` is
        # read by a one-time filter that PostgreSQL evaluates before the INSERT draws its first id
        # from the sequence.
        self._append = f"""
            WITH locked AS (
                SELECT pg_advisory_xact_lock(hashtextextended(k, $7)) FROM unnest($6::text[]) AS k
            ), appended AS (
                INSERT INTO {schema}.outbox (event_id, topic, key, event_type, payload)
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[])
                WHERE (SELECT count(*) FROM locked) >= 0
            )
            SELECT pg_notify($8, '') WHERE NOT pg_try_advisory_xact_lock_shared(hashtextextended($9, $10))
        """
        self._channel = notify_channel(schema)

    async def append(self, conn: asyncpg.Connection, *events: Event) -> None:
        if not events:
            return
        # Once per event: a key is usually a UUID's text, which Python formats slowly.
        keys = [e.partition_key() for e in events]
        await conn.execute(
            self._append,
            [e.event_id for e in events],
            [e.topic for e in events],
            keys,
            [e.event_type for e in events],
            [e.to_bytes() for e in events],
            sorted(set(keys)),  # sorted: no lock-order deadlocks
            _LOCK_SALT,
            # Delivered at commit, and folded into one notification per transaction.
            self._channel,
            # Taken shared, until commit, when the relay is awake: it does not go to sleep while a
            # writer holds it, so it finds these rows by looking again, without a notification.
            self.schema,
            RELAY_ASLEEP_SALT,
        )


async def forget_published_mentioning(conn: asyncpg.Connection, schema: str, needles: list[bytes]) -> int:
    """Erasure: delete the published events still kept here whose bytes hold one of `needles` (a
    national number, a letter id), now rather than at the end of `outbox_keep_published_s`. (By
    default the relay deletes what it published, and there are none.) Unpublished events stay:
    they still have to leave, and the erasure is run again after they did."""
    status = await conn.execute(f"DELETE FROM {schema}.outbox WHERE sent_at IS NOT NULL AND {_MENTIONS}", needles)
    return int(status.split()[-1])


async def unpublished_mentioning(conn: asyncpg.Connection, schema: str, needles: list[bytes]) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL AND {_MENTIONS}",
                                   needles))


_MENTIONS = "EXISTS (SELECT 1 FROM unnest($1::bytea[]) AS needle WHERE position(needle IN payload) > 0)"
