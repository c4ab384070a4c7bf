"""How far behind each consumer group is on a Kafka cluster: for every group, per topic, the
records between its committed offsets and the partitions' ends. `loket kafka status` prints it:
a service that is stuck or stopped shows as a growing lag on its topic, and a benchmark's test
events left on a shared cluster as a backlog in every group that reads that topic.

Next to the lag it reads who holds each group's partitions (`kafka_group_members`): a lag that
grows with nobody reading is a stopped service, one that grows while members read is a stuck one.
(Production exports the lag through the Kafka exporter in deploy/.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from loket.infra.bus.kafka_group_members import GroupDescription, describe_groups
from loket.infra.embedded.kafka_topics import admin_client


@dataclass(frozen=True)
class GroupLag:
    group: str
    topic: str
    lag: int  # records not yet committed by the group, summed over the topic's partitions
    partitions: int  # partitions the group has committed offsets for


def lags(committed: dict[str, dict[TopicPartition, int]], ends: dict[TopicPartition, int]) -> list[GroupLag]:
    """group → {partition: committed offset} and each partition's end offset → one row per
    group and topic, sorted. A committed offset past the end (a topic recreated) counts as 0."""
    rows = []
    for group, offsets in committed.items():
        by_topic: dict[str, list[int]] = defaultdict(list)
        for tp, offset in offsets.items():
            by_topic[tp.topic].append(max(0, ends.get(tp, offset) - offset))
        rows += [GroupLag(group, topic, sum(behind), len(behind)) for topic, behind in by_topic.items()]
    return sorted(rows, key=lambda r: (r.group, r.topic))


@dataclass(frozen=True)
class ConsumerGroups:
    lags: list[GroupLag]
    # None when the brokers could not say who reads (members_error says why): the lag stands alone.
    members: dict[str, GroupDescription] | None
    members_error: str | None = None


async def consumer_groups(bootstrap: str) -> ConsumerGroups:
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group, _protocol in await admin.list_consumer_groups():
            offsets = await admin.list_consumer_group_offsets(group)
            # -1: a partition the group was assigned but never committed on.
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        members, members_error = None, None
        try:
            members = await describe_groups(admin, sorted(committed))
        except Exception as exc:  # noqa: BLE001 - the lag is worth showing without the members
            members_error = f"{type(exc).__name__}: {exc}"
    finally:
        await admin.close()
    return ConsumerGroups(await _lags_of(bootstrap, committed), members, members_error)


async def _lags_of(bootstrap: str, committed: dict[str, dict[TopicPartition, int]]) -> list[GroupLag]:
    partitions = sorted({tp for offsets in committed.values() for tp in offsets})
    if not partitions:
        return []
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await reader.start()
    try:
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    return lags(committed, ends)
