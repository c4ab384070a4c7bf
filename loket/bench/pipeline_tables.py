"""The benchmark's own tables in its schema: the producer's aggregate and the consumer's effect.

- `bench_letters` is the aggregate a producer changes in the same transaction as its outbox
  append (one row per event: the letter's status becomes `failed`). It is seeded before the
  clock starts so each change is an UPDATE of an existing row, as in the real ebox_bridge.
- `bench_effects` is what the consumer writes, one row per handled event. It has no unique
  key on purpose: the inbox alone must prevent duplicates, and the check counts them.
  `recorded_at` is PostgreSQL's clock_timestamp() at insert, within the consumer's batch
  transaction, i.e. at most one batch's handling time before its commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg


def _ddl(schema: str) -> str:
    return f"""
        CREATE TABLE {schema}.bench_letters (
            letter_id  uuid PRIMARY KEY,
            status     text NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE TABLE {schema}.bench_effects (
            event_id    uuid NOT NULL,
            letter_id   uuid NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
    """


async def create_tables(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> None:
    await conn.execute(_ddl(schema))
    await conn.execute(
        f"INSERT INTO {schema}.bench_letters SELECT unnest($1::uuid[]), 'sent_to_ebox', now()",
        letter_ids,
    )
    await conn.execute(f"ANALYZE {schema}.bench_letters")


def mark_failed_sql(schema: str) -> str:
    """The producer's state change: one row per event, all of a transaction's in one statement."""
    return (
        f"UPDATE {schema}.bench_letters AS l SET status = 'failed', updated_at = clock_timestamp() "
        "FROM unnest($1::uuid[]) AS u(id) WHERE l.letter_id = u.id"
    )


def record_effects_sql(schema: str) -> str:
    """A batch's effects in one statement; `recorded_at` is still each row's own clock_timestamp()."""
    return f"INSERT INTO {schema}.bench_effects (event_id, letter_id) SELECT unnest($1::uuid[]), unnest($2::uuid[])"


@dataclass(frozen=True)
class EffectCheck:
    effects: int
    distinct_events: int
    written: int  # letters the producer's transactions changed
    unsent: int  # outbox rows left: the relay deletes what it published
    last_effect: float  # epoch seconds, PostgreSQL clock
    p50_s: float
    p99_s: float
    max_s: float


async def count_effects(pool: asyncpg.Pool, schema: str) -> int:
    return int(await pool.fetchval(f"SELECT count(*) FROM {schema}.bench_effects"))


async def check_effects(pool: asyncpg.Pool, schema: str) -> EffectCheck:
    """Counts for the correctness check, and latency write → effect on PostgreSQL's clock.

    Latency runs from the letter's `updated_at` (clock_timestamp() of the producer's state
    change, in the transaction that appended the event) to the effect's `recorded_at`: both one
    clock. (Not from the outbox row: the relay deletes it once the bus has the event.)
    """
    row = await pool.fetchrow(
        f"""
        WITH lat AS (
            SELECT extract(epoch FROM e.recorded_at - l.updated_at)::float8 AS s
            FROM {schema}.bench_effects e JOIN {schema}.bench_letters l USING (letter_id)
        )
        SELECT
            (SELECT count(*) FROM {schema}.bench_effects) AS effects,
            (SELECT count(DISTINCT event_id) FROM {schema}.bench_effects) AS distinct_events,
            (SELECT count(*) FROM {schema}.bench_letters WHERE status = 'failed') AS written,
            (SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL) AS unsent,
            (SELECT extract(epoch FROM max(recorded_at))::float8 FROM {schema}.bench_effects) AS last_effect,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM lat) AS p50,
            (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY s) FROM lat) AS p99,
            (SELECT max(s) FROM lat) AS max
        """
    )
    return EffectCheck(
        effects=row["effects"], distinct_events=row["distinct_events"],
        written=row["written"], unsent=row["unsent"],
        last_effect=row["last_effect"] or 0.0,
        p50_s=row["p50"] or 0.0, p99_s=row["p99"] or 0.0, max_s=row["max"] or 0.0,
    )
