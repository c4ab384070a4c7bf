"""How far behind each consumer group is on a Kafka cluster: for every group, per topic, the
records between its committed offsets and the partitions' ends. `loket kafka status` prints it:
a service that is stuck or stopped shows as a growing lag on its topic, and a benchmark's test
events left on a shared cluster as a backlog in every group that reads that topic.

Next to the lag it reads who holds each group's partitions (`kafka_group_members`): a lag that
grows with nobody reading is a stopped service, one that grows while members read is a stuck one.
A running service reports its own groups' lag as a metric through `GroupLagReader` (below).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from loket.infra.bus.kafka_group_members import GroupDescription, describe_groups
from loket.infra.bus.kafka_partitions import partitions_known_to
from loket.infra.embedded.kafka_topics import admin_client
from loket.infra.errors import described


@dataclass(frozen=True)
class GroupLag:
    group: str
    topic: str
    lag: int  # records not yet committed by the group, summed over the topic's partitions
    partitions: int  # the topic's partitions counted
    # Of those, partitions the group reads but has never committed on: counted from their first
    # record, where the group starts (the services' `auto_offset_reset="earliest"`).
    uncommitted: int = 0


def lags(committed: dict[str, dict[TopicPartition, int]], ends: dict[TopicPartition, int],
         starts: dict[str, dict[TopicPartition, int]] | None = None) -> list[GroupLag]:
    """group → {partition: committed offset}, each partition's end offset and, for the partitions
    a group reads but never committed on, group → {partition: its first offset} → one row per group
    and topic, sorted. A committed offset past the end (a topic recreated) counts as 0."""
    starts = starts or {}
    rows = []
    for group in committed.keys() | starts.keys():
        behind: dict[str, list[int]] = defaultdict(list)
        never: dict[str, int] = defaultdict(int)
        for tp, offset in committed.get(group, {}).items():
            behind[tp.topic].append(max(0, ends.get(tp, offset) - offset))
        for tp, first in starts.get(group, {}).items():
            behind[tp.topic].append(max(0, ends.get(tp, first) - first))
            never[tp.topic] += 1
        rows += [GroupLag(group, topic, sum(each), len(each), never[topic]) for topic, each in behind.items()]
    return sorted(rows, key=lambda r: (r.group, r.topic))


def topics_read(committed: dict[TopicPartition, int], description: GroupDescription | None) -> set[str]:
    """The topics a group reads, as far as the cluster can tell: those it committed on and those its
    running members hold. (A group with neither, a new one not yet assigned, reads nothing yet.)"""
    held = {topic for m in description.members for topic, _ in m.partitions} if description else set()
    return {tp.topic for tp in committed} | held


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
            members_error = described(exc)
        reads = {group: topics_read(offsets, (members or {}).get(group)) for group, offsets in committed.items()}
        partitions = await _topic_partitions(admin, sorted(set().union(*reads.values())))
    finally:
        await admin.close()
    never = {group: [tp for topic in sorted(topics) for tp in partitions.get(topic, []) if tp not in committed[group]]
             for group, topics in reads.items()}
    return ConsumerGroups(await _lags_of(bootstrap, committed, never), members, members_error)


async def _topic_partitions(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, list[TopicPartition]]:
    """Each topic's partitions; a topic the cluster does not know (deleted since a group committed
    on it) is left out."""
    known = await partitions_known_to(admin, topics)
    return {topic: [TopicPartition(topic, p) for p in parts] for topic, parts in known.items()}


async def _lags_of(bootstrap: str, committed: dict[str, dict[TopicPartition, int]],
                   never: dict[str, list[TopicPartition]]) -> list[GroupLag]:
    partitions = sorted({tp for offsets in committed.values() for tp in offsets} | {tp for tps in never.values() for tp in tps})
    if not partitions:
        return []
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await reader.start()
    try:
        ends = await reader.end_offsets(partitions)
        firsts = await _first_offsets(reader, sorted({tp for tps in never.values() for tp in tps}))
    finally:
        await reader.stop()
    return lags(committed, ends, {group: {tp: firsts[tp] for tp in tps} for group, tps in never.items() if tps})


async def _first_offsets(reader: AIOKafkaConsumer, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    return await reader.beginning_offsets(partitions) if partitions else {}


class GroupLagReader:
    """A running service's view of its own consumer groups' lag (`loket_consumer_lag_messages`,
    which the lag alert and the operations dashboard read). The figure is the group's, the same on
    every replica, as JetStream reports it for a durable consumer: records on the topic the group
    has not committed, over all its partitions, not only the ones this replica holds.

    A partition the group never committed on counts from the partition's first record: the group
    starts there (`auto_offset_reset="earliest"`). Keeps one admin client and one group-less reader
    open between rounds; `close` them when the service stops."""

    def __init__(self, servers: tuple[str, ...], client_id: str, timeout_s: float = 4.0) -> None:
        self._servers, self._client_id, self._timeout_s = list(servers), client_id, timeout_s
        self._admin: AIOKafkaAdminClient | None = None
        self._reader: AIOKafkaConsumer | None = None

    async def lag(self, group: str, topic: str) -> int:
        """Raises what Kafka raised (or TimeoutError): a metrics round reports nothing rather than
        a figure it could not read."""
        return await asyncio.wait_for(self._lag(group, topic), self._timeout_s)

    async def _lag(self, group: str, topic: str) -> int:
        admin, reader = await self._clients()
        offsets = await admin.list_consumer_group_offsets(group)
        committed = {tp: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}
        partitions = (await _topic_partitions(admin, [topic])).get(topic)
        if not partitions:
            raise LookupError(f"topic {topic} is not in the cluster's metadata")
        ends = await reader.end_offsets(partitions)
        starts = await _first_offsets(reader, [tp for tp in partitions if tp not in committed])
        return sum(row.lag for row in lags({group: committed}, ends, {group: starts}))

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._reader is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._servers, client_id=self._client_id,
                                        request_timeout_ms=int(self._timeout_s * 1000))
            await admin.start()
            reader = AIOKafkaConsumer(bootstrap_servers=self._servers, client_id=self._client_id, group_id=None,
                                      enable_auto_commit=False)
            try:
                await reader.start()
            except BaseException:
                await admin.close()
                raise
            self._admin, self._reader = admin, reader
        return self._admin, self._reader

    async def close(self) -> None:
        admin, reader, self._admin, self._reader = self._admin, self._reader, None, None
        if reader is not None:
            await reader.stop()
        if admin is not None:
            await admin.close()
