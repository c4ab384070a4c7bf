"""How long a Kafka subscriber's fetches wait at the broker: by default a fetch returns with the
first record and an idle consumer asks twice a second, not twenty times (an idle `loket up` on
Kafka spent about half a core on fetches that waited 50 ms each); with a minimum size set, the
batch timeout bounds the wait."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from loket.infra.bus import kafka_wiring
from loket.infra.settings import ConsumerSettings


def _fetch_args(settings: ConsumerSettings) -> tuple[int, int]:
    broker = kafka_wiring.build(("127.0.0.1:9092",), "svc", CollectorRegistry())
    subscriber = kafka_wiring.subscriber(broker, "letters.issued.v1", "svc.intake", settings)
    # FastStream hands these to the AIOKafkaConsumer it starts for the subscriber.
    args = subscriber._connection_args
    return args["fetch_min_bytes"], args["fetch_max_wait_ms"]


def test_by_default_a_fetch_returns_with_the_first_record_and_an_idle_one_waits_half_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOKET_CONSUMER_KAFKA_FETCH_MIN_BYTES", raising=False)
    assert _fetch_args(ConsumerSettings()) == (1, 500)


def test_a_minimum_fetch_size_waits_at_most_the_batch_timeout() -> None:
    settings = ConsumerSettings(kafka_fetch_min_bytes=256 * 1024, batch_timeout_s=0.05)
    assert _fetch_args(settings) == (256 * 1024, 50)
