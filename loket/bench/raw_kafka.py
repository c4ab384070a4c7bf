"""Baseline: what plain aiokafka gets from the same Kafka cluster, without FastStream or outbox.

Produces N bodies of the benchmark's size with the production producer settings (`acks=all`,
idempotent, keyed by a letter id), all sends in flight at once so the client batches them as
it likes; then a consumer group reads them back in batches and commits after each, as Loket's
consumer does. The topic is a throw-away one shaped like `letters.status.v1` (its partition
count, three copies, `min.insync.replicas` 2), deleted afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from loket.bench.cpu_usage import CpuMeter
from loket.bench.raw_nats import OnProgress, RawBusResult
from loket.bench.sample_events import LetterFailedFactory
from loket.infra.bus.kafka_wiring import PRODUCER_BATCH_BYTES
from loket.infra.embedded.kafka_topics import TopicSpec, admin_client, ensure_topics

PRIMER = b"{}"
FETCH_TIMEOUT_S = 30.0  # no record for this long: the consumer is stuck, not slow


async def prime_partitions(producer: AIOKafkaProducer, topics: list[str], partitions: int) -> None:
    """One record to every partition of new topics before a clock starts: the brokers and the
    producer agree on each partition's leader (a topic just created can answer NOT_LEADER for a
    moment, and the retries would slow a baseline, flattering Loket's ratio).

    Those retries are what priming is for, so they are not printed: aiokafka logs each one as a
    warning, a screenful per benchmark. A retry after the clock started is still printed."""
    sender = logging.getLogger("aiokafka.producer.sender")
    level = sender.level
    sender.setLevel(logging.ERROR)
    try:
        await asyncio.gather(*[await producer.send(t, PRIMER, partition=p) for t in topics for p in range(partitions)])
    finally:
        sender.setLevel(level)


async def run_raw_kafka(
    bootstrap: str, messages: int, fetch_batch: int, partitions: int, on_progress: OnProgress | None = None
) -> RawBusResult:
    run = uuid.uuid4().hex[:12]
    topic, group = f"bench.raw.{run}", f"bench-raw-{run}"
    factory = LetterFailedFactory(f"bench-raw-{run}")
    # Built before the clock starts: this measures the client and the brokers, not pydantic.
    records = [(str(e.payload.letter_id).encode(), e.to_bytes())
               for e in (factory.build(uuid.uuid4()) for _ in range(messages))]
    report = on_progress or (lambda stage, done: None)
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions)])
    try:
        # The services' producer settings (kafka_wiring), so the baseline is the same client.
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                    max_batch_size=PRODUCER_BATCH_BYTES)
        await producer.start()
        try:
            await prime_partitions(producer, [topic], partitions)
            began, meter = time.monotonic(), CpuMeter().start()
            pending = [await producer.send(topic, body, key=key) for key, body in records]
            done = 0
            for chunk in range(0, len(pending), 1000):
                await asyncio.gather(*pending[chunk:chunk + 1000])
                done = min(messages, chunk + 1000)
                report("published", done)
            cpu_publish = meter.stop()
        finally:
            await producer.stop()

        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                    auto_offset_reset="earliest", max_poll_records=fetch_batch)
        await consumer.start()
        try:
            meter, consumed = CpuMeter().start(), -partitions  # the primers are read too
            while consumed < messages:
                batches = await consumer.getmany(timeout_ms=int(FETCH_TIMEOUT_S * 1000), max_records=fetch_batch)
                if not batches:
                    raise TimeoutError(f"raw consumer stalled after {consumed} messages")
                consumed += sum(len(b) for b in batches.values())
                await consumer.commit()  # after each batch, as Loket commits after its transaction
                report("consumed", max(consumed, 0))
            cpu_consume, ended = meter.stop(), time.monotonic()
        finally:
            await consumer.stop()
    finally:
        admin = admin_client(bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topic])
        finally:
            await admin.close()

    return RawBusResult.measured("kafka", messages, len(records[0][1]) if records else 0, cpu_publish, cpu_consume,
                                 (began, ended))
