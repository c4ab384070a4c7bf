"""A service starting against streams that already have its settings sends no update: on a
cluster that request waits for the stream's leader election and was left unanswered."""

from __future__ import annotations

import dataclasses

import pytest
from nats.js.errors import NotFoundError, ServiceUnavailableError

from loket.contracts import topics
from loket.infra.bus.nats_wiring import (
    UNAVAILABLE_ATTEMPTS,
    UNAVAILABLE_PAUSE_S,
    StreamLimits,
    _differs,
    declare_streams_with,
    stream_config,
)


def test_a_stream_the_server_filled_in_needs_no_update() -> None:
    wanted = stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3))
    # The server answers with every field, also those Loket leaves to it.
    existing = dataclasses.replace(wanted, max_consumers=-1, max_msgs=-1, allow_direct=True)
    assert not _differs(wanted, existing)


def test_a_changed_limit_or_subject_is_an_update() -> None:
    existing = stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3))
    assert _differs(stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3, max_bytes=5)), existing)
    assert _differs(stream_config("LETTERS", ["letters.>", "more.>"], StreamLimits(replicas=3)), existing)


class MetaLeaderBeingElected:
    """A JetStream whose meta leader just died: the first `outage` requests answer 503."""

    def __init__(self, outage: int) -> None:
        self.outage, self.created = outage, []

    async def stream_info(self, name: str) -> object:
        if self.outage:
            self.outage -= 1
            raise ServiceUnavailableError(code=503, err_code=10008,
                                          description="JetStream system temporarily unavailable")
        raise NotFoundError(code=404, err_code=10059, description="stream not found")

    async def add_stream(self, config: object) -> None:
        self.created.append(config.name)  # type: ignore[attr-defined]


class Pauses(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_start_during_a_meta_leader_election_waits_and_declares_every_stream() -> None:
    js, pauses = MetaLeaderBeingElected(outage=5), Pauses()
    await declare_streams_with(js, pause=pauses)
    assert js.created == list(topics.NATS_STREAMS)
    assert pauses == [UNAVAILABLE_PAUSE_S] * 5


async def test_a_jetstream_that_stays_unavailable_fails_the_start() -> None:
    js = MetaLeaderBeingElected(outage=UNAVAILABLE_ATTEMPTS)
    with pytest.raises(ServiceUnavailableError):
        await declare_streams_with(js, pause=Pauses())
    assert js.created == []
