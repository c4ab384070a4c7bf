"""Bus side of the pipeline benchmark: the service's own Bus and EventConsumer, started so
that the consumer sees only this run's events, on NATS JetStream or Kafka.

The consumer group starts at the end of the topic before FastStream subscribes: on NATS the
durable consumer is created first with `DeliverPolicy.NEW` (FastStream then binds to it instead
of creating one that replays the whole stream); on Kafka the group's offsets are committed at
the end of every partition (the production subscriber's `earliest` applies only to a group
without offsets). Against a shared bus (or the test session's) that keeps older messages of
`letters.status.v1` out of the measurement. Everything else (ack policy, batch pulls or polls,
inbox, metrics middleware) is the production wiring.
"""

from __future__ import annotations

import logging

import asyncpg
import nats
from nats.js import api
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.bus import Bus
from loket.infra.bus.consumer import EventConsumer
from loket.infra.bus.handler_context import Handler
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ConsumerSettings

_FASTSTREAM_LOGGERS = ("faststream", "faststream.access", "faststream.access.nats")


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def quiet_faststream() -> None:
    """FastStream logs two INFO lines per message; at thousands per second that is both noise
    and measurable CPU. Its access logger resets its own level to INFO when the broker starts,
    so the level is set again after the start, and a filter covers the start itself."""
    names = {n for n in logging.root.manager.loggerDict if n.startswith("faststream")}
    for name in names | set(_FASTSTREAM_LOGGERS):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if _warnings_only not in logger.filters:
            logger.addFilter(_warnings_only)


class PipelineBus:
    def __init__(self, bus_url: str, group: str, topic: str, settings: ConsumerSettings) -> None:
        self.kind = parse_bus_url(bus_url).kind  # "nats" or "kafka"
        self.registry = CollectorRegistry()
        self.metrics = PlatformMetrics(self.registry)
        self.bus = Bus(bus_url, "bench", self.registry, self.metrics)
        self.servers = list(self.bus.address.servers)
        self.group, self.topic, self.settings = group, topic, settings
        self.stream = topics.stream_for(topic)

    async def start(self, pool: asyncpg.Pool, schema: str, handlers: dict[type, Handler] | None,
                    *, from_now: bool = True) -> None:
        """Connect; with `handlers`, consume in this process too. `from_now`: first move the
        group to the end of the topic (once per run, before any replica consumes)."""
        quiet_faststream()
        await self.bus.broker.connect()
        if self.kind == "nats":
            await nats_wiring.declare_streams(self.bus.broker)
        if from_now:
            await (self._create_durable_from_now() if self.kind == "nats" else self._commit_group_at_end())
        if handlers is not None:
            EventConsumer(
                bus=self.bus, pool=pool, schema=schema, group=self.group, topic=self.topic,
                handlers=handlers, settings=self.settings,
            ).attach()
        await self.bus.start()
        quiet_faststream()  # again: the access logger is created when the broker starts

    async def _commit_group_at_end(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from loket.infra.embedded.kafka_topics import describe_topics

        bootstrap = ",".join(self.servers)
        counts = {t["topic"]: t["partitions"] for t in await describe_topics(bootstrap)}
        if not counts.get(self.topic):
            raise RuntimeError(f"topic {self.topic} does not exist on {bootstrap} (loket kafka up creates it)")
        partitions = [TopicPartition(self.topic, p) for p in range(counts[self.topic])]
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=self.group, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
        finally:
            await consumer.stop()

    async def _create_durable_from_now(self) -> None:
        durable = nats_wiring.durable_name(self.group)
        # Same settings as nats_wiring.subscriber, except where delivery starts.
        await self.bus.broker.connection.jetstream().add_consumer(
            self.stream,
            config=api.ConsumerConfig(
                name=durable, durable_name=durable, filter_subject=self.topic,
                ack_policy=api.AckPolicy.EXPLICIT, ack_wait=nats_wiring.ACK_WAIT_S,
                max_ack_pending=max(1000, self.settings.batch_size * 4),
                deliver_policy=api.DeliverPolicy.NEW,
            ),
        )

    def published(self, schema: str) -> int:
        value = self.registry.get_sample_value("loket_outbox_published_total", {"schema": schema})
        return int(value or 0)

    def handled(self) -> int:
        value = self.registry.get_sample_value(
            "loket_events_consumed_total",
            {"consumer": self.group, "topic": self.topic, "outcome": "handled"},
        )
        return int(value or 0)

    async def stop(self, *, delete_durable: bool) -> None:
        await self.bus.stop()
        # A Kafka group without members expires with its offsets (offsets.retention.minutes).
        if not delete_durable or self.kind != "nats":
            return
        # After the subscriber stopped, so its pull loop never sees the consumer vanish.
        nc = await nats.connect(self.servers)
        try:
            await nc.jetstream().delete_consumer(self.stream, nats_wiring.durable_name(self.group))
        except NotFoundError:
            pass
        finally:
            await nc.close()
