"""Read and replay dead letters on NATS JetStream or Kafka behind one small interface.

    async with open_dlq_store(bus_url) as store:
        letters = await store.list("citizens.v1", limit=50)
        await store.replay(letters[0].id)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.dlq_store.model import (
    BusUnavailable,
    DeadLetter,
    DeadLetterBodyRemoved,
    DeadLetterNotFound,
    DeadLetterStore,
    MalformedDeadLetterId,
    UnknownTopic,
)


@contextlib.asynccontextmanager
async def open_dlq_store(bus_url: str) -> AsyncIterator[DeadLetterStore]:
    """The store for the broker `bus_url` names (raises ValueError for an unknown scheme)."""
    address = parse_bus_url(bus_url)
    # Imported lazily: a command talks to one broker, so it need not load the other's client.
    if address.kind == "nats":
        from loket.infra.bus.dlq_store.nats_store import NatsDeadLetterStore

        async with NatsDeadLetterStore(address.servers) as nats_store:
            yield nats_store
    else:
        from loket.infra.bus.dlq_store.kafka_store import KafkaDeadLetterStore

        async with KafkaDeadLetterStore(address.servers) as kafka_store:
            yield kafka_store


__all__ = [
    "BusUnavailable", "DeadLetter", "DeadLetterBodyRemoved", "DeadLetterNotFound", "DeadLetterStore",
    "MalformedDeadLetterId", "UnknownTopic", "open_dlq_store",
]
