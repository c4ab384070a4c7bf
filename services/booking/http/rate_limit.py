"""Token buckets per client address for the public (unauthenticated) endpoints.

In memory and per process: enough to stop one client from scraping slots or hammering the
booking form; a shared limit across replicas belongs in the ingress in front of the service.
Memory is bounded: past `max_clients` the least recently seen client is forgotten, one at a time
(a request never pays for rebuilding the whole map). The client is `request.client`, which the
service's ClientAddressMiddleware has already resolved behind trusted proxies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, clock=time.monotonic,  # type: ignore[no-untyped-def]
                 max_clients: int = 50_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def retry_after(self, client: str) -> float:
        """0 when the request may go ahead (and is counted); otherwise seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._buckets.popitem(last=False)  # the least recently seen client
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        else:
            self._buckets.move_to_end(client)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else 60.0


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
