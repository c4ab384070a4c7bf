"""Who reads for each consumer group on a Kafka cluster: the group's state and, per member, the
partitions assigned to it. `loket kafka status` prints it next to the lag, so that an operator
can tell a stopped service (lag growing, nobody reading) from a stuck one (lag growing while
members hold the partitions) and see how the partitions are spread over a service's replicas.

Why not aiokafka's `describe_consumer_groups`: aiokafka 0.14 pairs its version-3 DescribeGroups
request with the version-2 answer's layout, which lacks the per-group `authorized_operations`
field. Every broker since Kafka 2.3 answers version 3, so each group's answer carries four bytes
aiokafka does not expect; an answer about two or more groups fails to decode ("Buffer
underrun"). This module sends the same request and reads the answer with its own layout.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    DescribeGroupsRequest_v1,
    DescribeGroupsRequest_v2,
    DescribeGroupsRequest_v3,
    DescribeGroupsResponse_v3,
)
from aiokafka.protocol.api import Request

# Kafka's names for a group's states.
NO_READER_STATES = {"Empty", "Dead"}  # nobody holds the group's partitions
REBALANCING_STATES = {"PreparingRebalance", "CompletingRebalance"}


class _DescribeGroupsRequest_v3(DescribeGroupsRequest_v3):  # noqa: N801 - aiokafka's naming
    RESPONSE_TYPE = DescribeGroupsResponse_v3  # the layout a version-3 answer has


class _DescribeGroups(Request[DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2 | _DescribeGroupsRequest_v3]):
    """The highest of versions 1 to 3 both sides speak (Kafka 4 no longer answers version 0)."""

    API_KEY = 15

    def __init__(self, groups: list[str]) -> None:
        self._groups = groups

    def build(self, request_struct_class):  # type: ignore[no-untyped-def] - aiokafka's signature
        if request_struct_class.API_VERSION >= 3:
            return request_struct_class(self._groups, False)
        return request_struct_class(self._groups)


@dataclass(frozen=True)
class GroupMember:
    client_id: str  # a service's is its name and process id (`kafka_wiring.build`)
    host: str
    partitions: tuple[tuple[str, tuple[int, ...]], ...]  # (topic, its partitions), by topic

    def partitions_of(self, topic: str) -> tuple[int, ...]:
        return next((parts for name, parts in self.partitions if name == topic), ())


@dataclass(frozen=True)
class GroupDescription:
    group: str
    state: str  # Kafka's own: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead
    members: tuple[GroupMember, ...]

    def readers_of(self, topic: str) -> list[GroupMember]:
        return [m for m in self.members if m.partitions_of(topic)]


def member(member_id: str, client_id: str, host: str, metadata: bytes, assignment: bytes) -> GroupMember:
    """A member from the answer's fields. A member that has joined but not yet received its
    assignment (during a rebalance) has none: an empty assignment, not an error."""
    del member_id, metadata  # a random id per process, and the topics it asked for
    partitions: dict[str, list[int]] = defaultdict(list)
    if assignment:
        for topic, parts in ConsumerProtocolMemberAssignment.decode(assignment).assignment:
            partitions[topic] += parts
    return GroupMember(client_id, host.lstrip("/"),
                       tuple((t, tuple(sorted(p))) for t, p in sorted(partitions.items())))


def descriptions(groups: list[tuple]) -> list[GroupDescription]:  # type: ignore[type-arg]
    """The answer's group entries (error code, group, state, protocol type, protocol, members
    [, authorized operations]) as descriptions. A group the broker could not describe raises
    its Kafka error: the caller reports it instead of guessing."""
    described = []
    for error_code, group, state, _protocol_type, _protocol, members, *_rest in groups:
        if error_code:
            raise for_code(error_code)(f"describing consumer group {group}")
        described.append(GroupDescription(group, state, tuple(member(*m) for m in members)))
    return described


async def describe_groups(admin: AIOKafkaAdminClient, groups: list[str]) -> dict[str, GroupDescription]:
    """Each group's state and members, asking each group's coordinator once for all its groups."""
    by_coordinator: dict[int, list[str]] = defaultdict(list)
    for group in groups:
        by_coordinator[await admin.find_coordinator(group)].append(group)
    described: dict[str, GroupDescription] = {}
    for node, its_groups in by_coordinator.items():
        # A private method, for want of a public one that sends a request of one's own; the
        # Kafka test of `kafka status` fails if a later aiokafka changes it.
        answer = await admin._send_request_to_node(node, _DescribeGroups(its_groups))  # noqa: SLF001
        described |= {d.group: d for d in descriptions(answer.groups)}
    return described


def readers_label(description: GroupDescription | None, topic: str) -> str:
    """Who reads `topic` for the group, in words for `kafka status`'s readers column."""
    if description is None:
        return "not known"  # not described (the cluster did not answer, or the group is new)
    if description.state in REBALANCING_STATES:
        return f"rebalancing ({len(description.members)} joining)"
    readers = description.readers_of(topic)
    if not readers:
        return "none: no member running" if description.state in NO_READER_STATES else "none"
    shares = " + ".join(str(len(m.partitions_of(topic))) for m in readers)
    noun = "partition" if shares == "1" else "partitions"
    return f"{len(readers)} ({shares} {noun})"


def holdings_label(description: GroupDescription, member: GroupMember) -> str:
    """A member's partitions in words: 'a.v1 0-2, 5; b.v1 1'."""
    if member.partitions:
        return "; ".join(f"{topic} {partition_ranges(parts)}" for topic, parts in member.partitions)
    if description.state in REBALANCING_STATES:
        return "waiting for its partitions (rebalancing)"
    return "holds no partition (more members than partitions)"


def partition_ranges(partitions: tuple[int, ...]) -> str:
    """(0, 1, 2, 5, 7, 8) → '0-2, 5, 7-8': a member's share of 12 partitions stays short."""
    spans: list[list[int]] = []
    for p in partitions:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
