"""`rebuild` on a real Kafka: the synthetic stream published to the topics and replayed from
the earliest offsets gives the same figures as projecting it directly. Runs only with
LOKET_TEST_KAFKA_BOOTSTRAP (no broker can be installed on the development machines)."""

from __future__ import annotations

import os

import pytest

from loket.contracts import topics
from services.reporting.app import NAME, TOPICS
from services.reporting.rebuild import rebuild
from tests.integration.test_reporting_figures import PSEUDONYMS, fresh
from tests.support.reporting_stream import stream

pytestmark = [pytest.mark.kafka, pytest.mark.skipif(
    not os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP"),
    reason="no Kafka broker: set LOKET_TEST_KAFKA_BOOTSTRAP=host:9092 to run on real Kafka")]


async def test_rebuild_replays_kafka_topics_from_the_beginning(database_url, pool) -> None:  # type: ignore[no-untyped-def]
    from services.reporting.projector import project
    from tests.support.bridge_harness import publish
    from tests.support.bus_harness import create_kafka_topics

    bootstrap = os.environ["LOKET_TEST_KAFKA_BOOTSTRAP"]
    await create_kafka_topics((bootstrap,), list(topics.ALL_TOPICS))
    events, _ = stream(seed=21)
    await publish(f"kafka://{bootstrap}", events)
    direct = await fresh(pool, "rep_kafka_direct")
    async with pool.acquire() as conn, conn.transaction():
        await project(conn, direct, events, PSEUDONYMS)
    await fresh(pool, NAME)
    await rebuild(database_url, f"kafka://{bootstrap}", PSEUDONYMS, NAME, TOPICS, lambda *_: None)
    # The topics may hold earlier runs' events too: this stream's rows must be rebuilt exactly.
    for table, key in (("appointments", "appointment_id"), ("visits", "visit_id"), ("letters", "letter_id")):
        ids = [getattr(e.payload, key) for e in events if hasattr(e.payload, key)]
        query = f"SELECT * FROM {{}}.{table} WHERE {key} = ANY($1::uuid[]) ORDER BY {key}"
        rebuilt = [dict(r) for r in await pool.fetch(query.format(NAME), ids)]
        assert rebuilt and rebuilt == [dict(r) for r in await pool.fetch(query.format(direct), ids)], table
