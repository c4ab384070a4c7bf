"""`loket dlq` against a real embedded NATS JetStream: the store, the CLI, and the pure parts.

Dead letters are written by the real `Bus.dead_letter`, so these tests also pin the header
format the store reads. The Kafka store cannot run here: only its pure parts are tested.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats
import pytest
from nats.js import api
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner, Result

from loket.cli.dlq import app
from loket.contracts.topics import CITIZENS, DEVICES, dlq_topic
from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.bus.dlq_store import (
    DeadLetter,
    DeadLetterNotFound,
    MalformedDeadLetterId,
    UnknownTopic,
    open_dlq_store,
)
from loket.infra.bus.dlq_store.kafka_store import decode_kafka_headers, parse_kafka_id
from loket.infra.bus.dlq_store.nats_store import parse_nats_id
from loket.infra.bus.dlq_store.preview import body_preview
from loket.infra.embedded import EmbeddedNats
from loket.infra.embedded.process import pid_alive
from loket.infra.metrics import PlatformMetrics

NN = "85073003328"  # a valid national number (DESIGN.md): must be masked unless asked


@dataclass
class Seeded:
    bus: Bus
    bodies: list[bytes]
    reasons: list[str]


@pytest.fixture
async def seeded(bus_url: str) -> AsyncIterator[Seeded]:
    """An empty CITIZENS stream holding exactly three dead letters of citizens.v1."""
    registry = CollectorRegistry()
    bus = Bus(bus_url, "dlq-test", registry, PlatformMetrics(registry))
    await bus.broker.connect()
    await nats_wiring.declare_streams(bus.broker)
    await bus.broker.connection.jetstream().purge_stream("CITIZENS")
    # Unique per test: the DLQ stream de-duplicates on (consumer, source, body) for 2 minutes.
    run = uuid.uuid4().hex
    bodies = [
        json.dumps({"event_id": run, "payload": {"national_number": NN}}).encode(),
        b"\x00\x01{not json " + run.encode(),
        json.dumps({"event_id": run, "n": 3}).encode(),
    ]
    reasons = [f"schema violation at payload.point_id ({run})", "not valid JSON", "unknown [event] type"]
    for n, (body, reason) in enumerate(zip(bodies, reasons, strict=True)):
        await bus.dead_letter(
            topic=CITIZENS, consumer="test.group", body=body, reason=reason, kind="contract",
            attempts=0, source=f"CITIZENS:{run}-{n}", key=f"pseudonym-{n}",
            original_headers={"x-loket-event-type": "EboxActivationAssisted",
                              "x-loket-key": f"pseudonym-{n}", "Nats-Msg-Id": f"{run}-{n}"},
        )
    try:
        yield Seeded(bus, bodies, reasons)
    finally:
        # Replays and test events land on citizens.v1: leave nothing for later tests to consume.
        await bus.broker.connection.jetstream().purge_stream("CITIZENS")
        await bus.broker.stop()


async def listed(bus_url: str) -> list[DeadLetter]:
    async with open_dlq_store(bus_url) as store:
        return await store.list(CITIZENS, limit=100)


async def invoke(*args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Result:
    # The CLI runs its own event loop (asyncio.run): give it a thread, away from the test's loop.
    return await asyncio.to_thread(
        CliRunner().invoke, app, list(args), input=input, env={"COLUMNS": "250", **(env or {})}
    )


async def test_list_returns_every_dead_letter_with_reason_kind_and_counts(seeded: Seeded, bus_url: str) -> None:
    async with open_dlq_store(bus_url) as store:
        letters = await store.list(CITIZENS, limit=100)
        assert [d.reason for d in letters] == seeded.reasons
        assert [d.body for d in letters] == seeded.bodies
        assert {(d.kind, d.consumer, d.original_topic, d.topic, d.attempts) for d in letters} == {
            ("contract", "test.group", CITIZENS, dlq_topic(CITIZENS), 0)
        }
        assert all(d.id.startswith("CITIZENS:") and d.at for d in letters)
        assert [d.id for d in await store.list(None, limit=100) if d.original_topic == CITIZENS] == [
            d.id for d in letters
        ]
        assert len(await store.list(CITIZENS, limit=2)) == 2
        assert (await store.count_by_topic())[CITIZENS] == 3
        with pytest.raises(UnknownTopic):
            await store.list("nope.v1", limit=10)


async def test_get_returns_the_unchanged_body_and_headers(seeded: Seeded, bus_url: str) -> None:
    letters = await listed(bus_url)
    async with open_dlq_store(bus_url) as store:
        for letter, body in zip(letters, seeded.bodies, strict=True):
            got = await store.get(letter.id)
            assert got.body == body
            assert got.headers["x-loket-dlq-topic"] == CITIZENS
            assert got.original_headers()["x-loket-event-type"] == "EboxActivationAssisted"


async def test_replay_publishes_the_same_bytes_with_a_new_id_and_removes_the_dead_letter(
    seeded: Seeded, bus_url: str
) -> None:
    target = (await listed(bus_url))[0]
    nc = await nats.connect(bus_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            CITIZENS, stream="CITIZENS",
            config=api.ConsumerConfig(ack_policy=api.AckPolicy.NONE, deliver_policy=api.DeliverPolicy.ALL),
        )
        async with open_dlq_store(bus_url) as store:
            replayed = await store.replay(target.id)
            assert replayed.id == target.id
            (message,) = await sub.fetch(1, timeout=5)
            assert message.data == seeded.bodies[0]
            assert message.headers["Nats-Msg-Id"] == f"replay:{target.id}"
            assert message.headers["x-loket-key"] == "pseudonym-0"
            assert message.headers["x-loket-event-type"] == "EboxActivationAssisted"
            assert target.id not in [d.id for d in await store.list(CITIZENS, limit=100)]
            assert (await store.count_by_topic())[CITIZENS] == 2
            with pytest.raises(DeadLetterNotFound):
                await store.replay(target.id)  # it was deleted: no second replay
    finally:
        await nc.close()


async def test_unknown_malformed_and_non_dead_letter_ids_are_refused(seeded: Seeded, bus_url: str) -> None:
    ordinary = await seeded.bus.broker.connection.jetstream().publish(CITIZENS, b"an ordinary event")
    async with open_dlq_store(bus_url) as store:
        for id in ("CITIZENS:999999999", f"CITIZENS:{ordinary.seq}"):
            with pytest.raises(DeadLetterNotFound):
                await store.replay(id)
        for id in ("nonsense", "CITIZENS:abc", "NOSTREAM:1", "CITIZENS:0"):
            with pytest.raises(MalformedDeadLetterId):
                await store.get(id)
        # The ordinary event was neither duplicated nor deleted.
        assert (await store.js.get_msg("CITIZENS", ordinary.seq)).data == b"an ordinary event"  # type: ignore[attr-defined]


async def test_cli_list_shows_reasons_and_says_when_there_are_none(seeded: Seeded, bus_url: str) -> None:
    result = await invoke("list", "--topic", CITIZENS, "--bus-url", bus_url)
    assert result.exit_code == 0, result.output
    for letter, reason in zip(await listed(bus_url), seeded.reasons, strict=True):
        assert letter.id in result.output and reason in result.output
    assert "3 dead letter(s), showing 3" in result.output
    narrow = await invoke("list", "--bus-url", bus_url, env={"COLUMNS": "80"})
    assert all(d.id in narrow.output for d in await listed(bus_url))  # ids are never cut
    await seeded.bus.broker.connection.jetstream().purge_stream("DEVICES", subject=dlq_topic(DEVICES))
    empty = await invoke("list", "--topic", DEVICES, "--bus-url", bus_url)
    assert empty.exit_code == 0 and "no dead letters on devices.v1" in empty.output


async def test_cli_show_prints_headers_and_body_masked_unless_asked(seeded: Seeded, bus_url: str) -> None:
    json_letter, binary_letter, _ = await listed(bus_url)
    shown = await invoke("show", json_letter.id, "--bus-url", bus_url)
    assert shown.exit_code == 0, shown.output
    assert seeded.reasons[0] in shown.output and "x-loket-dlq-kind" in shown.output
    assert f"body: {len(seeded.bodies[0])} bytes" in shown.output
    assert '"national_number": "***********"' in shown.output and NN not in shown.output
    unmasked = await invoke("show", json_letter.id, "--unmasked", "--bus-url", bus_url)
    assert f'"national_number": "{NN}"' in unmasked.output
    binary = await invoke("show", binary_letter.id, "--bus-url", bus_url)
    assert "00 01 7b 6e 6f 74" in binary.output and "|..{not json" in binary.output


async def test_cli_replay_asks_then_replays_and_rejects_bad_ids(seeded: Seeded, bus_url: str) -> None:
    first, second, third = await listed(bus_url)
    declined = await invoke("replay", first.id, "--bus-url", bus_url, input="n\n")
    assert declined.exit_code == 1 and first.id in [d.id for d in await listed(bus_url)]
    done = await invoke("replay", first.id, "--yes", "--bus-url", bus_url)
    assert done.exit_code == 0, done.output
    assert f"replayed {first.id} -> {CITIZENS}" in done.output
    assert [d.id for d in await listed(bus_url)] == [second.id, third.id]
    for bad in (first.id, "CITIZENS:999999999", "not-an-id"):
        refused = await invoke("replay", bad, "--yes", "--bus-url", bus_url)
        assert refused.exit_code == 2, refused.output
        assert bad in refused.output
    everything = await invoke("replay", "--all", "--topic", CITIZENS, "--yes", "--bus-url", bus_url)
    assert everything.exit_code == 0, everything.output
    assert f"replayed {second.id}" in everything.output and f"replayed {third.id}" in everything.output
    assert await listed(bus_url) == []
    assert (await invoke("replay", "--all", "--bus-url", bus_url)).exit_code == 2  # needs --topic


async def test_cli_without_bus_url_uses_the_embedded_nats_and_leaves_a_running_one_running(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env: dict[str, str | None] = {"LOKET_BUS_URL": None, "LOKET_DATA_DIR": str(tmp_path)}
    running = EmbeddedNats(tmp_path / "nats")
    await asyncio.to_thread(running.start)
    try:
        result = await invoke("list", env=env)
        assert result.exit_code == 0 and "no dead letters" in result.output, result.output
        assert running.is_running()  # adopted, not stopped: it could be `loket up`'s server
    finally:
        await asyncio.to_thread(running.stop)
    result = await invoke("list", env=env)  # nothing running: started for the command, stopped after
    assert result.exit_code == 0, result.output
    assert not pid_alive(int((tmp_path / "nats" / "nats.pid").read_text()))


def test_ids_are_parsed_strictly() -> None:
    assert parse_nats_id("CITIZENS:42") == ("CITIZENS", 42)
    assert parse_kafka_id("letters.status.v1.dlq:3:1700") == ("letters.status.v1.dlq", 3, 1700)
    for bad in ("citizens.v1:0:1", "citizens.v1.dlq:x:1", "citizens.v1.dlq:1", "CITIZENS:42"):
        with pytest.raises(MalformedDeadLetterId):
            parse_kafka_id(bad)


def test_kafka_headers_decode_and_replay_headers_are_fresh() -> None:
    headers = decode_kafka_headers([
        ("x-loket-dlq-reason", "échec".encode()), ("x-loket-key", b"k-1"), ("empty", None),
        ("x-loket-original-headers", json.dumps({"x-loket-key": "k-0", "x-loket-message-id": "old"}).encode()),
    ])
    assert headers["x-loket-dlq-reason"] == "échec" and headers["empty"] == ""
    letter = DeadLetter("citizens.v1.dlq:0:5", "citizens.v1.dlq", CITIZENS, "g", "contract", "r", 0, "",
                        b"{}", headers)
    assert letter.key() == "k-0"  # the original message's key, not the dead letter's
    assert letter.replay_headers("x-loket-message-id") == {
        "x-loket-key": "k-0", "x-loket-message-id": "replay:citizens.v1.dlq:0:5",
        "x-loket-replayed-from": "citizens.v1.dlq:0:5",
    }


def test_body_preview_masks_both_hex_and_ascii_and_bounds_the_dump() -> None:
    body = b"\xff" + NN.encode() + b"\x00" * 5000
    preview = body_preview(body)
    assert NN not in preview and "38 35 30 37" not in preview  # '8507' in hex
    assert "more bytes not shown" in preview and len(preview.splitlines()) == 2048 // 16 + 1
    assert "38 35 30 37" in body_preview(body, unmasked=True)


async def test_cli_says_clearly_when_the_bus_is_unreachable() -> None:
    result = await invoke("list", "--bus-url", "nats://127.0.0.1:1")
    assert result.exit_code == 1 and "cannot reach NATS at nats://127.0.0.1:1" in result.output
    assert (await invoke("list", "--bus-url", "http://x")).exit_code == 2
    # The operator's password in the URL is never shown, also not when the bus is unreachable.
    secret = await invoke("list", "--bus-url", "nats://loket-operator:s3cret-pw@127.0.0.1:1")
    assert secret.exit_code == 1 and "s3cret-pw" not in secret.output and "loket-operator:***@" in secret.output
