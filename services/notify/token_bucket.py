"""A token bucket in front of the SMS provider at its published rate, shared by every notify
replica: a burst of reminders waits here instead of collecting 429s, however many replicas send.

The bucket is one row in PostgreSQL, refilled by the database's clock (replicas' clocks may
differ). A process takes a few tokens at a time (one round trip per `chunk`, not per SMS) and
spends them one per SMS; tokens a process took and did not spend are lost when it stops, which
errs on the side of the provider. After a 429 the whole platform pauses, not only the replica
that met it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg


class TokenBucket:
    def __init__(self, pool: Callable[[], asyncpg.Pool], schema: str, rate_per_s: float, burst: int,
                 chunk: int | None = None) -> None:
        self.pool, self.rate, self.burst = pool, rate_per_s, burst
        # A twentieth of a second's worth: few round trips, little held back in an idle replica.
        self.chunk = chunk or max(1, min(burst, round(rate_per_s / 20)))
        self._tokens = 0
        self._lock = asyncio.Lock()
        self._take = f"""
            WITH clock AS (SELECT clock_timestamp() AS t),
                 bucket AS (
                    SELECT least($2::float8, tokens + greatest(0, extract(epoch FROM clock.t - updated_at)) * $3::float8)
                           AS available
                    FROM {schema}.sms_rate, clock WHERE id = 1 FOR UPDATE),
                 grant_ AS (SELECT least($1::int, greatest(0, floor(available)))::int AS granted, available FROM bucket)
            UPDATE {schema}.sms_rate SET tokens = grant_.available - grant_.granted, updated_at = clock.t
            FROM grant_, clock WHERE id = 1
            RETURNING grant_.granted, grant_.available"""
        self._pause = f"UPDATE {schema}.sms_rate SET tokens = least(tokens, 0) - $1::float8 WHERE id = 1"

    async def acquire(self) -> None:
        """One token; waits (in order of arrival) until the shared bucket has one."""
        async with self._lock:
            while self._tokens < 1:
                row = await self.pool().fetchrow(self._take, self.chunk, float(self.burst), self.rate)
                self._tokens += row["granted"]
                if row["granted"] == 0:
                    await asyncio.sleep(max(0.001, (1 - row["available"]) / self.rate))
            self._tokens -= 1

    async def pause(self, seconds: float) -> None:
        """After a 429: every replica spends the tokens of the next `seconds`."""
        self._tokens = 0
        await self.pool().execute(self._pause, seconds * self.rate)
