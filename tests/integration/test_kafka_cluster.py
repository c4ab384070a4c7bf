"""The Kafka cluster of `loket kafka up` is production's shape: three brokers, every contract
topic and its DLQ twin replicated three times with min.insync.replicas 2 and production's
partition counts, and no topic auto-creation (a typo in a topic name fails instead of
creating a stray topic). Runs against LOKET_TEST_KAFKA_BOOTSTRAP (`.ci/run` sets it when
`java` and `mvn` are there)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from loket.contracts import topics
from loket.infra.embedded.kafka_topics import contract_topics

BOOTSTRAP = os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP", "")

pytestmark = [pytest.mark.kafka, pytest.mark.skipif(
    not BOOTSTRAP,
    reason="no Kafka cluster: run `loket kafka up` and set LOKET_TEST_KAFKA_BOOTSTRAP to the line it prints")]

EXPECTED = [*topics.ALL_TOPICS, *(topics.dlq_topic(t) for t in topics.ALL_TOPICS)]


@pytest.fixture
async def admin() -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP.split(","), request_timeout_ms=10_000)
    await client.start()
    try:
        yield client
    finally:
        await client.close()


async def configs(admin: AIOKafkaAdminClient, kind: ConfigResourceType, names: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for response in await admin.describe_configs([ConfigResource(kind, n) for n in names]):
        for error_code, message, _kind, name, entries, *_ in response.resources:
            assert error_code == 0, f"{name}: {message}"
            found[name] = {entry[0]: entry[1] for entry in entries}
    return found


async def test_the_cluster_has_three_brokers(admin: AIOKafkaAdminClient) -> None:
    cluster = await admin.describe_cluster()
    assert len(cluster["brokers"]) == 3, cluster["brokers"]


async def test_every_contract_topic_and_its_dlq_is_replicated_three_times(admin: AIOKafkaAdminClient) -> None:
    described = {t["topic"]: t for t in await admin.describe_topics(EXPECTED)}
    assert sorted(described) == sorted(EXPECTED)
    partitions = {spec.name: spec.partitions for spec in contract_topics()}
    for name in EXPECTED:
        topic: dict[str, Any] = described[name]
        assert topic["error_code"] == 0, name
        assert len(topic["partitions"]) == partitions[name], f"{name}: production's partition count"
        for partition in topic["partitions"]:
            assert len(partition["replicas"]) == 3, f"{name}[{partition['partition']}] replicas"
            assert len(partition["isr"]) == 3, f"{name}[{partition['partition']}] in sync"
            assert partition["leader"] >= 0
    settings = await configs(admin, ConfigResourceType.TOPIC, EXPECTED)
    assert {name: settings[name]["min.insync.replicas"] for name in EXPECTED} == dict.fromkeys(EXPECTED, "2")


async def test_brokers_enforce_production_durability_and_no_auto_creation(admin: AIOKafkaAdminClient) -> None:
    brokers = [str(b["node_id"]) for b in (await admin.describe_cluster())["brokers"]]
    for broker, settings in (await configs(admin, ConfigResourceType.BROKER, brokers)).items():
        assert settings["auto.create.topics.enable"] == "false", broker
        assert settings["default.replication.factor"] == "3", broker
        assert settings["min.insync.replicas"] == "2", broker
        assert settings["offsets.topic.replication.factor"] == "3", broker
        assert settings["transaction.state.log.replication.factor"] == "3", broker


async def test_producing_to_an_unknown_topic_fails_and_creates_nothing(admin: AIOKafkaAdminClient) -> None:
    stray = f"loket.test.stray.{uuid.uuid4().hex}"
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP.split(","), acks="all", request_timeout_ms=3_000)
    await producer.start()
    try:
        with pytest.raises(KafkaError):
            await producer.send_and_wait(stray, b"nobody reads this")
    finally:
        await producer.stop()
    assert stray not in await admin.list_topics()

