"""`public_rate`: a token bucket per client address for the public endpoints, shared by every
replica. One statement per request refills the bucket by the time passed, takes a token if one
is there, and says whether it did; the row lock serialises one client's requests, nothing else."""

from __future__ import annotations

import datetime as dt

import asyncpg

_AVAILABLE = ("least($2::float8, b.tokens + greatest(0, extract(epoch FROM clock_timestamp() - b.updated_at)) "
              "* $3::float8)")


async def take(conn: asyncpg.Connection | asyncpg.Pool, schema: str, client: str, burst: int,
               per_second: float) -> float:
    """0 when the client had a token (now taken); otherwise the seconds until it has one."""
    row = await conn.fetchrow(
        f"""INSERT INTO {schema}.public_rate AS b (client, tokens, granted, updated_at)
            VALUES ($1, $2::float8 - 1, true, clock_timestamp())
            ON CONFLICT (client) DO UPDATE SET
                tokens = CASE WHEN {_AVAILABLE} >= 1 THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END,
                granted = {_AVAILABLE} >= 1,
                updated_at = clock_timestamp()
            RETURNING granted, tokens""",
        client, float(burst), per_second)
    if row["granted"]:
        return 0.0
    return (1 - row["tokens"]) / per_second if per_second > 0 else 60.0


async def forget_idle(conn: asyncpg.Connection | asyncpg.Pool, schema: str, idle_since: dt.datetime) -> int:
    """Clients not seen since `idle_since`: their buckets are full again, their addresses go."""
    status = await conn.execute(f"DELETE FROM {schema}.public_rate WHERE updated_at < $1", idle_since)
    return int(status.split()[-1])
