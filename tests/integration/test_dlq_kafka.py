"""`loket dlq` on a real Kafka: dead letters listed with their reasons, read back unchanged,
counted, and replayed onto the original topic with their key and a fresh message id. The store
leaves no partition assigned between reads: an assigned partition keeps a long-poll fetch on the
broker, and every offset lookup queued behind it (`dlq list` took 10 s for six dead letters)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from loket.contracts.topics import CITIZENS, dlq_topic
from loket.infra.bus.bus import Bus
from loket.infra.bus.dlq_store import DeadLetterNotFound, open_dlq_store
from loket.infra.bus.dlq_store.kafka_store import KafkaDeadLetterStore
from loket.infra.bus.kafka_partitions import partitions_of
from loket.infra.metrics import PlatformMetrics
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER

pytestmark = ON_THE_SHARED_CLUSTER
BUS_URL = f"kafka://{BOOTSTRAP}"


@dataclass
class Seeded:
    run: str
    bodies: list[bytes]
    reasons: list[str]
    count_before: int


async def _dead_letter_count() -> int:
    async with open_dlq_store(BUS_URL) as store:
        return (await store.count_by_topic())[CITIZENS]


@pytest.fixture
async def seeded() -> AsyncIterator[Seeded]:
    """Two dead letters of citizens.v1 with this run's id in their bodies (the shared cluster
    may hold others' dead letters too)."""
    before = await _dead_letter_count()
    registry = CollectorRegistry()
    bus = Bus(BUS_URL, "dlq-kafka-test", registry, PlatformMetrics(registry))
    await bus.broker.connect()
    run = uuid.uuid4().hex
    bodies = [json.dumps({"event_id": run, "n": n}).encode() for n in range(2)]
    reasons = [f"schema violation at payload.point_id ({run})", f"unknown [event] type ({run})"]
    try:
        for n, (body, reason) in enumerate(zip(bodies, reasons, strict=True)):
            await bus.dead_letter(
                topic=CITIZENS, consumer="test.group", body=body, reason=reason, kind="contract", attempts=0,
                source=f"{CITIZENS}:0:{run}-{n}", key=f"pseudonym-{run}",  # one key: one partition, in order
                original_headers={"x-loket-event-type": "EboxActivationAssisted", "x-loket-key": f"pseudonym-{run}"},
            )
        yield Seeded(run, bodies, reasons, before)
    finally:
        await bus.stop()


def _nothing_assigned(store: object) -> bool:
    assert isinstance(store, KafkaDeadLetterStore)
    return not store._consumer.assignment()  # noqa: SLF001 - the invariant this file is about


async def test_list_get_and_count_read_the_dead_letters_and_leave_nothing_assigned(seeded: Seeded) -> None:
    async with open_dlq_store(BUS_URL) as store:
        ours = [d for d in await store.list(CITIZENS, limit=10_000) if seeded.run.encode() in d.body]
        assert _nothing_assigned(store)
        assert [d.reason for d in ours] == seeded.reasons
        assert [d.body for d in ours] == seeded.bodies
        assert {(d.kind, d.consumer, d.original_topic, d.topic) for d in ours} == {
            ("contract", "test.group", CITIZENS, dlq_topic(CITIZENS))}
        got = await store.get(ours[1].id)
        assert _nothing_assigned(store)
        assert got.body == seeded.bodies[1]
        assert got.original_headers()["x-loket-event-type"] == "EboxActivationAssisted"
        assert (await store.count_by_topic())[CITIZENS] == seeded.count_before + 2
        topic, partition, _ = ours[1].id.rsplit(":", 2)
        with pytest.raises(DeadLetterNotFound):
            await store.get(f"{topic}:{partition}:999999999")


async def test_replay_publishes_the_same_bytes_with_its_key_and_a_fresh_message_id(seeded: Seeded) -> None:
    reader = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(CITIZENS, p) for p in (await partitions_of(BOOTSTRAP.split(","), [CITIZENS]))[CITIZENS]]
        reader.assign(partitions)
        await reader.seek_to_end(*partitions)
        for tp in partitions:
            await reader.position(tp)  # resolved now, before the replay
        async with open_dlq_store(BUS_URL) as store:
            target = next(d for d in await store.list(CITIZENS, limit=10_000) if d.body == seeded.bodies[0])
            await store.replay(target.id)
            assert _nothing_assigned(store)
        records = []
        for _ in range(20):
            batches = await reader.getmany(timeout_ms=500)
            records += [r for rs in batches.values() for r in rs if r.value == seeded.bodies[0]]
            if records:
                break
        (record,) = records
        headers = {k: v.decode() for k, v in record.headers}
        assert record.key == f"pseudonym-{seeded.run}".encode()
        assert headers["x-loket-message-id"] == f"replay:{target.id}"
        assert headers["x-loket-event-type"] == "EboxActivationAssisted"
    finally:
        await reader.stop()
