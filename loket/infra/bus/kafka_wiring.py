"""Kafka wiring (production): keyed, idempotent, `acks=all`; consumer groups with manual commit.

Batches are handled sequentially per subscriber so that a commit (which covers everything
consumed so far on the partition) never runs ahead of an unhandled message. Throughput comes
from partitions and replicas, each replica handling whole batches in one transaction.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.producer.message_accumulator import BatchBuilder
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import headers as h
from loket.infra.bus.kafka_partitioner import murmur2_many, partition_of
from loket.infra.bus.retry import RetryPolicy
from loket.infra.bus.undecoded import bodies_undecoded
from loket.infra.logging_setup import BROKER_MESSAGE_LEVEL, broker_logger
from loket.infra.settings import ConsumerSettings

# A partition's batch may hold this much. The relay hands over a whole round (500 rows of ~1 KB over
# 12 partitions) and waits for every `acks=all`; with aiokafka's 16 KiB default a partition needs
# several round trips one after the other (a partition with a batch in flight is muted).
PRODUCER_BATCH_BYTES = 1024 * 1024  # under the topics' max.message.bytes (8 MiB): a batch is one message to them


def build(servers: tuple[str, ...], service: str, registry: CollectorRegistry) -> KafkaBroker:
    return KafkaBroker(
        list(servers),
        logger=broker_logger(service),
        log_level=BROKER_MESSAGE_LEVEL,
        acks="all",
        enable_idempotence=True,
        max_batch_size=PRODUCER_BATCH_BYTES,
        # aiokafka refuses to send a record above 1 MiB by default, and dead letters go through
        # `send`: a letter with its PDF inline could not be dead-lettered, and its batch came
        # back again and again. The relay's record batches do not pass that check.
        max_request_size=topics.MAX_MESSAGE_BYTES,
        # The process in the name: `loket kafka status --members` then tells a service's
        # replicas apart (the brokers show the client id and host of each group member).
        client_id=f"{service}-{os.getpid()}",
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=service)],
    )


async def declare_streams(broker: KafkaBroker, limits: object = None) -> None:
    """Nothing to do: topics (and their retention) are created up front by the deploy init job
    or `loket kafka up` (no auto-create)."""


async def stream_usage(broker: KafkaBroker) -> dict[str, tuple[int, int]]:
    """Kafka reports log sizes through its own JMX metrics, not to clients: nothing here."""
    return {}


class TopicsMissing(RuntimeError):
    """The cluster lacks topics this service reads or writes: it does not start without them."""


async def require_topics(broker: KafkaBroker, topics: Iterable[str]) -> None:
    """Refuse to start on a cluster without the service's topics, naming them. Loket never
    creates a topic itself (FastStream would, with one partition and one replica, when a
    subscriber starts): it would bound the group to one consumer and lose the topic with one
    broker, and the topics job would then find it "already there" and leave it so."""
    # The admin client FastStream 0.7 connects in `broker.connect()`; its in-memory test broker
    # connects none, and has no cluster to ask.
    admin = broker.config.admin.admin_client
    if admin is None:
        return
    existing = set(await admin.list_topics())
    missing = sorted(set(topics) - existing)
    if missing:
        raise TopicsMissing(
            f"the Kafka cluster has no topic {', '.join(missing)}: create the contracts' topics first "
            "(deploy/k8s/base/topics-job.yaml, the kafka-init service of deploy/docker-compose.yml, or "
            "`loket kafka up` for a development cluster); Loket does not create topics itself")


def subscriber(broker: KafkaBroker, topic: str, group: str, settings: ConsumerSettings) -> Any:
    return broker.subscriber(
        # declare=False: FastStream would otherwise create a missing topic with one partition and
        # one replica when the subscriber starts; `require_topics` refuses to start instead.
        Topic(topic, declare=False),
        group_id=group,
        batch=True,
        max_records=settings.batch_size,
        batch_timeout_ms=int(settings.batch_timeout_s * 1000),
        fetch_min_bytes=settings.kafka_fetch_min_bytes,
        # A fetch returns as soon as the broker has `fetch_min_bytes`: with 1 byte (the default) the
        # wait only paces an idle consumer's polls (aiokafka's 500 ms); with more it is the latency
        # floor, and an idle consumer polls every `batch_timeout_s` (settings.py says what that costs).
        fetch_max_wait_ms=500 if settings.kafka_fetch_min_bytes == 1 else max(1, int(settings.batch_timeout_s * 1000)),
        auto_offset_reset="earliest",
        # The consumer commits after the batch's effects are committed in PostgreSQL.
        ack_policy=AckPolicy.MANUAL,
        max_poll_interval_ms=max_poll_interval_ms(settings),
        title=f"{group}:{topic}",
        decoder=bodies_undecoded,
    )


def max_poll_interval_ms(settings: ConsumerSettings) -> int:
    """How long a member may spend on one batch before Kafka gives its partitions to another.

    A batch that fails as a whole is handled again one event at a time, each failing event
    retried with backoff (consumer.py). On JetStream `keep_alive` extends the ack wait meanwhile;
    Kafka has no such call, only this bound. With aiokafka's 300 s a batch of 500 events failing
    alike (a handler's bug, a dependency's outage) outlasted it after about a hundred of them:
    the member left its group, another took the same batch over and dead-lettered the same
    events again (in a test with a bound shorter than their retries, 12 events became 42 dead
    letters). So the bound covers every event of a full batch sleeping through all its retries,
    plus `kafka_handling_allowance_s` (aiokafka's 300 s). A crashed member is still noticed
    within the session timeout: aiokafka heartbeats from its own task, not from the poll."""
    longest_wait_s = RetryPolicy.of(settings).longest_wait_s()
    return int(1000 * (settings.batch_size * longest_wait_s + settings.kafka_handling_allowance_s))


def _with_message_id(headers: dict[str, str], message_id: str) -> dict[str, str]:
    """The message id rides as a header, where JetStream has `Nats-Msg-Id` (dead letters and
    their replays carry it); Kafka itself de-duplicates nothing by it, the consumers' inbox does
    by event id."""
    return {**headers, h.KAFKA_MESSAGE_ID: message_id}


async def publish(
    broker: KafkaBroker, topic: str, key: str, message_id: str, body: bytes, headers: dict[str, str]
) -> None:
    await broker.publish(body, topic, key=key.encode(), headers=_with_message_id(headers, message_id))


async def publish_in_order(broker: KafkaBroker, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
    """Publish (topic, key, message id, body, headers) rows in this order, all in flight at once,
    and return when the brokers have acknowledged every one (raising the first failure).

    Order holds without waiting for each ack: the producer sends one batch per partition at a
    time (a partition with a batch in flight is muted) and, idempotent, retries a batch before
    the next, so a key's rows land in the order they were handed over. The rows of one partition
    go in one record batch (more when it is full), built here.

    The rows go straight to the broker's aiokafka producer: FastStream's publish wraps each one
    in a command, a fresh correlation id and its Prometheus middleware, a third of the relay's
    CPU for what the relay's own `loket_outbox_published_total` already counts."""
    producer = _connected_producer(broker)
    if producer is None:  # FastStream's in-memory test broker: delivers at once, no future to wait for
        pending = [await broker.publish(body, topic, key=key.encode(), headers=_with_message_id(headers, message_id),
                                        no_confirm=True)
                   for topic, key, message_id, body, headers in rows]
        await asyncio.gather(*(p for p in pending if inspect.isawaitable(p)))
        return
    # Each topic's partition count once per batch, each row's partition here: the same one the
    # producer's default partitioner would pick (see kafka_partitioner), at half the relay's CPU.
    partitions = {topic: len(await producer.partitions_for(topic)) for topic in {row[0] for row in rows}}
    # One record batch per partition, filled here and handed over whole (`send_batch`): a
    # `send` per row paid for a future, a lookup and a queue check per record, 15 against 9.5 µs
    # of the relay's CPU per record. Idempotence is the producer's as before (it numbers every
    # batch it drains), and a partition's rows stay in the order given: a full batch goes
    # before the rows after it.
    keys = [row[1].encode() for row in rows]
    batches: dict[tuple[str, int], BatchBuilder] = {}
    sends: list[asyncio.Future[Any]] = []
    for (topic, _, message_id, body, headers), key_bytes, hash_ in zip(rows, keys, murmur2_many(keys), strict=True):
        target = (topic, partition_of(hash_, partitions[topic]))
        record = {"timestamp": None, "key": key_bytes, "value": body, "headers": _record_headers(headers, message_id)}
        batch = batches.get(target)
        if batch is not None and batch.append(**record) is not None:
            continue
        if batch is not None:  # full: on its way, this row starts the partition's next batch
            sends.append(await producer.send_batch(batch, target[0], partition=target[1]))
        batch = batches[target] = producer.create_batch()
        if batch.append(**record) is None:  # only a closed batch refuses its first record
            raise RuntimeError(f"a {len(body)}-byte event could not start a Kafka batch for {topic}")
    for (topic, partition), batch in batches.items():
        batch.close()
        sends.append(await producer.send_batch(batch, topic, partition=partition))
    await asyncio.gather(*sends)


def _connected_producer(broker: KafkaBroker) -> AIOKafkaProducer | None:
    """The aiokafka producer a connected KafkaBroker publishes with (FastStream 0.7 keeps it at
    `_producer._producer.producer`); None for the test broker, which has none."""
    holder = getattr(getattr(broker, "_producer", None), "_producer", None)
    producer = getattr(holder, "producer", None)
    return producer if isinstance(producer, AIOKafkaProducer) else None


def _record_headers(headers: dict[str, str], message_id: str) -> list[tuple[str, bytes]]:
    """Ours and the message id. No `correlation_id`, which FastStream's publish would add: its
    batch subscribers take one from a batch's first record only (and make one up without it),
    and Loket's consumers log the event's own correlation id."""
    return [(name, value.encode()) for name, value in _with_message_id(headers, message_id).items()]


async def redeliver_later(message: Any, delay_s: float) -> None:
    # Kafka has no delayed nack: wait here (the partition is blocked anyway), then seek back.
    await asyncio.sleep(delay_s)
    await message.nack()


def _records(message: Any) -> list[Any] | tuple[Any, ...]:
    return message.raw_message if isinstance(message.raw_message, list | tuple) else [message.raw_message]


def message_identities(message: Any) -> list[str]:
    return [f"{m.topic}:{m.partition}:{m.offset}" for m in _records(message)]


def message_keys(message: Any) -> list[str]:
    """Each record's own key (the relay writes no key header on Kafka)."""
    return [(m.key or b"").decode(errors="replace") for m in _records(message)]


async def keep_alive(message: Any) -> None:
    """Nothing to send: a member's time on one batch is bounded by `max_poll_interval_ms`, set
    to outlast the batch's retries."""

