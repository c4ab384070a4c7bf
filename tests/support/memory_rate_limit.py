"""An in-memory `RateLimit` for fast unit tests of the HTTP layer: a token bucket per client on
a clock the test controls (the service's own limit is shared through PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Callable


class MemoryRateLimit:
    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = per_minute / 60.0, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    async def retry_after(self, client: str) -> float:
        now = self.clock()
        tokens, updated = self._buckets.get(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - updated) * self.rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate
