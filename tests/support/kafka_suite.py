"""The Kafka cluster the `kafka` tests share: LOKET_TEST_KAFKA_BOOTSTRAP, which `.ci/run` sets
after `loket kafka up`; without it these tests skip and say how to get one."""

from __future__ import annotations

import os

import pytest
from aiokafka.admin import AIOKafkaAdminClient

BOOTSTRAP = os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP", "")

ON_THE_SHARED_CLUSTER = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.skipif(
    not BOOTSTRAP,
    reason="no Kafka cluster: run `loket kafka up` and set LOKET_TEST_KAFKA_BOOTSTRAP to the line it prints")]


async def topic_names() -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP.split(","), request_timeout_ms=10_000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def delete_topics(*names: str) -> None:
    """Remove a test's throw-away topics from the shared cluster."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP.split(","), request_timeout_ms=10_000)
    await admin.start()
    try:
        await admin.delete_topics(list(names))
    finally:
        await admin.close()
