"""Run an outbox relay that is SIGKILLed right after publishing, before it marks rows sent.

Used by the outbox crash test as a separate process: `python -m tests.support.relay_that_crashes
DATABASE_URL BUS_URL SCHEMA`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from prometheus_client import CollectorRegistry

from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.db.pool import create_pool
from loket.infra.db.relay import OutboxRelay
from loket.infra.metrics import PlatformMetrics


class CrashingRelay(OutboxRelay):
    async def _publish_in_key_order(self, rows: list[Any]) -> None:
        await super()._publish_in_key_order(rows)
        os.kill(os.getpid(), signal.SIGKILL)  # the broker has the events; the rows are unmarked


async def main(database_url: str, bus_url: str, schema: str) -> None:
    registry = CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(bus_url, "crash-test", registry, metrics)
    await bus.broker.connect()
    await nats_wiring.declare_streams(bus.broker)
    pool = await create_pool(database_url)
    await CrashingRelay(pool, schema, bus.publish_raw, metrics).relay_once()
    sys.exit("the relay should have been killed before reaching this line")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
