"""Token buckets per client address for the public (unauthenticated) endpoints.

In memory and per process: enough to stop one client from scraping slots or hammering the
booking form; a shared limit across replicas belongs in the ingress in front of the service.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.rate = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, client: str) -> float:
        """0 when the request may go ahead (and is counted); otherwise seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) > 50_000:  # forget idle clients rather than grow without bound
                self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < 300}
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else 60.0


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
