"""A benchmark refuses to publish its test events to a bus it did not start while consumers that
are not a benchmark's read there (a Loket installation would count them as real letters)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import nats
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from nats.js import api
from prometheus_client import CollectorRegistry

from loket.bench.shared_bus import (
    ALLOW_VARIABLE,
    SharedBusRefused,
    foreign_consumers,
    refuse_if_shared,
)
from loket.contracts import topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.bus import Bus
from loket.infra.metrics import PlatformMetrics
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER

STREAM = topics.stream_for(topics.LETTERS_STATUS)
KAFKA = ON_THE_SHARED_CLUSTER


async def _durable(bus_url: str, name: str) -> None:
    """A durable consumer on `letters.status.v1`, as a service's subscriber leaves it."""
    registry = CollectorRegistry()
    bus = Bus(bus_url, "shared-bus-test", registry, PlatformMetrics(registry))
    await bus.broker.connect()
    try:
        await nats_wiring.declare_streams(bus.broker)  # the streams, should this test run first
    finally:
        await bus.stop()
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        await nc.jetstream().add_consumer(STREAM, config=api.ConsumerConfig(
            name=name, durable_name=name, filter_subject=topics.LETTERS_STATUS, ack_policy=api.AckPolicy.EXPLICIT))
    finally:
        await nc.close()


async def _delete_durable(bus_url: str, name: str) -> None:
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        await nc.jetstream().delete_consumer(STREAM, name)
    finally:
        await nc.close()


async def test_a_service_durable_on_nats_is_found_and_a_benchmark_s_is_not(bus_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(ALLOW_VARIABLE, raising=False)
    service, bench = f"reporting_letters-status-{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}"
    await _durable(bus_url, service)
    await _durable(bus_url, bench)
    try:
        found = await foreign_consumers(bus_url)
        assert service in found and bench not in found
        # The session's bus may hold other tests' service durables (more may come meanwhile): the
        # message names the first five, sorted, and counts them all.
        with pytest.raises(SharedBusRefused, match=r"has \d+ consumer\(s\) that are not a benchmark's"):
            await refuse_if_shared(bus_url, "the test bus")
        monkeypatch.setenv(ALLOW_VARIABLE, "yes")
        await refuse_if_shared(bus_url, "the test bus")  # the operator said it is a test bus
    finally:
        await _delete_durable(bus_url, service)
        await _delete_durable(bus_url, bench)


def test_bench_bus_stops_before_publishing_to_a_bus_with_a_service_consumer(bus_url: str, database_url: str) -> None:
    service = f"notify_appointments-{uuid.uuid4().hex[:8]}"
    asyncio.run(_durable(bus_url, service))
    try:
        env = {k: v for k, v in os.environ.items() if k != ALLOW_VARIABLE}
        env.update(LOKET_BUS_URL=bus_url, LOKET_DATABASE_URL=database_url)
        result = subprocess.run([sys.executable, "-m", "loket.cli", "bench", "bus", "--events", "100"],
                                capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
        said = " ".join(result.stdout.split())
        assert "consumer(s) that are not a benchmark's" in said and ALLOW_VARIABLE in said, said
        assert "pipeline" not in said.lower(), f"it measured something before refusing: {said}"
    finally:
        asyncio.run(_delete_durable(bus_url, service))


@pytest.mark.parametrize("bus", [pytest.param("kafka", marks=KAFKA)])  # the `kafka` parameter puts it in the serial unit with the other Kafka tests
async def test_a_service_group_on_kafka_is_found_and_a_benchmark_s_is_not(bus: str) -> None:
    service, bench = f"reporting.letters-status-{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}"
    for group in (service, bench):  # a group with committed offsets, as a stopped service leaves it
        consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            partition = TopicPartition(topics.LETTERS_STATUS, 0)
            consumer.assign([partition])
            await consumer.seek_to_end(partition)
            await consumer.commit({partition: await consumer.position(partition)})
        finally:
            await consumer.stop()
    found = await foreign_consumers(f"{bus}://{BOOTSTRAP}")
    assert service in found and bench not in found
