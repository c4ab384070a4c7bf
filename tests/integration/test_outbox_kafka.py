"""On Kafka the relay hands a whole batch to the producer at once (`publish_in_order`) instead
of one key's rows one after the other: each key's events still reach the topic in commit order,
each once. Runs against LOKET_TEST_KAFKA_BOOTSTRAP (`.ci/run` sets it when `java` and `mvn`
are there)."""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import kafka_wiring
from loket.infra.bus.bus import Bus
from loket.infra.db.relay import OutboxRelay
from loket.infra.embedded.kafka_topics import describe_topics
from loket.infra.metrics import PlatformMetrics
from tests.support.keyed_writers import relay_while_writing

BOOTSTRAP = os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP", "")
TOPIC = topics.CITIZENS

pytestmark = [pytest.mark.kafka, pytest.mark.skipif(
    not BOOTSTRAP,
    reason="no Kafka cluster: run `loket kafka up` and set LOKET_TEST_KAFKA_BOOTSTRAP to the line it prints")]


async def end_offsets() -> dict[TopicPartition, int]:
    counts = {t["topic"]: t["partitions"] for t in await describe_topics(BOOTSTRAP)}
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP)
    await consumer.start()
    try:
        return await consumer.end_offsets([TopicPartition(TOPIC, p) for p in range(counts[TOPIC])])
    finally:
        await consumer.stop()


async def read_since(start: dict[TopicPartition, int], expected: int) -> list[dict]:
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    found: list[dict] = []
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        for _ in range(100):
            batches = await consumer.getmany(timeout_ms=500)
            found += [{**json.loads(m.value), "headers": {k: v.decode() for k, v in m.headers},
                       "record": (m.key, m.partition)}
                      for batch in batches.values() for m in batch]
            if len(found) >= expected and not batches:
                break
    finally:
        await consumer.stop()
    return found


async def test_order_per_key_holds_when_the_relay_publishes_whole_batches(pool, schema) -> None:  # type: ignore[no-untyped-def]
    registry = CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(f"kafka://{BOOTSTRAP}", "outbox-kafka-test", registry, metrics)
    await bus.start()
    assert bus.publish_in_order is not None  # the path under test
    # ... straight to the broker's aiokafka producer, not the test broker's fallback through FastStream
    assert kafka_wiring._connected_producer(bus.broker) is not None
    start = await end_offsets()
    partitions = sorted(tp.partition for tp in start)
    keys = [uuid.uuid4() for _ in range(5)]

    # Batches of 60: many rows of each key in flight together.
    relay = OutboxRelay(pool, schema, bus.publish_raw, metrics, batch_size=60, idle_poll_s=0.02,
                        publish_in_order=bus.publish_in_order)
    try:
        committed = await relay_while_writing(relay, pool, schema, keys, writers=12, per_writer=40, max_hold_s=0.005,
                                              drain_timeout_s=20)
    finally:
        await bus.stop()

    published: dict[str, list[str]] = defaultdict(list)
    for data in await read_since(start, 480):
        if data.get("payload", {}).get("activation_id") in committed:
            published[data["payload"]["activation_id"]].append(data["event_id"])
            # The headers dead letters and consumers read, and nothing a record already says: the
            # key is the record's own, and FastStream's batch subscribers need no correlation id.
            assert data["headers"] == {"x-loket-message-id": data["event_id"], "x-loket-event-type": data["event_type"]}
            # On the partition any Kafka producer's default partitioner gives the key (aiokafka's
            # is the oracle here; the relay computes it itself).
            key, partition = data["record"]
            assert key == data["payload"]["activation_id"].encode()
            assert partition == DefaultPartitioner()(key, partitions, partitions)
    assert sum(len(v) for v in published.values()) == 480
    for key, ids in committed.items():
        assert published[key] == ids, f"events of {key} reached Kafka out of commit order"


async def test_a_letter_with_its_pdf_inline_leaves_whole_among_small_events(pool, schema) -> None:  # type: ignore[no-untyped-def]
    # A LetterIssued with a 5 MiB PDF inline is about 7 MB: above aiokafka's 1 MiB default for
    # a request, under the topics' 8 MiB (MAX_MESSAGE_BYTES). One round holds it and small rows.
    big = b'{"payload": {"pdf_base64": "' + b"A" * 7_000_000 + b'"}}'
    rows = [(uuid.uuid4(), str(uuid.uuid4()), body) for body in (b'{"n": 1}', big, b'{"n": 2}')]
    await pool.executemany(
        f"INSERT INTO {schema}.outbox (event_id, topic, key, event_type, payload) VALUES ($1, $2, $3, 'Test', $4)",
        [(event_id, TOPIC, key, body) for event_id, key, body in rows])
    registry = CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(f"kafka://{BOOTSTRAP}", "outbox-kafka-test", registry, metrics)
    await bus.start()
    start = await end_offsets()
    try:
        relay = OutboxRelay(pool, schema, bus.publish_raw, metrics, publish_in_order=bus.publish_in_order)
        assert await relay.relay_once() == 3
    finally:
        await bus.stop()
    ours = {str(event_id): body for event_id, _, body in rows}
    arrived: dict[str, bytes] = {}
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    try:  # other tests may write to the topic meanwhile, not all of it JSON: pick ours by id
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        for _ in range(100):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    message_id = dict(record.headers).get("x-loket-message-id", b"").decode()
                    if message_id in ours:
                        arrived[message_id] = record.value
            if len(arrived) == len(ours):
                break
    finally:
        await consumer.stop()
    assert arrived == ours
