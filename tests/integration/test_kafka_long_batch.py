"""On Kafka, a member may spend as long on one batch as its retries can take: a batch whose
events all fail is handled one event at a time, each retried with backoff, and no other member
of the group takes the batch over meanwhile and dead-letters the same events again."""

from __future__ import annotations

import asyncio
import os

from prometheus_client import CollectorRegistry

from loket.contracts import EboxActivationAssisted
from loket.infra.bus.bus import Bus
from loket.infra.bus.consumer import EventConsumer
from loket.infra.bus.kafka_lag import consumer_groups
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ConsumerSettings
from tests.support.bus_harness import TOPIC, activation, open_harness
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER

pytestmark = ON_THE_SHARED_CLUSTER

# Each failing event sleeps through two retries of up to 0.5 s: a member's share of ten events
# takes seconds, several times the 1 s allowed for handling alone.
SLOW_RETRIES = ConsumerSettings(
    batch_size=100, batch_timeout_s=0.5, max_attempts=3, retry_base_delay_s=0.5, retry_max_delay_s=0.5,
    unavailable_backoff_s=0.2, kafka_handling_allowance_s=1.0,
)


async def _until_members(group: str, count: int, timeout_s: float = 30.0) -> None:
    for _ in range(int(timeout_s * 2)):
        described = (await consumer_groups(BOOTSTRAP)).members or {}
        if group in described and described[group].state == "Stable" and len(described[group].members) == count:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{group} did not settle with {count} members")


async def test_a_batch_failing_alike_is_dead_lettered_once_with_a_second_member_waiting(
    pool, schema, bus_url,  # type: ignore[no-untyped-def]
) -> None:
    events = [activation() for _ in range(10)]
    async with open_harness("kafka", pool, schema, bus_url, settings=SLOW_RETRIES) as harness:
        registry = CollectorRegistry()
        second_bus = Bus(f"kafka://{os.environ['LOKET_TEST_KAFKA_BOOTSTRAP']}", "test-second", registry,
                         PlatformMetrics(registry))
        EventConsumer(bus=second_bus, pool=pool, schema=schema, group=harness.consumer.group, topic=TOPIC,
                      handlers={EboxActivationAssisted: harness.script.handle}, settings=SLOW_RETRIES).attach()
        await second_bus.start()
        try:
            await _until_members(harness.consumer.group, 2)
            for event in events:
                harness.script.transient_failures[str(event.payload.activation_id)] = 99
            await asyncio.gather(*(harness.publish_event(event) for event in events))
            await harness.wait_for_dead_letters(len(events), timeout=60)
            # A member pushed out midway would have its batch taken over within seconds.
            await asyncio.sleep(10)
        finally:
            await second_bus.stop()
    ids = [headers["x-loket-message-id"] for _, headers in harness.dead_letters]
    assert len(set(ids)) == len(events)
    assert len(ids) == len(events), f"{len(ids)} dead letters for {len(events)} events"
