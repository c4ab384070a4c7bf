"""`loket kafka status`'s consumer group lag on the real cluster: a group that committed at the
end of a topic and then did not read three new records is three behind."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from loket.infra.bus.kafka_lag import GroupLag, consumer_group_lags
from loket.infra.embedded.kafka_topics import TopicSpec, admin_client, ensure_topics
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER

pytestmark = ON_THE_SHARED_CLUSTER


async def test_a_group_that_stopped_reading_is_as_far_behind_as_the_records_it_missed() -> None:
    topic, group = f"lag-test.{uuid.uuid4().hex[:8]}", f"lag-test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(BOOTSTRAP, [TopicSpec(topic, 2)])
    try:
        consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in (0, 1)]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
        finally:
            await consumer.stop()
        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
        await producer.start()
        try:
            for n in range(3):
                await producer.send_and_wait(topic, b"missed", partition=n % 2)
        finally:
            await producer.stop()

        ours = [row for row in await consumer_group_lags(BOOTSTRAP) if row.group == group]
        assert ours == [GroupLag(group, topic, lag=3, partitions=2)]
    finally:
        admin = admin_client(BOOTSTRAP)
        await admin.start()
        try:
            await admin.delete_topics([topic])
        finally:
            await admin.close()
