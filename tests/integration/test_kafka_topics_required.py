"""A service does not start on a Kafka cluster that lacks its topics, and does not create them:
FastStream would, with one partition and one replica, which bounds the group to one consumer and
loses the topic with one broker."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import CollectorRegistry

from loket.infra.bus.bus import Bus
from loket.infra.bus.kafka_partitions import partitions_of
from loket.infra.bus.kafka_wiring import TopicsMissing
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ConsumerSettings
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER

pytestmark = ON_THE_SHARED_CLUSTER


async def test_a_service_refuses_to_start_without_its_topics_and_creates_none() -> None:
    topic = f"missing-test.{uuid.uuid4().hex[:8]}"
    registry = CollectorRegistry()
    bus = Bus(f"kafka://{BOOTSTRAP}", "missing-test", registry, PlatformMetrics(registry))

    async def handle(message: object) -> None:
        raise AssertionError("nothing can arrive on a topic that does not exist")

    bus.subscriber(topic, f"{topic}.group", ConsumerSettings())(handle)
    try:
        with pytest.raises(TopicsMissing) as refused:
            await bus.start()
        assert f"no topic {topic}, {topic}.dlq:" in str(refused.value)
        assert "topics-job.yaml" in str(refused.value)
    finally:
        await bus.stop()
    assert await partitions_of(BOOTSTRAP.split(","), [topic, f"{topic}.dlq"]) == {}
