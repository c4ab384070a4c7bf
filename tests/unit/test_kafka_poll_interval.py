"""A Kafka consumer group member may take as long over one batch as its retries can: otherwise
Kafka hands the batch to another member midway, which dead-letters the same events again."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from loket.infra.bus import kafka_wiring
from loket.infra.bus.retry import RetryPolicy
from loket.infra.settings import ConsumerSettings


def test_the_longest_wait_is_every_retry_delay_at_its_ceiling() -> None:
    assert RetryPolicy(5, 0.2, 5.0).longest_wait_s() == 0.2 + 0.4 + 0.8 + 1.6
    assert RetryPolicy(7, 1.0, 5.0).longest_wait_s() == 1 + 2 + 4 + 5 + 5 + 5
    assert RetryPolicy(1, 0.2, 5.0).longest_wait_s() == 0


def test_no_sleep_of_the_policy_is_longer_than_its_ceiling() -> None:
    policy = RetryPolicy(6, 0.3, 2.0)
    slept = [policy.delay_before(attempt) for attempt in range(2, 7) for _ in range(200)]
    assert max(slept) <= 2.0
    assert sum(max(policy.delay_before(a) for _ in range(200)) for a in range(2, 7)) <= policy.longest_wait_s()


def test_a_full_batch_failing_alike_fits_within_the_members_poll_interval() -> None:
    settings = ConsumerSettings()
    policy = RetryPolicy.of(settings)
    bound_s = kafka_wiring.max_poll_interval_ms(settings) / 1000
    assert bound_s >= settings.batch_size * policy.longest_wait_s()  # 500 × 3 s with the defaults
    assert bound_s > 300, "aiokafka's default, which a failing batch outlasts"
    larger = ConsumerSettings(batch_size=2000, max_attempts=8)
    assert kafka_wiring.max_poll_interval_ms(larger) > kafka_wiring.max_poll_interval_ms(settings)


def test_the_subscribers_consumer_gets_that_bound() -> None:
    settings = ConsumerSettings(batch_size=100)
    broker = kafka_wiring.build(("127.0.0.1:9092",), "svc", CollectorRegistry())
    subscriber = kafka_wiring.subscriber(broker, "letters.issued.v1", "svc.intake", settings)
    # FastStream hands these to the AIOKafkaConsumer it starts for the subscriber.
    assert subscriber._connection_args["max_poll_interval_ms"] == kafka_wiring.max_poll_interval_ms(settings)
