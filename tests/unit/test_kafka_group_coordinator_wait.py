"""A new Kafka cluster creates its offsets topic on the first request for a group coordinator;
`ensure_topics` asks until one is named, so that no service's consumer meets
`GroupCoordinatorNotAvailableError` (logged at ERROR) on a fresh cluster. The real cluster
path runs in every Kafka test's start-up; here, the waiting itself."""

from __future__ import annotations

import pytest
from aiokafka.errors import CoordinatorLoadInProgressError, CoordinatorNotAvailableError

from loket.infra.embedded import kafka_topics
from loket.infra.embedded.kafka_topics import wait_for_group_coordinator


class _Admin:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures, self.asked, self.described = failures, 0, []

    async def find_coordinator(self, group_id: str) -> int:
        self.asked += 1
        if self.failures:
            raise self.failures.pop(0)
        return 2

    async def describe_topics(self, names: list[str]) -> list[dict[str, object]]:
        self.described.append(names)
        return [{"topic": name, "error_code": 0, "partitions": [{"partition": 0, "leader": 1}]} for name in names]


async def test_it_asks_again_until_a_coordinator_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_topics.asyncio, "sleep", _no_wait)
    admin = _Admin([CoordinatorNotAvailableError(), CoordinatorLoadInProgressError()])
    await wait_for_group_coordinator(admin, timeout=60)  # type: ignore[arg-type]
    assert admin.asked == 3
    assert admin.described == [["__consumer_offsets"]]  # and then for every group's coordinator


async def test_it_gives_up_with_the_reason_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_topics.asyncio, "sleep", _no_wait)
    admin = _Admin([CoordinatorNotAvailableError()] * 1000)
    with pytest.raises(RuntimeError, match="no consumer group coordinator after 0 s"):
        await wait_for_group_coordinator(admin, timeout=0)  # type: ignore[arg-type]


async def test_other_errors_are_not_waited_out() -> None:
    admin = _Admin([PermissionError("not allowed")])
    with pytest.raises(PermissionError):
        await wait_for_group_coordinator(admin, timeout=60)  # type: ignore[arg-type]


async def _no_wait(_: float) -> None:
    return None
