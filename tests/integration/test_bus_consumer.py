"""The consumer's delivery rules, run identically on real JetStream and on TestKafkaBroker."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from loket.contracts import topics
from loket.contracts.topics import dlq_topic
from loket.infra.bus.dlq_store.model import dead_letter_from
from tests.support.bus_harness import activation, open_harness

KINDS = [
    "nats",
    "kafka-memory",
    pytest.param(
        "kafka",
        marks=[
            pytest.mark.kafka,
            pytest.mark.skipif(
                not os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP"),
                reason="no Kafka broker: set LOKET_TEST_KAFKA_BOOTSTRAP=host:9092 to run on real Kafka",
            ),
        ],
    ),
]


@pytest.fixture(params=KINDS)
async def harness(request, pool, schema, bus_url):  # type: ignore[no-untyped-def]
    async with open_harness(request.param, pool, schema, bus_url) as h:
        yield h


def envelope_bytes(**payload_overrides) -> bytes:  # type: ignore[no-untyped-def]
    event = activation()
    data = json.loads(event.to_bytes())
    data["payload"].update(payload_overrides)
    return json.dumps(data).encode()


async def test_a_good_event_has_its_effect_once(harness) -> None:  # type: ignore[no-untyped-def]
    event = activation()
    await harness.publish_event(event)
    await harness.wait_for_effects(1)
    rows = await harness.effects()
    assert [r["event_id"] for r in rows] == [event.event_id]


async def test_a_batch_is_handled_without_a_worker_thread(harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The handler gets the broker's message on the event loop: a `Context("message")` parameter
    made fast_depends resolve it in a worker thread for every batch, a hand-over to a thread and
    back that cost a Kafka consumer replica a fifth of its CPU in the bus benchmark."""
    import anyio.to_thread

    handed_over: list[object] = []

    async def refuse(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        handed_over.append(func)
        raise AssertionError(f"{func!r} was run in a worker thread")

    monkeypatch.setattr(anyio.to_thread, "run_sync", refuse)
    event = activation()
    await harness.publish_event(event)
    await harness.wait_for_effects(1)
    assert [r["event_id"] for r in await harness.effects()] == [event.event_id]
    assert handed_over == []


async def test_a_redelivered_event_has_its_effect_once(harness) -> None:  # type: ignore[no-untyped-def]
    event, marker = activation(), activation()
    # Different broker message ids, same event: what a relay republishing after a crash
    # (outside NATS's de-duplication window) or a Kafka redelivery looks like.
    for _ in range(3):
        await harness.publish_event(event, message_id=uuid.uuid4().hex)
    await harness.publish_event(marker)
    await harness.wait_for_effects(2)
    rows = await harness.effects()
    assert sorted(str(r["event_id"]) for r in rows) == sorted([str(event.event_id), str(marker.event_id)])
    assert len(harness.script.attempts[str(event.payload.activation_id)]) == 1


@pytest.mark.parametrize(
    ("body", "expected_reason"),
    [
        (b"{not json", "not valid JSON"),
        (envelope_bytes(point_id=None), "payload.point_id"),
        (envelope_bytes(national_number="85073003329", consent_given=True), "national_number"),
        (json.dumps({"event_type": "LetterIssued"}).encode(), "LetterIssued"),
    ],
    ids=["bad-json", "schema-invalid", "invalid-national-number", "wrong-event-type"],
)
async def test_bad_input_goes_to_the_dlq_with_a_reason_and_the_next_good_event_flows(
    harness, body: bytes, expected_reason: str  # type: ignore[no-untyped-def]
) -> None:
    good = activation()
    await harness.publish(body)
    await harness.publish_event(good)
    await harness.wait_for_effects(1)
    await harness.wait_for_dead_letters(1)
    dead_body, headers = harness.dead_letters[0]
    assert dead_body == body  # the original bytes, unchanged
    assert headers["x-loket-dlq-kind"] == "contract"
    assert expected_reason in headers["x-loket-dlq-reason"]
    assert headers["x-loket-dlq-topic"] == topics.CITIZENS
    # The reason never repeats the (invalid) national number it complains about.
    assert "85073003329" not in headers["x-loket-dlq-reason"]


async def test_a_dead_letter_keeps_its_messages_key_for_a_replay(harness) -> None:  # type: ignore[no-untyped-def]
    # On Kafka the relay writes the key only as the record's key; the dead letter must still name
    # it, or a replay would land on another partition than the key's later events.
    event = activation()
    harness.script.permanent.add(str(event.payload.activation_id))
    await harness.publish_as_the_relay(event)
    await harness.wait_for_dead_letters(1)
    body, headers = harness.dead_letters[0]
    letter = dead_letter_from("test:0", dlq_topic(topics.CITIZENS), body, headers)
    assert letter.key() == event.partition_key()
    assert json.loads(headers["x-loket-original-headers"])["x-loket-key"] == event.partition_key()


async def test_a_letter_sized_message_is_dead_lettered_whole_and_the_next_event_flows(harness) -> None:  # type: ignore[no-untyped-def]
    # A letter with its 5 MiB PDF inline is about 7 MB of JSON; this one does not decode. Above
    # 1 MiB aiokafka refused to send it to the DLQ by default, and the batch came back forever.
    body = b'{"event_type": "LetterIssued", "payload": {"pdf_base64": "' + b"A" * 7_000_000 + b'"}'
    good = activation()
    await harness.publish(body)
    await harness.publish_event(good)
    await harness.wait_for_effects(1, timeout=60)
    await harness.wait_for_dead_letters(1, timeout=60)
    dead_body, headers = harness.dead_letters[0]
    assert dead_body == body
    assert headers["x-loket-dlq-kind"] == "contract"


# Failures that are the same on every attempt: the handler's PermanentError, and a value
# PostgreSQL refuses as data (an int4 overflow). No backoff loop holding up the events behind
# them: a dead letter at once, saying why.
PERMANENT_FAILURES = [
    pytest.param("permanent", "activation {key} refers to a point that was closed", id="handler-says-permanent"),
    pytest.param("out_of_range", "NumericValueOutOfRangeError: integer out of range", id="database-refuses-data"),
]


@pytest.mark.parametrize(("failure", "reason"), PERMANENT_FAILURES)
async def test_a_failure_that_cannot_pass_dead_letters_at_once(harness, failure: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    doomed, good = activation(), activation()
    key = str(doomed.payload.activation_id)
    getattr(harness.script, failure).add(key)
    await harness.publish_event(doomed)
    await harness.publish_event(good)
    await harness.wait_for_dead_letters(1)
    await harness.wait_for_effects(1)
    _, headers = harness.dead_letters[0]
    assert headers["x-loket-dlq-kind"] == "permanent"
    assert headers["x-loket-dlq-reason"] == reason.format(key=key)
    assert len(harness.script.attempts[key]) <= 2  # the batch, then alone once
    assert harness.count(harness.bus.metrics.handler_retries) == 0
    assert [r["event_id"] for r in await harness.effects()] == [good.event_id]


async def test_transient_failures_are_retried_with_growing_delays_then_succeed(harness) -> None:  # type: ignore[no-untyped-def]
    event = activation()
    key = str(event.payload.activation_id)
    harness.script.transient_failures[key] = 3  # max_attempts is 4 in the harness
    await harness.publish_event(event)
    await harness.wait_for_effects(1)
    times = harness.script.attempts[key]
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times[1:], times[2:], strict=False)]  # skip the batch attempt
    assert gaps == sorted(gaps), f"delays must grow: {gaps}"
    assert not harness.dead_letters


