"""Reading a JetStream consumer on a cluster in tests: a consumer just made, or a stream just after
a node was killed or came back, has no leader for a moment, and JetStream answers a pull with 503
(`ServiceUnavailableError`) rather than with messages or a timeout. Such a pull is asked again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from nats.js.errors import ServiceUnavailableError

LEADERLESS_PATIENCE_S = 60  # how long a consumer may stay without a leader before the reader gives up


async def fetch_when_led(sub: Any, batch: int, timeout: float, patience_s: float = LEADERLESS_PATIENCE_S) -> list[Any]:
    """`sub.fetch(batch, timeout)`, asked again while the consumer has no leader (up to `patience_s`)."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return list(await sub.fetch(batch, timeout=timeout))
        except ServiceUnavailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
