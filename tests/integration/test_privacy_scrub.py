"""`loket privacy erase` then scrubs: the events that name the citizen (their letters and the
erasure request itself) leave the bus and the outboxes once every service consumed them; an
event a durable consumer has not consumed yet stays, and the consumer holding it is named;
other citizens' events stay. On its own NATS, so no other test's consumers hold anything."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from pathlib import Path

import nats
import nats.errors
from nats.js import api

from loket.contracts.topics import NATS_STREAMS
from loket.infra.bus.scrub import scrub_nats
from loket.infra.embedded import EmbeddedNats
from loket.simulators.ebox.citizens import Citizens
from services.ebox_bridge.ebox_client.credentials import ensure_keypair
from tests.support.bridge_harness import (
    bridge_settings,
    install_test_policy,
    publish,
    running_bridge,
    simulator,
)
from tests.support.letters import letter_issued, national_number


async def _messages_holding(bus_url: str, *needles: bytes) -> int:
    """How many messages in any stream hold one of `needles`, read with a throw-away consumer
    (one pass over the streams: each pass waits out a fetch timeout per stream)."""
    nc = await nats.connect(bus_url)
    found = 0
    try:
        js = nc.jetstream()
        for stream, subjects in NATS_STREAMS.items():
            try:
                await js.stream_info(stream)
            except nats.js.errors.NotFoundError:
                continue
            reader = await js.pull_subscribe(subjects[0], stream=stream, config=api.ConsumerConfig(
                ack_policy=api.AckPolicy.NONE, deliver_policy=api.DeliverPolicy.ALL, inactive_threshold=10))
            while True:
                try:
                    batch = await reader.fetch(500, timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    break
                found += sum(any(n in m.data for n in needles) for m in batch)
            await reader.unsubscribe()
    finally:
        await nc.close()
    return found


async def test_a_consumer_that_has_not_consumed_an_event_keeps_it_until_it_has(tmp_path: Path) -> None:
    citizen, other = national_number(random.randrange(25_000), born=61), national_number(25_100, born=61)
    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            await publish(server.url, [letter_issued(citizen), letter_issued(other)])  # declares the streams
            # A service that is down: its durable consumer exists and has consumed nothing.
            await js.add_consumer("LETTERS", api.ConsumerConfig(durable_name="slow-service",
                                                                filter_subject="letters.issued.v1",
                                                                ack_policy=api.AckPolicy.EXPLICIT))
            held = await scrub_nats([server.url], [citizen.encode()])
            assert (held.removed_total, held.waiting_total, held.held_by) == (0, 1, {"LETTERS/slow-service"})
            assert await _messages_holding(server.url, citizen.encode()) == 1

            reader = await js.pull_subscribe_bind("slow-service", stream="LETTERS")
            for msg in await reader.fetch(10, timeout=2):
                await msg.ack_sync()
            done = await scrub_nats([server.url], [citizen.encode()])
            assert (done.removed_total, done.waiting_total) == (1, 0)
            assert await _messages_holding(server.url, citizen.encode()) == 0
            assert await _messages_holding(server.url, other.encode()) == 1  # nobody else's
        finally:
            await nc.close()


async def test_erase_then_leaves_no_event_naming_the_citizen_on_the_bus_or_in_an_outbox(  # type: ignore[no-untyped-def]
        pool, database_url, tmp_path) -> None:
    await install_test_policy(pool)
    # Citizens without an eBox: their letters go to the print queue and then wait for the
    # cut-off, so no event about them comes after the erasure (a delivery to the eBox would).
    offline = [n for n in (national_number(i, born=61) for i in random.sample(range(25_000), 200))
               if not Citizens(0, 35).is_digital(n)]
    citizen, other = offline[0], offline[1]
    key, cert = ensure_keypair(tmp_path / "keys", "bridge")
    with EmbeddedNats(tmp_path / "nats") as server:
        bus_url = server.url
        async with simulator(cert) as sim, running_bridge(bridge_settings(
                database_url, bus_url, sim, key, cert, tmp_path / "spool", deferred_erasure_interval_s=0.2)):
            mine = [letter_issued(citizen), letter_issued(citizen)]
            await publish(bus_url, [*mine, letter_issued(other)])
            ids = [e.payload.letter_id for e in mine]
            for _ in range(300):
                if await pool.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) "
                                       "AND paper_state = 'queued_for_print'", ids) == 2:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the letters did not reach the print queue")
            assert await _messages_holding(bus_url, citizen.encode()) == 2
            env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
            run = await asyncio.to_thread(subprocess.run, [
                sys.executable, "-m", "loket.cli", "privacy", "erase", citizen, "--bus-url", bus_url,
                "--database-url", database_url, "--wait", "30"], env=env, capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
            assert citizen not in run.stdout + run.stderr
            # Both letters, the events about them (with their contact details) and the erasure
            # request itself are gone; the letters are in flight, so the bridge keeps them and
            # says to erase again once they settled.
            removed = int(run.stdout.split("removed ")[1].split(" events")[0])
            assert removed >= 3, run.stdout
            assert "2 letters were in flight" in run.stdout, run.stdout
            assert await _messages_holding(bus_url, citizen.encode(), *(str(i).encode() for i in ids)) == 0
            assert await _messages_holding(bus_url, other.encode()) == 1

            # The letters are posted: the bridge erases them now, without being asked again,
            # and says so on the bus (notify blanks its messages' contacts from that).
            reference = run.stdout.split("erasure ")[1].split()[0]
            assert f"--erasure {reference}" in run.stdout, run.stdout
            await pool.execute("UPDATE ebox_bridge.letters SET paper_state = 'posted' WHERE letter_id = ANY($1::uuid[])",
                               ids)
            for _ in range(300):
                if await pool.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) "
                                       "AND ssin = '' AND octet_length(pdf) = 0 AND contact IS NULL", ids) == 2:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the posted letters were not erased")
            for _ in range(300):
                if await pool.fetchval("SELECT count(*) FROM ebox_bridge.outbox WHERE event_type = "
                                       "'LetterRecipientErased' AND key = ANY($1::text[]) AND sent_at IS NOT NULL",
                                       [str(i) for i in ids]) == 2:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the erasure of the posted letters was not announced")
            assert await _messages_holding(bus_url, *(str(i).encode() for i in ids)) == 2
            # Their number is gone, so only the request's reference finds those events.
            again = await asyncio.to_thread(subprocess.run, [
                sys.executable, "-m", "loket.cli", "privacy", "scrub", citizen, "--erasure", reference,
                "--bus-url", bus_url, "--database-url", database_url, "--wait", "30"],
                env=env, capture_output=True, text=True, timeout=120)
            assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
            assert "were in flight" not in again.stdout
        assert await _messages_holding(bus_url, *(str(i).encode() for i in ids)) == 0
        assert await _messages_holding(bus_url, other.encode()) == 1
    for schema in ("booking", "notify", "ebox_bridge", "reporting"):
        if await pool.fetchval("SELECT to_regclass($1)", f"{schema}.outbox"):
            assert not await pool.fetchval(
                f"SELECT count(*) FROM {schema}.outbox WHERE position($1::bytea IN payload) > 0", citizen.encode())
