"""The ebox_bridge wired on Kafka: the same app, consumer and relay as on NATS, on FastStream's
in-memory TestKafkaBroker (always), and on a real Kafka when LOKET_TEST_KAFKA_BOOTSTRAP is set
(the `kafka` suite; no broker can be installed on the development machines)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from faststream import Context
from faststream.kafka import TestKafkaBroker

from loket.contracts import topics
from loket.infra.settings import ConsumerSettings
from services.ebox_bridge.app import create_app
from tests.support.bridge_harness import (
    bridge_settings,
    install_test_policy,
    settled,
    simulator,
    wait_for_letters,
)
from tests.support.letters import Population, letter_issued
from tests.support.served_app import served


async def run_letters(database_url: str, bus_url: str, keys: SimpleNamespace, pool, tmp_path: Path, in_memory: bool):  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=60_000)
    letters = [letter_issued(people.take(i % 2 == 0)) for i in range(6)]
    letters.append(letter_issued(people.take(True), department="elections", document_type="convocation"))
    async with simulator(keys.cert) as sim:
        app = create_app(bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool"))
        bus = app.state.runtime.bus
        if in_memory:
            seen: list[dict] = []

            async def collect(message: Any = Context("message")) -> None:
                seen.extend(json.loads(body) for body in message.body)
                await message.ack()

            # A downstream consumer (notify, reporting) of the bridge's status events.
            bus.subscriber(topics.LETTERS_STATUS, "test.status-reader", ConsumerSettings(batch_size=50))(collect)
            ids = {str(e.payload.letter_id) for e in letters}
            async with TestKafkaBroker(bus.broker), served(app):
                for letter in letters:
                    await bus.publish(letter)
                rows = await wait_for_letters(pool, [e.payload.letter_id for e in letters], settled)
                for _ in range(100):
                    if len([e for e in seen if e["payload"]["letter_id"] in ids]) >= 8:
                        break
                    await asyncio.sleep(0.1)
            kinds = sorted(e["event_type"] for e in seen if e["payload"]["letter_id"] in ids)
            assert kinds == ["LetterDeliveredToEbox"] * 4 + ["LetterQueuedForPrint"] * 4
            return rows, sim, letters
        async with served(app):
            for letter in letters:
                await bus.publish(letter)
            return await wait_for_letters(pool, [e.payload.letter_id for e in letters], settled, timeout=120), sim, letters


def check(rows, letters) -> None:  # type: ignore[no-untyped-def]
    states = [(rows[e.payload.letter_id]["ebox_state"], rows[e.payload.letter_id]["paper_reason"]) for e in letters]
    assert states[:6] == [("delivered_to_ebox", None), ("not_digital", "no_digital_user")] * 3
    assert states[6] == ("delivered_to_ebox", "policy_both")


async def test_bridge_on_in_memory_kafka(database_url, keys, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows, _, letters = await run_letters(database_url, "kafka://localhost:9092", keys, pool, tmp_path, in_memory=True)
    check(rows, letters)


@pytest.mark.kafka
@pytest.mark.skipif(not os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP"),
                    reason="no Kafka broker: set LOKET_TEST_KAFKA_BOOTSTRAP=host:9092 to run on real Kafka")
async def test_bridge_on_real_kafka(database_url, keys, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.bus_harness import create_kafka_topics

    bootstrap = os.environ["LOKET_TEST_KAFKA_BOOTSTRAP"]
    await create_kafka_topics((bootstrap,), [*topics.ALL_TOPICS, *(topics.dlq_topic(t) for t in topics.ALL_TOPICS)])
    rows, _, letters = await run_letters(database_url, f"kafka://{bootstrap}", keys, pool, tmp_path, in_memory=False)
    check(rows, letters)
