"""Replay a Kafka topic for `rebuild`: every partition from its earliest retained offset up to
the end offsets taken at the start (or from given offsets, for the catch-up after the swap).
Reads with no consumer group, so the live service's committed offsets are never touched.
The topics' retention must reach back to the first event for a rebuild to be complete."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition

from loket.infra.bus.kafka_partitions import partitions_of


async def kafka_batches(bootstrap: list[str], topic: str, start: dict[int, int] | None,
                        end: dict[int, int] | None = None,
                        ) -> AsyncIterator[tuple[list[bytes], dict[int, int]]]:
    """Yields (message values, positions reached) batch by batch until every partition reaches
    `end` (default: the end offsets when the replay starts)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap, topic)
        if not partitions:
            return
        consumer.assign(partitions)
        if start is None:
            await consumer.seek_to_beginning(*partitions)
        else:
            for tp in partitions:
                consumer.seek(tp, start.get(tp.partition, 0))
        stop = end if end is not None else {tp.partition: o for tp, o in (await consumer.end_offsets(partitions)).items()}
        positions = {tp.partition: await consumer.position(tp) for tp in partitions}
        while any(positions[p] < stop.get(p, 0) for p in positions):
            fetched = await consumer.getmany(timeout_ms=2000, max_records=1000)
            if not fetched:
                break
            values = []
            for tp, records in fetched.items():
                for record in records:
                    if record.offset < stop.get(tp.partition, 0) and record.value is not None:
                        values.append(record.value)
                positions[tp.partition] = await consumer.position(tp)
            yield values, dict(positions)
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: list[str], topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap, topic)
        return {tp.partition: o for tp, o in (await consumer.end_offsets(partitions)).items()} if partitions else {}
    finally:
        await consumer.stop()


async def _partitions(bootstrap: list[str], topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in (await partitions_of(bootstrap, [topic])).get(topic, [])]
