"""A publish while a stream's copies elect a new leader (its node died) is asked again until the
new leader answers; a full stream or an outage that does not end still fails, the first at once."""

from __future__ import annotations

import logging

import pytest
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

from loket.infra.bus.nats_wiring import UNAVAILABLE_ATTEMPTS, UNAVAILABLE_PAUSE_S, publish


class Broker:
    """Answers the first `failures` publishes with `error`, then acks."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.published = failures, error, []

    async def publish(self, body: bytes, subject: str, **options: object) -> None:
        if self.failures:
            self.failures -= 1
            raise self.error
        self.published.append((subject, options["headers"]))


class Pauses(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_publish_during_a_stream_leader_election_waits_for_the_new_leader(caplog) -> None:  # type: ignore[no-untyped-def]
    broker, pauses = Broker(3, NoStreamResponseError()), Pauses()
    with caplog.at_level(logging.WARNING, logger="loket.infra.bus.nats_wiring"):
        await publish(broker, "letters.issued.v1", "k", "m-1", b"{}", {}, pause=pauses)  # type: ignore[arg-type]
    assert pauses == [UNAVAILABLE_PAUSE_S] * 3
    # The operator sees the wait once, not once per attempt.
    assert [r.getMessage() for r in caplog.records] == [
        "stream LETTERS has no leader (an election after a node was lost?); publishing again for up to 20 s"]
    # Every attempt carried the same message id: JetStream keeps one copy whichever landed.
    assert broker.published == [("letters.issued.v1", {"Nats-Msg-Id": "m-1"})]


async def test_jetstream_unavailable_is_waited_out_but_not_for_ever() -> None:
    unavailable = ServiceUnavailableError(code=503, err_code=10008, description="JetStream system temporarily unavailable")
    pauses = Pauses()
    await publish(Broker(2, unavailable), "letters.issued.v1", "k", "m", b"{}", {}, pause=pauses)  # type: ignore[arg-type]
    assert len(pauses) == 2
    with pytest.raises(ServiceUnavailableError):
        await publish(Broker(UNAVAILABLE_ATTEMPTS, unavailable), "letters.issued.v1", "k", "m", b"{}", {}, pause=Pauses())  # type: ignore[arg-type]


async def test_a_full_stream_fails_at_once() -> None:
    full = ServiceUnavailableError(code=503, err_code=10077, description="maximum bytes exceeded")
    pauses = Pauses()
    with pytest.raises(ServiceUnavailableError):
        await publish(Broker(1, full), "letters.issued.v1", "k", "m", b"{}", {}, pause=pauses)  # type: ignore[arg-type]
    assert pauses == []