async def test_a_batch_cut_by_the_database_ending_its_session_is_redelivered_whole(harness) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL ending the session mid-batch (a restart, a failover, an operator's
    pg_terminate_backend: "terminating connection due to administrator command") is the
    platform's trouble, not the events': the batch goes back to the broker and comes again, as
    when the database is down, instead of being retried event by event as a failing handler's.
    (The statement raises AdminShutdownError; leaving the transaction on the closed session then
    raises asyncpg's InterfaceError, and both count as the database being away.)"""
    if harness.kind == "kafka-memory":
        pytest.skip("FastStream's in-memory Kafka broker does not redeliver a nacked batch")
    event = activation()
    key = str(event.payload.activation_id)
    harness.script.server_shutdowns[key] = 1
    await harness.publish_event(event)
    await harness.wait_for_effects(1)
    metrics = harness.bus.metrics
    assert harness.count(metrics.redelivered_batches) == 1
    assert harness.count(metrics.handler_retries) == 0
    assert len(harness.script.attempts[key]) == 2  # the cut batch, then the redelivered one
    assert [r["event_id"] for r in await harness.effects()] == [event.event_id]
    assert not harness.dead_letters


async def test_exhausted_retries_end_in_the_dlq(harness) -> None:  # type: ignore[no-untyped-def]
    event, good = activation(), activation()
    harness.script.transient_failures[str(event.payload.activation_id)] = 99
    await harness.publish_event(event)
    await harness.publish_event(good)
    await harness.wait_for_dead_letters(1)
    await harness.wait_for_effects(1)
    body, headers = harness.dead_letters[0]
    assert body == event.to_bytes()
    assert headers["x-loket-dlq-kind"] == "exhausted"
    assert headers["x-loket-dlq-attempts"] == "4"
    assert "TransientError" in headers["x-loket-dlq-reason"]


async def test_a_thousand_bad_messages_in_a_row_do_not_stop_the_consumer(harness) -> None:  # type: ignore[no-untyped-def]
    for i in range(1000):
        await harness.publish(b"garbage %d" % i)
    good = activation()
    await harness.publish_event(good)
    await harness.wait_for_effects(1, timeout=60)
    await harness.wait_for_dead_letters(1000, timeout=60)
    assert len({body for body, _ in harness.dead_letters}) == 1000
