"""Finding 11 of issue 15: a timeout on the last eBox attempt before the paper deadline used to
send the letter to paper without knowing whether the publish had landed. Now the bridge asks
again with the same Idempotency-Key first: a 409 means the letter is in the eBox (delivered, no
paper copy); only when the eBox still cannot say does the letter go to paper."""

from __future__ import annotations

import datetime as dt

import aiohttp

from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import (
    bridge_settings,
    install_test_policy,
    publish,
    running_bridge,
    settled,
    simulator,
    wait_for_letters,
)
from tests.support.letters import Population, letter_issued

# The policy's print lead time is 3 days: a deadline two days away is already past the instant
# at which an undelivered letter must go to paper, so the first attempt is the last one.
DEADLINE = dt.date.today() + dt.timedelta(days=2)


async def test_a_timed_out_last_attempt_that_landed_is_delivered_not_posted(database_url, bus_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    citizen = Population(start=44_000).take(True)
    landed = letter_issued(citizen, legal_deadline=DEADLINE)
    lost = letter_issued(citizen, legal_deadline=DEADLINE)
    # The simulator answers after hang_s; the bridge gives up after ebox_timeout_s.
    async with simulator(cert, hang_s=3) as sim:
        settings = bridge_settings(database_url, bus_url, sim, key, cert, tmp_path / "spool", ebox_timeout_s=0.5)
        async with running_bridge(settings) as base:
            # Registered, but the answer never comes in time.
            await sim.faults(hang_after_publish_rate=1.0)
            await publish(bus_url, [landed])
            rows = await wait_for_letters(pool, [landed.payload.letter_id], settled, timeout=60)
            # Never registered: the eBox hangs before handling the publish, both times.
            await sim.faults(hang_after_publish_rate=0.0, hang_rate=1.0)
            await publish(bus_url, [lost])
            rows |= await wait_for_letters(pool, [lost.payload.letter_id], settled, timeout=60)
            await sim.faults(hang_rate=0.0)
            confirm_timeouts = await errors_of(base, "publish_confirm", "timeout")
        received = await sim.admin("GET", "/admin/received")
    first = rows[landed.payload.letter_id]
    key_of_landed = str(landed.payload.letter_id)
    assert (first["ebox_state"], first["paper_state"]) == ("delivered_to_ebox", None)
    assert received["attemptsByIdempotencyKey"][key_of_landed] == 2
    assert received["acceptedByIdempotencyKey"][key_of_landed] == 1
    published = {m["idempotencyKey"]: m["messageId"] for m in received["messages"]}
    assert first["ebox_message_id"] == published[key_of_landed]

    second = rows[lost.payload.letter_id]
    assert (second["ebox_state"], second["paper_state"], second["paper_reason"]) == (
        "unavailable", "queued_for_print", "ebox_unavailable",
    )
    # Asked a second time (which timed out too) before paper was decided; never registered.
    assert confirm_timeouts == 1
    assert str(lost.payload.letter_id) not in received["acceptedByIdempotencyKey"]


async def errors_of(base: str, operation: str, code: str) -> float:
    """`loket_ebox_errors_total{operation, code}` of the running bridge."""
    wanted = f'loket_ebox_errors_total{{code="{code}",operation="{operation}"}} '
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        lines = [line for line in (await response.text()).splitlines() if line.startswith(wanted)]
    return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0
