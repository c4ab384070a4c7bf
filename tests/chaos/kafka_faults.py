"""What the fault suite needs to do to Kafka instead of NATS: SIGKILL the broker leading the
letter intake's partitions (and start it again), publish hostile messages, read the DLQ topics."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from loket.contracts import topics
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded.kafka import EmbeddedKafkaCluster
from loket.infra.embedded.kafka_topics import admin_client


async def partitions_of(bootstrap: str, topic: str) -> list[dict]:  # type: ignore[type-arg]
    """The topic's partitions as the brokers describe them (`partition`, `leader`, …)."""
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return list(described["partitions"])


async def leading_node(bootstrap: str, topic: str) -> int:
    """The broker id leading most partitions of `topic`."""
    leaders = Counter(p["leader"] for p in await partitions_of(bootstrap, topic) if p["leader"] >= 0)
    return leaders.most_common(1)[0][0]


class LeaderOfTheLetterIntake:
    """Has `name`, `kill()` and `start()` like an embedded server, for `Chaos.restart`."""

    name = f"Kafka broker leading {topics.LETTERS_ISSUED}"

    def __init__(self, cluster: EmbeddedKafkaCluster) -> None:
        self.cluster = cluster
        self.killed: int | None = None

    def kill(self) -> None:
        leader = asyncio.run(leading_node(self.cluster.bootstrap, topics.LETTERS_ISSUED))
        node = next(n for n in self.cluster.nodes if n.node_id == leader)
        node.process.kill()
        self.killed = leader
        self.name = f"Kafka broker {leader} (leading {topics.LETTERS_ISSUED})"

    def start(self) -> None:
        self.cluster.start(topics=[])  # starts the nodes that are down; the topics exist


async def publish_hostile_kafka(bus_url: str, events: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=",".join(parse_bus_url(bus_url).servers), acks="all",
                                enable_idempotence=True)
    await producer.start()
    try:
        for start in range(0, len(events), 500):
            await asyncio.gather(*[
                await producer.send(topic, body, key=f"hostile-{time.time_ns()}-{i}".encode(),
                                    headers=[("x-chaos-n", str(i).encode())])
                for i, (topic, body) in enumerate(events[start:start + 500], start)])
    finally:
        await producer.stop()


async def read_dead_letters_kafka(bus_url: str, hostile_topics: set[str]) -> list[tuple[str, dict[str, str]]]:
    """Every record of the hostile topics' DLQ twins, from the first offset to the end, as (topic, headers)."""
    found: list[tuple[str, dict[str, str]]] = []
    bootstrap = ",".join(parse_bus_url(bus_url).servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        for topic in sorted(hostile_topics):
            dlq = topics.dlq_topic(topic)
            partitions = [TopicPartition(dlq, p["partition"]) for p in await partitions_of(bootstrap, dlq)]
            assert partitions, f"no partitions of {dlq}: the topic should exist"
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                for records in (await consumer.getmany(timeout_ms=2000, max_records=5000)).values():
                    found += [(topic, {k: v.decode() for k, v in r.headers}) for r in records]
    finally:
        await consumer.stop()
    return found
