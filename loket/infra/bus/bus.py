"""The one bus facade services use: publish, subscribe, dead-letter, on Kafka or NATS.

Handlers never import a broker module; only `nats_wiring` / `kafka_wiring` differ and this
class picks one from `LOKET_BUS_URL`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from prometheus_client import CollectorRegistry

from loket.contracts import Event
from loket.contracts.topics import DLQ_SUFFIX
from loket.infra.bus import headers as h
from loket.infra.bus import kafka_wiring, nats_wiring
from loket.infra.bus.address import BusAddress, parse_bus_url
from loket.infra.bus.dead_letters import (
    DeadLetterKind,
    RecentIds,
    dead_letter_headers,
    dead_letter_id,
    dlq_topic,
    log_dead_letter,
)
from loket.infra.bus.kafka_lag import GroupLagReader
from loket.infra.bus.nats_wiring import StreamLimits
from loket.infra.db.relay import PublishRows
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ConsumerSettings

log = logging.getLogger(__name__)

# How many dead-letter ids a process remembers. A message redelivered to the same process (Kafka
# redelivers a batch whose offsets were not committed) is dead-lettered again under the same id:
# the DLQ lists it once, and `loket_dead_lettered_total` counts it once. A redelivery comes a batch
# or two later, not thousands of dead letters later. (Redelivered to another replica after a
# rebalance, it is counted by each; the DLQ still lists it once.)
RECENT_DEAD_LETTER_IDS = 4096


class Bus:
    def __init__(self, url: str, service: str, registry: CollectorRegistry, metrics: PlatformMetrics,
                 tls_ca_file: Path | None = None, stream_limits: StreamLimits | None = None) -> None:
        self.address: BusAddress = parse_bus_url(url)
        self.stream_limits = stream_limits
        self.service = service
        self.metrics = metrics
        if self.address.kind == "nats":
            self.wiring: ModuleType = nats_wiring
            self.broker: Any = nats_wiring.build(self.address.servers, service, registry, tls_ca_file)
        else:
            self.wiring = kafka_wiring
            self.broker = kafka_wiring.build(self.address.servers, service, registry)
        self._kafka_lag: GroupLagReader | None = None
        self._topics: set[str] = set()  # read or written: on Kafka they must exist before start
        self._recent_dead_letters = RecentIds(RECENT_DEAD_LETTER_IDS)

    @property
    def kind(self) -> str:
        return self.address.kind

    async def start(self) -> None:
        """Connect, declare streams (NATS) or check the topics exist (Kafka), then start the
        subscribers."""
        await self.broker.connect()
        await self.wiring.declare_streams(self.broker, self.stream_limits)
        if self.kind == "kafka":
            await kafka_wiring.require_topics(self.broker, self._topics)
        await self.broker.start()

    async def stop(self) -> None:
        if self._kafka_lag is not None:
            await self._kafka_lag.close()
        await self.broker.stop()

    async def consumer_lag(self, topic: str, group: str) -> int | None:
        """Messages on `topic` the group has not handled yet, the group's figure (the same on every
        replica); None when the bus could not say. JetStream keeps it per durable consumer; on
        Kafka it is the topic's end offsets minus the group's committed ones."""
        if self.address.kind == "nats":
            return await nats_wiring.consumer_lag(self.broker, topic, group)
        if self._kafka_lag is None:
            self._kafka_lag = GroupLagReader(self.address.servers, client_id=f"{self.service}-lag")
        try:
            return await self._kafka_lag.lag(group, topic)
        except Exception as exc:  # noqa: BLE001 - a metrics round reports nothing rather than fail
            log.debug("consumer lag of %s on %s not read: %s", group, topic, exc)
            return None

    async def ping(self, timeout: float = 2.0) -> bool:
        return await self.broker.ping(timeout)

    async def publish(self, event: Event) -> None:
        await self.publish_raw(
            event.topic, event.partition_key(), str(event.event_id), event.to_bytes(),
            {h.EVENT_TYPE: event.event_type},
        )

    async def publish_raw(
        self, topic: str, key: str, message_id: str, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        await self.wiring.publish(self.broker, topic, key, message_id, body, _with_key(headers, key))

    @property
    def publish_in_order(self) -> PublishRows | None:
        """All of a batch in flight at once with its order kept (Kafka, see
        `kafka_wiring.publish_in_order`); None on JetStream, whose acks promise no order between
        concurrent publishes: the relay then publishes a key's rows one after the other."""
        return self._publish_rows_kafka if self.kind == "kafka" else None

    async def _publish_rows_kafka(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        # No key header: on Kafka a record carries its key, and the consumer reads it from there
        # when it dead-letters one (a header per record was 60 bytes written, replicated and read).
        await kafka_wiring.publish_in_order(self.broker, rows)

    def declare_publisher(self, topic: str) -> None:
        """Declare a topic this service publishes to (it appears in the AsyncAPI document)."""
        self._topics.add(topic)
        self.broker.publisher(topic, title=f"{self.service}:{topic}:publish")

    def subscriber(self, topic: str, group: str, settings: ConsumerSettings) -> Any:
        # Its dead letters go to the twin (a reader of dead letters writes none).
        self._topics |= {topic} if topic.endswith(DLQ_SUFFIX) else {topic, dlq_topic(topic)}
        return self.wiring.subscriber(self.broker, topic, group, settings)

    async def dead_letter(
        self, *, topic: str, consumer: str, body: bytes, original_headers: dict[str, str],
        reason: str, kind: DeadLetterKind, attempts: int, source: str, key: str = "",
    ) -> None:
        headers = dead_letter_headers(
            reason=reason, kind=kind, topic=topic, consumer=consumer, attempts=attempts,
            source=source, original_headers=original_headers,
        )
        message_id = dead_letter_id(consumer, source, body)
        await self.publish_raw(dlq_topic(topic), key or source, message_id, body, headers)
        if self._recent_dead_letters.first_time(message_id):
            self.metrics.dead_lettered.labels(consumer, topic, kind).inc()
        log_dead_letter(topic, consumer, kind, reason)


def _with_key(headers: dict[str, str] | None, key: str) -> dict[str, str]:
    """The key travels as a header too, so a dead letter keeps it on either broker."""
    return {**(headers or {}), h.KEY: key}
