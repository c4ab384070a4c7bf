"""Consumer group lag from committed and end offsets (what `loket kafka status` prints)."""

from __future__ import annotations

from aiokafka import TopicPartition

from loket.infra.bus.kafka_group_members import GroupDescription, GroupMember
from loket.infra.bus.kafka_lag import GroupLag, lags, topics_read

A0, A1, B0 = TopicPartition("a.v1", 0), TopicPartition("a.v1", 1), TopicPartition("b.v1", 0)


def test_lag_is_summed_per_group_and_topic() -> None:
    committed = {"svc.one": {A0: 10, A1: 5, B0: 7}, "svc.two": {A0: 12}}
    ends = {A0: 12, A1: 9, B0: 7}
    assert lags(committed, ends) == [
        GroupLag("svc.one", "a.v1", lag=2 + 4, partitions=2),
        GroupLag("svc.one", "b.v1", lag=0, partitions=1),
        GroupLag("svc.two", "a.v1", lag=0, partitions=1),
    ]


def test_an_offset_past_the_end_counts_as_no_lag_not_a_negative_one() -> None:
    # A topic deleted and created again: the group's old offsets are beyond the new ends.
    assert lags({"svc": {A0: 500}}, {A0: 3}) == [GroupLag("svc", "a.v1", lag=0, partitions=1)]


def test_partitions_a_group_never_committed_on_count_from_their_first_record() -> None:
    # svc.two committed on a.v1's partition 0 only: partition 1 still holds all it has to read
    # (from offset 2, the records before it are gone), which the table used to leave out.
    committed = {"svc.one": {A0: 10}, "svc.two": {A0: 12}}
    ends = {A0: 12, A1: 9}
    assert lags(committed, ends, {"svc.two": {A1: 2}}) == [
        GroupLag("svc.one", "a.v1", lag=2, partitions=1),
        GroupLag("svc.two", "a.v1", lag=0 + 7, partitions=2, uncommitted=1),
    ]


def test_a_group_with_members_but_no_commit_yet_has_a_row() -> None:
    # A new service stuck on its first batch never commits: its whole backlog must still show.
    assert lags({"svc.new": {}}, {A0: 40, A1: 2}, {"svc.new": {A0: 0, A1: 0}}) == [
        GroupLag("svc.new", "a.v1", lag=42, partitions=2, uncommitted=2),
    ]


def test_a_group_reads_the_topics_it_committed_on_and_those_its_members_hold() -> None:
    reader = GroupMember("svc-1", "h", (("b.v1", (0,)), ("c.v1", (1, 2))))
    assert topics_read({A0: 3}, GroupDescription("g", "Stable", (reader,))) == {"a.v1", "b.v1", "c.v1"}
    assert topics_read({A0: 3}, None) == {"a.v1"}  # members not known: what it committed on
    assert topics_read({}, GroupDescription("g", "Empty", ())) == set()
