"""`loket kafka status`'s consumer groups on the real cluster: a group that committed at the end
of a topic and then did not read three new records is three behind, with nobody reading; a group
of two running members shows each with its own partition; a member that holds partitions but has
never committed (a new service stuck on its first batch) shows its whole backlog."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from loket.infra.bus.kafka_lag import GroupLag, consumer_groups
from loket.infra.embedded.kafka_topics import TopicSpec, ensure_topics
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER, delete_topics

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
        await _send(topic, b"missed", 3)

        groups = await consumer_groups(BOOTSTRAP)
        assert [row for row in groups.lags if row.group == group] == [GroupLag(group, topic, lag=3, partitions=2)]
        assert groups.members is not None, groups.members_error
        assert groups.members[group].state == "Empty"
        assert groups.members[group].members == ()
    finally:
        await delete_topics(topic)


async def test_the_members_of_a_running_group_show_with_the_partitions_each_holds() -> None:
    # Two members in one group and, since every status describes all groups at once, at least one
    # other group in the same answer: aiokafka's own describe fails to decode such an answer.
    topic, group = f"members-test.{uuid.uuid4().hex[:8]}", f"members-test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(BOOTSTRAP, [TopicSpec(topic, 2)])
    members = [AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, group_id=group, client_id=f"svc-{n}",
                                enable_auto_commit=False, auto_offset_reset="earliest") for n in (1, 2)]
    try:
        for consumer in members:
            await consumer.start()
        for _ in range(100):  # until the group has settled on one partition each
            await asyncio.gather(*(c.getmany(timeout_ms=100) for c in members))
            if all(len(c.assignment()) == 1 for c in members):
                break
        for consumer in members:
            await consumer.commit({tp: 0 for tp in consumer.assignment()})

        groups = await consumer_groups(BOOTSTRAP)
        assert groups.members is not None, groups.members_error
        assert len(groups.members) >= 2
        ours = groups.members[group]
        assert ours.state == "Stable"
        held = sorted((m.client_id, m.partitions_of(topic)) for m in ours.members)
        assert [client for client, _ in held] == ["svc-1", "svc-2"]
        assert sorted(p for _, parts in held for p in parts) == [0, 1]
        assert all(len(parts) == 1 for _, parts in held)
        assert {m.host for m in ours.members} == {"127.0.0.1"}
    finally:
        for consumer in members:
            await consumer.stop()
        await delete_topics(topic)


async def test_a_running_group_that_never_committed_shows_its_whole_backlog() -> None:
    topic, group = f"stuck-test.{uuid.uuid4().hex[:8]}", f"stuck-test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(BOOTSTRAP, [TopicSpec(topic, 2)])
    await _send(topic, b"waiting", 5)
    stuck = AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    await stuck.start()
    try:
        for _ in range(100):  # until it holds both partitions; it reads and never commits
            await stuck.getmany(timeout_ms=100)
            if len(stuck.assignment()) == 2:
                break
        groups = await consumer_groups(BOOTSTRAP)
    finally:
        await stuck.stop()
        await delete_topics(topic)
    assert [row for row in groups.lags if row.group == group] == [
        GroupLag(group, topic, lag=5, partitions=2, uncommitted=2)]
    assert groups.members is not None, groups.members_error
    assert groups.members[group].readers_of(topic)


async def test_loket_kafka_groups_reads_the_cluster_the_bus_url_names() -> None:
    # A production cluster, as far as the command knows: named by LOKET_BUS_URL, not started by it.
    topic, group = f"groups-cli.{uuid.uuid4().hex[:8]}", f"groups-cli-{uuid.uuid4().hex[:8]}"
    await ensure_topics(BOOTSTRAP, [TopicSpec(topic, 2)])
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, group_id=group, client_id="svc-7",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        for _ in range(100):
            await consumer.getmany(timeout_ms=100)
            if consumer.assignment():
                break
        await consumer.commit({tp: 0 for tp in consumer.assignment()})
        env = {**os.environ, "LOKET_BUS_URL": f"kafka://{BOOTSTRAP}", "COLUMNS": "250"}
        shown = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "loket.cli", "kafka", "groups", "--members"],
            env=env, capture_output=True, text=True, timeout=120)
    finally:
        await consumer.stop()
        await delete_topics(topic)
    assert shown.returncode == 0, shown.stderr[-2000:]
    ours = [line.split() for line in shown.stdout.splitlines() if group in line]
    assert ours == [[group, topic, "0", "1", "(2", "partitions)"]]
    assert f"member svc-7 on 127.0.0.1: {topic} 0-1" in shown.stdout


async def _send(topic: str, body: bytes, count: int) -> None:
    """`count` records, alternating between partitions 0 and 1."""
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
    await producer.start()
    try:
        for n in range(count):
            await producer.send_and_wait(topic, body, partition=n % 2)
    finally:
        await producer.stop()
