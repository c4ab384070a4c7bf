"""Consumer group lag from committed and end offsets (what `loket kafka status` prints)."""

from __future__ import annotations

from aiokafka import TopicPartition

from loket.infra.bus.kafka_lag import GroupLag, lags

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
