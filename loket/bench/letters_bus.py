"""The letters benchmark's own view of the bus, on NATS JetStream or Kafka alike: publish letters
as a back-office would (keyed by letter, with the message id the broker or the consumer
de-duplicates by), watch a topic from now on, and make or drop the raw baseline's throw-away
topics. Plain nats-py and aiokafka: the load generator and the onlooker are the same client
code in the Loket run and in the raw run, so neither side is measured through Loket's own bus.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import nats
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import RecordsToDelete
from aiokafka.structs import TopicPartition

from loket.bench.raw_kafka import prime_partitions
from loket.infra.bus import headers as h
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded.kafka_topics import (
    DEFAULT_PARTITIONS,
    TopicSpec,
    admin_client,
    ensure_topics,
    production_partitions,
)

OnMessage = Callable[[bytes], None]


class BenchBus(Protocol):
    kind: str

    async def publish(self, topic: str, body: bytes, message_id: str, key: str) -> None:
        """Returns once the broker has the message (JetStream ack, Kafka acks=all)."""

    def watching(self, topic: str, on_message: OnMessage) -> contextlib.AbstractAsyncContextManager[None]:
        """Calls `on_message` with every message published to `topic` while the block runs."""

    async def create_scratch(self, name: str, topics: list[str]) -> None:
        """Fresh, empty throw-away topics (on NATS: one stream `name` over these subjects)."""

    async def drop_scratch(self, name: str, topics: list[str]) -> None: ...


@contextlib.asynccontextmanager
async def bench_bus(bus_url: str) -> AsyncIterator[BenchBus]:
    address = parse_bus_url(bus_url)
    bus: NatsBenchBus | KafkaBenchBus
    if address.kind == "kafka":
        bus = KafkaBenchBus(",".join(address.servers))
    else:
        bus = NatsBenchBus(await nats.connect(list(address.servers)))
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()


class NatsBenchBus:
    kind = "nats"

    def __init__(self, nc: nats.NATS) -> None:
        self.nc, self.js = nc, nc.jetstream()

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        await self.nc.close()

    async def publish(self, topic: str, body: bytes, message_id: str, key: str) -> None:
        await self.js.publish(topic, body, headers={h.NATS_MESSAGE_ID: message_id, h.KEY: key})

    @contextlib.asynccontextmanager
    async def watching(self, topic: str, on_message: OnMessage) -> AsyncIterator[None]:
        # A core subscription: every message published from now on, none stored earlier.
        async def deliver(msg) -> None:  # type: ignore[no-untyped-def]
            on_message(msg.data)

        sub = await self.nc.subscribe(topic, cb=deliver)
        try:
            yield
        finally:
            await sub.unsubscribe()

    async def create_scratch(self, name: str, topics: list[str]) -> None:
        await self.drop_scratch(name, topics)
        await self.js.add_stream(name=name, subjects=topics, duplicate_window=120)

    async def drop_scratch(self, name: str, topics: list[str]) -> None:
        with contextlib.suppress(Exception):  # absent already
            await self.js.delete_stream(name)


class KafkaBenchBus:
    """The production producer settings (acks=all, idempotent); a partition-assigned reader
    that starts at the end of every partition."""

    kind = "kafka"

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)

    async def start(self) -> None:
        await self.producer.start()

    async def close(self) -> None:
        await self.producer.stop()

    async def publish(self, topic: str, body: bytes, message_id: str, key: str) -> None:
        await self.producer.send_and_wait(topic, body, key=key.encode(), headers=[
            (h.KAFKA_MESSAGE_ID, message_id.encode()), (h.KEY, key.encode())])

    @contextlib.asynccontextmanager
    async def watching(self, topic: str, on_message: OnMessage) -> AsyncIterator[None]:
        reader = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await reader.start()
        try:
            partitions = [TopicPartition(topic, p) for p in await self._partitions(topic)]
            reader.assign(partitions)
            await reader.seek_to_end(*partitions)
            for tp in partitions:  # resolve the end now, before anything is published
                await reader.position(tp)

            async def read() -> None:
                while True:
                    for records in (await reader.getmany(timeout_ms=200, max_records=5000)).values():
                        for record in records:
                            on_message(record.value)

            task = asyncio.create_task(read())
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            await reader.stop()

    async def _partitions(self, topic: str) -> list[int]:
        admin = admin_client(self.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        found = sorted(p["partition"] for t in described if t["error_code"] == 0 for p in t["partitions"])
        if not found:
            raise RuntimeError(f"Kafka has no topic {topic}: create the topics first (`loket kafka up`)")
        return found

    async def create_scratch(self, name: str, topics: list[str]) -> None:
        await self.drop_scratch(name, topics)
        # As many partitions as the letters' own topic: the raw run spreads its work the same way.
        partitions = production_partitions().get("letters.issued.v1", DEFAULT_PARTITIONS)
        await ensure_topics(self.bootstrap, [TopicSpec(t, partitions) for t in topics])
        # Primed with this bus's producer, which publishes the load; the primers are deleted again
        # before anything reads them.
        await prime_partitions(self.producer, topics, partitions)
        admin = admin_client(self.bootstrap)
        await admin.start()
        try:
            await admin.delete_records({TopicPartition(t, p): RecordsToDelete(-1)
                                        for t in topics for p in range(partitions)})
        finally:
            await admin.close()

    async def drop_scratch(self, name: str, topics: list[str]) -> None:
        admin = admin_client(self.bootstrap)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            if gone := [t for t in topics if t in existing]:
                await admin.delete_topics(gone)
                await _wait_deleted(admin, gone)
        finally:
            await admin.close()


async def _wait_deleted(admin, topics: list[str], timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Topic deletion is asynchronous on the brokers: a topic re-created at once could fail."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while set(topics) & set(await admin.list_topics()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"Kafka did not delete {topics} within {timeout_s:.0f} s")
        await asyncio.sleep(0.2)
