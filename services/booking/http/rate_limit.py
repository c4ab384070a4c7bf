"""The public (unauthenticated) endpoints' rate limit: a token bucket per client address, kept
in PostgreSQL so every replica draws from the same bucket (a limit per process would multiply
with the replicas). It stops one client from scraping slots or hammering the booking form.

The client is `request.client`, which the service's ClientAddressMiddleware has already resolved
behind trusted proxies. Idle clients are forgotten after an hour (their buckets are full again
by then), at most one clean-up a minute per replica: the table stays as small as the clients of
the last hour, and their addresses are not kept longer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

import asyncpg

from services.booking.rate_limits import repository as buckets

IDLE_FORGOTTEN_AFTER = dt.timedelta(hours=1)
CLEAN_UP_EVERY_S = 60.0


class RateLimit(Protocol):
    async def retry_after(self, client: str) -> float:
        """0 when the request may go ahead (and is counted); otherwise seconds to wait."""
        ...


class SharedRateLimiter:
    def __init__(self, db: Callable[[], asyncpg.Pool], schema: str, per_minute: float, burst: int) -> None:
        # `db` resolves on use: the service's pool opens after its objects are built.
        self.db, self.schema, self.burst, self.rate = db, schema, burst, per_minute / 60.0
        self._cleaned = 0.0

    async def retry_after(self, client: str) -> float:
        pool = self.db()
        if time.monotonic() - self._cleaned >= CLEAN_UP_EVERY_S:
            self._cleaned = time.monotonic()
            await buckets.forget_idle(pool, self.schema, dt.datetime.now(dt.UTC) - IDLE_FORGOTTEN_AFTER)
        return await buckets.take(pool, self.schema, client, self.burst, self.rate)

