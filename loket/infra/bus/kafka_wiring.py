"""Kafka wiring (production): keyed, idempotent, `acks=all`; consumer groups with manual commit.

Batches are handled sequentially per subscriber so that a commit (which covers everything
consumed so far on the partition) never runs ahead of an unhandled message. Throughput comes
from partitions and replicas, each replica handling whole batches in one transaction.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

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
        client_id=service,
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=service)],
    )


async def declare_streams(broker: KafkaBroker, limits: object = None) -> None:
    """Nothing to do: topics (and their retention) are created up front by the deploy init job
    or `loket kafka up` (no auto-create)."""


async def stream_usage(broker: KafkaBroker) -> dict[str, tuple[int, int]]:
    """Kafka reports log sizes through its own JMX metrics, not to clients: nothing here."""
    return {}


def subscriber(broker: KafkaBroker, topic: str, group: str, settings: ConsumerSettings) -> Any:
    return broker.subscriber(
        topic,
        group_id=group,
        batch=True,
        max_records=settings.batch_size,
        batch_timeout_ms=int(settings.batch_timeout_s * 1000),
        fetch_min_bytes=settings.kafka_fetch_min_bytes,
        # A fetch returns as soon as the broker has `fetch_min_bytes`: with 1 byte the wait only
        # paces an idle consumer's polls (aiokafka's 500 ms); with more it is the latency floor.
        fetch_max_wait_ms=500 if settings.kafka_fetch_min_bytes == 1 else max(1, int(settings.batch_timeout_s * 1000)),
        auto_offset_reset="earliest",
        # The consumer commits after the batch's effects are committed in PostgreSQL.
        ack_policy=AckPolicy.MANUAL,
        title=f"{group}:{topic}",
    )


def _with_message_id(headers: dict[str, str], message_id: str) -> dict[str, str]:
    """The message id rides as a header, where JetStream has `Nats-Msg-Id` (dead letters and
    their replays carry it); Kafka itself de-duplicates nothing by it, the consumers' inbox does
    by event id."""
    return {**headers, "x-loket-message-id": message_id}


async def publish(
    broker: KafkaBroker, topic: str, key: str, message_id: str, body: bytes, headers: dict[str, str]
) -> None:
    await broker.publish(body, topic, key=key.encode(), headers=_with_message_id(headers, message_id))


async def publish_in_order(broker: KafkaBroker, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
    """Publish (topic, key, message id, body, headers) rows in this order, all in flight at once,
    and return when the brokers have acknowledged every one (raising the first failure).

    Order holds without waiting for each ack: the producer sends one batch per partition at a
    time (a partition with a batch in flight is muted) and, idempotent, retries a batch before
    the next, so a key's rows land in the order they were handed over."""
    pending = [await broker.publish(body, topic, key=key.encode(), headers=_with_message_id(headers, message_id),
                                    no_confirm=True)
               for topic, key, message_id, body, headers in rows]
    # FastStream's in-memory test broker delivers at once and hands back no future to wait for.
    await asyncio.gather(*(p for p in pending if inspect.isawaitable(p)))


async def redeliver_later(message: Any, delay_s: float) -> None:
    # Kafka has no delayed nack: wait here (the partition is blocked anyway), then seek back.
    await asyncio.sleep(delay_s)
    await message.nack()


def message_identities(message: Any) -> list[str]:
    raws = message.raw_message if isinstance(message.raw_message, list | tuple) else [message.raw_message]
    return [f"{m.topic}:{m.partition}:{m.offset}" for m in raws]


async def keep_alive(message: Any) -> None:
    """Nothing to do: Kafka's liveness is the poll loop, not per message."""


async def consumer_lag(broker: KafkaBroker, topic: str, group: str) -> int | None:
    # Lag is exported by the Kafka exporter in deploy/ (per group and partition).
    return None
