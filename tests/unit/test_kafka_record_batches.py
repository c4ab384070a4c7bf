"""The relay's Kafka path fills one record batch per partition and hands each over whole: every
row reaches the partition its key maps to, in the order given, a full batch goes before the rows
after it, and every batch's delivery is awaited. The producer here is a recording stand-in that
builds aiokafka's real BatchBuilder; tests/integration/test_outbox_kafka.py runs the same path
against three real brokers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatch

from loket.infra.bus import kafka_wiring
from loket.infra.bus.kafka_partitioner import partition_for

TOPIC = "letters.status.v1"
PARTITIONS = 3


class RecordingProducer:
    """What `publish_in_order` uses of an AIOKafkaProducer, recording each batch it is handed."""

    def __init__(self, batch_bytes: int, fail: bool = False) -> None:
        self.batch_bytes, self.fail = batch_bytes, fail
        self.sent: list[tuple[str, int, list[tuple[bytes, bytes, dict[str, bytes]]]]] = []
        self.pending: list[asyncio.Future[None]] = []

    async def partitions_for(self, topic: str) -> set[int]:
        return set(range(PARTITIONS))

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_bytes, 0)

    async def send_batch(self, batch: BatchBuilder, topic: str, *, partition: int) -> asyncio.Future[None]:
        records = DefaultRecordBatch(bytearray(batch._builder.build()))  # what would go on the wire
        self.sent.append((topic, partition, [(r.key, r.value, dict(r.headers)) for r in records]))
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Acknowledged later, as a broker does: the caller must wait for it.
        asyncio.get_running_loop().call_later(0.01, delivered.set_exception if self.fail else delivered.set_result,
                                              RuntimeError("not enough replicas") if self.fail else None)
        self.pending.append(delivered)
        return delivered


def _rows(count: int, keys: int, body_bytes: int = 200) -> list[tuple[str, str, str, bytes, dict[str, str]]]:
    return [(TOPIC, f"key-{i % keys}", f"event-{i}", f"{i:06d}".encode().ljust(body_bytes, b"."),
             {"x-loket-event-type": "letter.failed"}) for i in range(count)]


async def _publish(producer: RecordingProducer, rows: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_wiring, "_connected_producer", lambda broker: producer)
    await kafka_wiring.publish_in_order(object(), rows)  # type: ignore[arg-type]


async def test_each_partition_gets_its_rows_in_order_in_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    producer = RecordingProducer(batch_bytes=1024 * 1024)
    rows = _rows(60, keys=7)
    await _publish(producer, rows, monkeypatch)
    assert sorted(p for _, p, _ in producer.sent) == sorted({partition_for(r[1].encode(), PARTITIONS) for r in rows})
    for topic, partition, records in producer.sent:
        expected = [r for r in rows if partition_for(r[1].encode(), PARTITIONS) == partition]
        assert topic == TOPIC
        assert [(k, v) for k, v, _ in records] == [(r[1].encode(), r[3]) for r in expected]
        assert [h["x-loket-message-id"] for _, _, h in records] == [r[2].encode() for r in expected]
        assert all(h["x-loket-event-type"] == b"letter.failed" for _, _, h in records)
    assert all(f.done() for f in producer.pending)  # returned only once every batch was acknowledged


async def test_a_full_batch_goes_before_the_rows_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    producer = RecordingProducer(batch_bytes=2048)  # about six 200-byte records with their headers
    rows = _rows(40, keys=1)  # one key: one partition, in order across several batches
    await _publish(producer, rows, monkeypatch)
    assert len(producer.sent) > 3
    assert {p for _, p, _ in producer.sent} == {partition_for(b"key-0", PARTITIONS)}
    assert [v for _, _, records in producer.sent for _, v, _ in records] == [r[3] for r in rows]


async def test_a_refused_batch_fails_the_whole_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    producer = RecordingProducer(batch_bytes=1024 * 1024, fail=True)
    with pytest.raises(RuntimeError, match="not enough replicas"):
        await _publish(producer, _rows(10, keys=3), monkeypatch)
