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


async def test_a_replayed_dead_letter_is_no_longer_listed_counted_or_replayed_again(seeded: Seeded) -> None:
    async with open_dlq_store(BUS_URL) as store:
        target = next(d for d in await store.list(CITIZENS, limit=10_000) if d.body == seeded.bodies[0])
        await store.replay(target.id)
    # A new store, as the next command or desk request: it reads the replay's marker back.
    async with open_dlq_store(BUS_URL) as store:
        ours = [d for d in await store.list(CITIZENS, limit=10_000) if seeded.run.encode() in d.body]
        assert [d.body for d in ours] == [seeded.bodies[1]]
        assert (await store.count_by_topic())[CITIZENS] == seeded.count_before + 1
        with pytest.raises(DeadLetterNotFound, match="replayed already"):
            await store.replay(target.id)
        assert (await store.get(target.id)).body == seeded.bodies[0]  # `dlq show` still finds it
        marker = await _marker_of(target.id)
        with pytest.raises(DeadLetterNotFound, match="not a dead letter"):
            await store.get(marker)


async def test_a_bad_message_dead_lettered_twice_is_listed_and_counted_once(seeded: Seeded) -> None:
    # Kafka redelivers a batch whose offsets were not committed: its bad message is dead-lettered
    # again, the same source and body, so the same message id.
    registry = CollectorRegistry()
    bus = Bus(BUS_URL, "dlq-kafka-test", registry, PlatformMetrics(registry))
    await bus.broker.connect()
    body = json.dumps({"event_id": seeded.run, "n": "twice"}).encode()
    try:
        for attempt in (1, 2):
            await bus.dead_letter(topic=CITIZENS, consumer="test.group", body=body, reason=f"refused ({attempt})",
                                  kind="permanent", attempts=attempt, source=f"{CITIZENS}:0:{seeded.run}-twice",
                                  key=f"pseudonym-{seeded.run}", original_headers={})
    finally:
        await bus.stop()
    # Counted once: an operator's dead-letter alert and the DLQ listing agree.
    assert registry.get_sample_value(
        "loket_dead_lettered_total", {"consumer": "test.group", "topic": CITIZENS, "kind": "permanent"}) == 1
    async with open_dlq_store(BUS_URL) as store:
        twice = [d for d in await store.list(CITIZENS, limit=10_000) if d.body == body]
        assert [d.reason for d in twice] == ["refused (1)"]
        assert (await store.count_by_topic())[CITIZENS] == seeded.count_before + 3


async def _marker_of(dead_letter_id: str) -> str:
    """The id of the marker the replay of `dead_letter_id` wrote (read without the store)."""
    topic = dlq_topic(CITIZENS)
    reader = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, enable_auto_commit=False,
                              auto_offset_reset="earliest")
    await reader.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (await partitions_of(BOOTSTRAP.split(","), [topic]))[topic]]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        for _ in range(100):
            for tp, records in (await reader.getmany(timeout_ms=200)).items():
                for r in records:
                    if ("x-loket-replayed-from", dead_letter_id.encode()) in list(r.headers):
                        return f"{tp.topic}:{tp.partition}:{r.offset}"
            if all([await reader.position(tp) >= ends[tp] for tp in partitions]):
                break
    finally:
        await reader.stop()
    raise AssertionError(f"no replay marker for {dead_letter_id}")
