"""A consumer rides out a NATS outage: it idles while the server is gone (no restart storm, no
pull requests piling up in the client) and consumes again once the server is back.

Before the fix in `loket/infra/bus/nats_fetch_fix.py`, a service whose NATS went away filled
the client's outbound buffer with pull requests; from then on FastStream restarted its pull
loop thousands of times a second, kept every dead task, and logged a line per restart (a
service grew to 1 GB in minutes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from loket.infra.embedded import EmbeddedNats
from tests.support.bus_harness import activation, open_harness
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow

# The default outbound buffer (2 MB) takes a minute or two of pull requests to fill; a small one
# fills in the outage's first moments, so the test sees what a long outage does.
SMALL_OUTBOUND_BUFFER = 1024


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats")
    yield server
    server.kill()


def _loop_tasks(harness) -> int:  # type: ignore[no-untyped-def]
    return sum(len(getattr(subscriber, "tasks", ())) for subscriber in harness.bus.broker.subscribers)


async def test_a_consumer_idles_through_a_nats_outage_and_consumes_after_it(
    nats_server: EmbeddedNats, pool: asyncpg.Pool, schema: str,
) -> None:
    url = nats_server.start()
    async with open_harness("nats", pool, schema, url) as harness:
        client = harness.bus.broker.connection
        client._max_pending_size = SMALL_OUTBOUND_BUFFER  # nats-py has no public setter after connect
        await harness.publish_event(activation())
        await harness.wait_for_effects(1)
        tasks_before = _loop_tasks(harness)

        nats_server.stop()
        await asyncio.sleep(3.0)  # the outage: the pull loops keep turning meanwhile
        assert not client.is_connected
        assert _loop_tasks(harness) == tasks_before, "the pull loop was restarted during the outage"
        assert client._pending_data_size <= SMALL_OUTBOUND_BUFFER, "pull requests piled up while disconnected"

        assert nats_server.start() == url  # same port, same JetStream store
        await eventually(lambda: client.is_connected, timeout=30.0, what="the client's reconnect")
        await harness.publish_event(activation())
        await harness.wait_for_effects(2, timeout=30.0)
        assert _loop_tasks(harness) == tasks_before

