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
        described = (await admin.describe_topics([topic]))[0]
        if described["error_code"] or not described["partitions"]:
            raise LookupError(f"topic {topic} is not in the cluster's metadata (error {described['error_code']})")
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        ends = await reader.end_offsets(partitions)
        never = [tp for tp in partitions if tp not in committed]
        starts = await reader.beginning_offsets(never) if never else {}
        return sum(row.lag for row in lags({group: committed | starts}, ends))

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
