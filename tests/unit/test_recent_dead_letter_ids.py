"""The bounded memory that keeps a redelivered dead letter from being counted twice."""

from __future__ import annotations

from loket.infra.bus.dead_letters import RecentIds


def test_an_id_is_new_once_until_it_is_forgotten_oldest_first() -> None:
    recent = RecentIds(2)
    assert recent.first_time("a") and recent.first_time("b")
    assert not recent.first_time("a") and not recent.first_time("b")
    assert recent.first_time("c")  # "a", the oldest, is forgotten to make room
    assert recent.first_time("a")
    assert not recent.first_time("c")
