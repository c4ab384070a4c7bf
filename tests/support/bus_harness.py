"""A consumer on `citizens.v1` wired exactly like a service's, on one of three buses:

- "nats": the real embedded NATS JetStream,
- "kafka-memory": FastStream's in-memory TestKafkaBroker,
- "kafka": a real Kafka at LOKET_TEST_KAFKA_BOOTSTRAP (only in the `kafka`-marked suite).

The handler's behaviour per activation is scripted (fail transiently N times, fail
permanently), and its effect is one row in `<schema>.effects`, so tests read results from
PostgreSQL the way an auditor would.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats
from faststream import Context
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry, Counter

from loket.contracts import EboxActivationAssisted, topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.bus import Bus
from loket.infra.bus.consumer import EventConsumer
from loket.infra.bus.handler_context import HandlerContext
from loket.infra.errors import PermanentError, TransientError
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ConsumerSettings
from tests.contracts.examples import example
from tests.support.waiting import eventually

TOPIC = topics.CITIZENS


@dataclass
class Script:
    transient_failures: dict[str, int] = field(default_factory=dict)
    permanent: set[str] = field(default_factory=set)
    # These write a count larger than its int4 column can hold: PostgreSQL refuses the value.
    out_of_range: set[str] = field(default_factory=set)
    # This many times, PostgreSQL ends the handler's session mid-transaction, as a restart or
    # an operator's pg_terminate_backend does.
    server_shutdowns: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, list[float]] = field(default_factory=dict)
    # On a shared real Kafka, earlier runs' events are still in the topic: only ours count.
    published: set[str] = field(default_factory=set)

    async def handle(self, event: EboxActivationAssisted, ctx: HandlerContext) -> None:
        key = str(event.payload.activation_id)
        if key not in self.published:
            return
        self.attempts.setdefault(key, []).append(time.monotonic())
        if key in self.permanent:
            raise PermanentError(f"activation {key} refers to a point that was closed")
        if key in self.out_of_range:
            await ctx.conn.execute("SELECT ($1::bigint)::int4", 2**31)
        if self.server_shutdowns.get(key, 0):
            self.server_shutdowns[key] -= 1
            await ctx.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        left = self.transient_failures.get(key, 0)
        if left:
            self.transient_failures[key] = left - 1
            raise TransientError("the eBox status service is busy")
        await ctx.conn.execute(
            f"INSERT INTO {ctx.outbox.schema}.effects (event_id, activation_id) VALUES ($1, $2)",
            event.event_id, event.payload.activation_id,
        )


@dataclass
class Harness:
    kind: str
    bus: Bus
    pool: asyncpg.Pool
    schema: str
    script: Script
    dead_letters: list[tuple[bytes, dict[str, str]]]
    consumer: EventConsumer

    async def publish(self, body: bytes, key: str = "k", message_id: str | None = None) -> None:
        await self.bus.publish_raw(TOPIC, key, message_id or uuid.uuid4().hex, body)

    async def publish_event(self, event: EboxActivationAssisted, message_id: str | None = None) -> None:
        self.script.published.add(str(event.payload.activation_id))
        await self.publish(event.to_bytes(), event.partition_key(), message_id)

    async def publish_as_the_relay(self, event: EboxActivationAssisted) -> None:
        """The way the outbox relay publishes: on Kafka whole record batches, the key only as the
        record's key; on JetStream one by one with the key as a header."""
        self.script.published.add(str(event.payload.activation_id))
        if self.bus.publish_in_order is None:
            await self.publish(event.to_bytes(), event.partition_key())
            return
        await self.bus.publish_in_order([(TOPIC, event.partition_key(), uuid.uuid4().hex, event.to_bytes(),
                                          {"x-loket-event-type": event.event_type})])

    def count(self, counter: Counter) -> float:
        """One of the bus's consumer counters (bus.metrics) for this harness's group and topic."""
        labels = {"consumer": self.consumer.group, "topic": TOPIC}
        for family in counter.collect():
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels == labels:
                    return sample.value
        return 0.0

    async def effects(self) -> list[Any]:
        return await self.pool.fetch(f"SELECT * FROM {self.schema}.effects ORDER BY id")

    async def wait_until(self, predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        await eventually(predicate, timeout)

    async def wait_for_effects(self, n: int, timeout: float = 30.0) -> None:
        async def enough() -> bool:
            return len(await self.effects()) >= n
        await self.wait_until(enough, timeout)

    async def wait_for_dead_letters(self, n: int, timeout: float = 30.0) -> None:
        async def enough() -> bool:
            return len(self.dead_letters) >= n
        await self.wait_until(enough, timeout)


def activation(**payload: Any) -> EboxActivationAssisted:
    event = example("EboxActivationAssisted", **{"activation_id": uuid.uuid4(), **payload})
    assert isinstance(event, EboxActivationAssisted)
    return event


FAST_RETRIES = ConsumerSettings(
    batch_size=100, batch_timeout_s=0.05, max_attempts=4,
    retry_base_delay_s=0.05, retry_max_delay_s=1.0, unavailable_backoff_s=0.2,
)


@contextlib.asynccontextmanager
async def open_harness(kind: str, pool: asyncpg.Pool, schema: str, nats_url: str | None,
                       settings: ConsumerSettings = FAST_RETRIES) -> AsyncIterator[Harness]:
    await pool.execute(
        f"CREATE TABLE {schema}.effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL,"
        " activation_id uuid NOT NULL)"
    )
    url = {"nats": nats_url, "kafka-memory": "kafka://localhost:9092",
           "kafka": f"kafka://{os.environ.get('LOKET_TEST_KAFKA_BOOTSTRAP', '')}"}[kind]
    registry = CollectorRegistry()
    bus = Bus(url, "test", registry, PlatformMetrics(registry))
    script = Script()
    group = f"test.{schema}"
    consumer = EventConsumer(
        bus=bus, pool=pool, schema=schema, group=group, topic=TOPIC,
        handlers={EboxActivationAssisted: script.handle}, settings=settings,
    )
    consumer.attach()
    dead: list[tuple[bytes, dict[str, str]]] = []

    async def collect(message: Any = Context("message")) -> None:
        for body, headers in zip(message.body, message.batch_headers, strict=True):
            if headers.get("x-loket-dlq-consumer") == group:  # not an earlier run's
                dead.append((body, headers))
        await message.ack()

    bus.subscriber(topics.dlq_topic(TOPIC), f"{group}.dlq-reader", FAST_RETRIES)(collect)
    harness = Harness(kind, bus, pool, schema, script, dead, consumer)
    if kind == "kafka-memory":
        async with TestKafkaBroker(bus.broker):
            yield harness
        return
    if kind == "kafka":
        await create_kafka_topics(bus.address.servers, [TOPIC, topics.dlq_topic(TOPIC)])
        await purge_kafka_topics(bus.address.servers, [TOPIC, topics.dlq_topic(TOPIC)])
    if kind == "nats":
        await bus.broker.connect()
        await nats_wiring.declare_streams(bus.broker)
        await bus.broker.connection.jetstream().purge_stream(topics.stream_for(TOPIC))
    await bus.start()
    try:
        yield harness
    finally:
        if kind == "nats":
            js = bus.broker.connection.jetstream()
            for durable in (group, f"{group}.dlq-reader"):
                with contextlib.suppress(Exception):
                    await js.delete_consumer(topics.stream_for(TOPIC), nats_wiring.durable_name(durable))
        await bus.stop()


async def create_kafka_topics(servers: tuple[str, ...], names: list[str]) -> None:
    """Production creates topics in the deploy init job (no auto-create); tests do it here.

    `loket kafka up` has created them already (replication 3); on another cluster they get
    the replication its size allows. Each entry may be a comma-separated bootstrap list, as
    LOKET_TEST_KAFKA_BOOTSTRAP is.
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    bootstrap = [host for entry in servers for host in entry.split(",") if host]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        replication = min(3, len((await admin.describe_cluster())["brokers"]))
        for name in names:
            if name in existing:
                continue
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(name, num_partitions=3, replication_factor=replication)])
    finally:
        await admin.close()


async def purge_kafka_topics(servers: tuple[str, ...], names: list[str]) -> None:
    """Empty these Kafka topics, as purge_stream does on NATS: each test's consumer group is
    new and reads from the earliest offset, so earlier tests' bad messages would otherwise
    reach its DLQ before the test's own."""
    from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
    from aiokafka.structs import TopicPartition

    bootstrap = [host for entry in servers for host in entry.split(",") if host]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
        # before_offset -1: up to each partition's high watermark.
        await admin.delete_records({
            TopicPartition(t["topic"], p["partition"]): RecordsToDelete(-1)
            for t in described for p in t["partitions"]
        })
    finally:
        await admin.close()


async def purge_streams(bus_url: str, streams: tuple[str, ...]) -> None:
    """Empty these JetStream streams (ignoring ones not created yet)."""
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        for stream in streams:
            with contextlib.suppress(Exception):
                await nc.jetstream().purge_stream(stream)
    finally:
        await nc.close()
