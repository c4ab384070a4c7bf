"""The lag a running service reports for its own consumer groups on Kafka
(`loket_consumer_lag_messages`, which the lag alert reads): the group's committed offsets against
the topic's ends, a partition never committed on counted from its first record, and the same
figure through the services' bus facade."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry

from loket.infra.bus.bus import Bus
from loket.infra.bus.kafka_lag import GroupLagReader
from loket.infra.embedded.kafka_topics import TopicSpec, ensure_topics
from loket.infra.metrics import PlatformMetrics
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER, delete_topics

pytestmark = ON_THE_SHARED_CLUSTER


async def test_a_groups_lag_counts_uncommitted_records_on_every_partition() -> None:
    topic, group = f"lag-metric.{uuid.uuid4().hex[:8]}", f"lag-metric-{uuid.uuid4().hex[:8]}"
    await ensure_topics(BOOTSTRAP, [TopicSpec(topic, 2)])
    reader = GroupLagReader(tuple(BOOTSTRAP.split(",")), client_id="lag-test")
    bus = Bus(f"kafka://{BOOTSTRAP}", "lag-test", CollectorRegistry(), PlatformMetrics(CollectorRegistry()))
    try:
        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
        await producer.start()
        try:
            for partition, count in ((0, 3), (1, 2)):
                for _ in range(count):
                    await producer.send_and_wait(topic, b"waiting", partition=partition)
        finally:
            await producer.stop()
        # Handled the first record of partition 0; never committed on partition 1.
        consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign([TopicPartition(topic, 0)])
            await consumer.commit({TopicPartition(topic, 0): 1})
        finally:
            await consumer.stop()

        assert await reader.lag(group, topic) == 2 + 2
        assert await reader.lag(group, topic) == 4, "the clients kept between rounds still answer"
        assert await bus.consumer_lag(topic, group) == 4
        assert await bus.consumer_lag(f"no-such-topic-{uuid.uuid4().hex[:8]}", group) is None
    finally:
        await reader.close()
        await bus.stop()
        await delete_topics(topic)
