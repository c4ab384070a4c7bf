"""Consumer group members from a DescribeGroups answer, and how `loket kafka status` shows them."""

from __future__ import annotations

import pytest
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import GroupAuthorizationFailedError

from loket.cli.kafka_cmd import consumer_group_lines
from loket.infra.bus.kafka_group_members import (
    GroupDescription,
    GroupMember,
    descriptions,
    holdings_label,
    readers_label,
)
from loket.infra.bus.kafka_lag import ConsumerGroups, GroupLag


def _assignment(*topics: tuple[str, list[int]]) -> bytes:
    return ConsumerProtocolMemberAssignment(0, list(topics), b"").encode()


def test_an_answer_becomes_groups_with_each_members_partitions() -> None:
    answer = [
        (0, "svc.intake", "Stable", "consumer", "roundrobin", [
            ("m-1", "svc-11", "/10.0.0.7", b"meta", _assignment(("a.v1", [4, 0, 2]), ("b.v1", [1]))),
            ("m-2", "svc-12", "/10.0.0.8", b"meta", b""),  # joined, nothing assigned yet
        ], -2147483648),  # version 3 adds authorized operations
        (0, "svc.idle", "Empty", "consumer", "", []),
    ]
    intake, idle = descriptions(answer)
    assert intake == GroupDescription("svc.intake", "Stable", (
        GroupMember("svc-11", "10.0.0.7", (("a.v1", (0, 2, 4)), ("b.v1", (1,)))),
        GroupMember("svc-12", "10.0.0.8", ()),
    ))
    assert [m.client_id for m in intake.readers_of("a.v1")] == ["svc-11"]
    assert idle == GroupDescription("svc.idle", "Empty", ())


def test_a_group_the_broker_could_not_describe_raises_its_kafka_error() -> None:
    with pytest.raises(GroupAuthorizationFailedError):
        descriptions([(30, "svc.secret", "", "", "", [])])


@pytest.mark.parametrize(("state", "members", "expected"), [
    ("Stable", (GroupMember("a", "h", (("t", (0, 1)),)), GroupMember("b", "h", (("t", (2,)),))), "2 (2 + 1 partitions)"),
    ("Stable", (GroupMember("a", "h", (("t", (0,)),)),), "1 (1 partition)"),
    ("Stable", (GroupMember("a", "h", (("other", (0,)),)),), "none"),
    ("Empty", (), "none: no member running"),
    ("PreparingRebalance", (GroupMember("a", "h", ()),), "rebalancing (1 joining)"),
])
def test_readers_in_words(state: str, members: tuple[GroupMember, ...], expected: str) -> None:
    assert readers_label(GroupDescription("g", state, members), "t") == expected


@pytest.mark.parametrize(("state", "expected"), [
    ("Stable", "holds no partition (more members than partitions)"),
    ("CompletingRebalance", "waiting for its partitions (rebalancing)"),
])
def test_a_member_without_partitions_says_why(state: str, expected: str) -> None:
    idle = GroupMember("a", "h", ())
    assert holdings_label(GroupDescription("g", state, (idle,)), idle) == expected


def test_a_members_partitions_read_as_ranges_per_topic() -> None:
    m = GroupMember("a", "h", (("a.v1", (0, 1, 2, 5, 7, 8)), ("b.v1", (3,))))
    assert holdings_label(GroupDescription("g", "Stable", (m,)), m) == "a.v1 0-2, 5, 7-8; b.v1 3"


def test_readers_of_a_group_not_described_are_not_known() -> None:
    assert readers_label(None, "t") == "not known"


def test_the_table_is_as_wide_as_its_longest_group_and_lists_members_when_asked() -> None:
    long_group = "reporting.letters-status-c23119d6"
    groups = ConsumerGroups(
        lags=[GroupLag("svc.intake", "a.v1", 12_345, 3), GroupLag(long_group, "a.v1", 0, 3)],
        members={"svc.intake": GroupDescription("svc.intake", "Stable", (
            GroupMember("svc-11", "10.0.0.7", (("a.v1", (0, 1, 2, 5, 7, 8)),)),))},
    )
    lines = consumer_group_lines(groups, with_members=True)
    rows = lines[2:]
    assert rows[0].split() == ["svc.intake", "a.v1", "12,345", "1", "(6", "partitions)"]
    assert rows[1].strip() == "member svc-11 on 10.0.0.7: a.v1 0-2, 5, 7-8"
    assert rows[2].split()[:4] == [long_group, "a.v1", "0", "not"]
    # The topic column starts at the same place on every row, however long the group's name.
    assert rows[0].index("a.v1") == rows[2].index("a.v1") == lines[1].index("topic")


def test_the_table_says_why_readers_are_missing() -> None:
    groups = ConsumerGroups([GroupLag("g", "t", 1, 1)], None, "KafkaTimeoutError: no answer")
    assert consumer_group_lines(groups)[-1] == "  (readers not known: KafkaTimeoutError: no answer)"


def test_a_lag_that_counts_never_committed_partitions_is_marked_and_explained() -> None:
    groups = ConsumerGroups([GroupLag("svc.new", "a.v1", 42, 2, uncommitted=2), GroupLag("svc.old", "a.v1", 3, 2)], None)
    lines = consumer_group_lines(groups)
    assert lines[2].split()[:3] == ["svc.new", "a.v1", "42*"]
    assert lines[3].split()[:3] == ["svc.old", "a.v1", "3"]
    assert lines[4].strip().startswith("* counts the partitions the group has not committed on yet")
