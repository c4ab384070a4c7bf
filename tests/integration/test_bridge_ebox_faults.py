"""The eBox misbehaving: an outage the letters wait out, an outage past the deadline (paper),
token expiry mid-run, a 409 on re-publish, and unread important letters escalated to paper."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
import pytest

from services.ebox_bridge.app import NAME
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

pytestmark = pytest.mark.chaos


@pytest.fixture
async def sim(keys):  # type: ignore[no-untyped-def]
    async with simulator(keys.cert) as sim:
        yield sim


@pytest.fixture
def settings_for(database_url, bus_url, keys, sim, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(**overrides):  # type: ignore[no-untyped-def]
        return bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool", **overrides)

    return make


async def metric(base: str, name: str) -> float | None:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        for line in (await response.text()).splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return None


async def test_outage_letters_wait_and_are_delivered_after_recovery(sim, settings_for, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=30_000)
    letters = [letter_issued(people.take(True)) for _ in range(5)]
    ids = [e.payload.letter_id for e in letters]
    await sim.faults(outage=True)
    async with running_bridge(settings_for(ebox_breaker_failures=2)) as base:
        await publish(bus_url, letters)
        # They are retried, not given up on, while the eBox is down...
        rows = await wait_for_letters(pool, ids, lambda r: r["ebox_attempts"] >= 2 and r["ebox_state"] == "pending", timeout=30)
        assert all(r["paper_state"] is None for r in rows.values())
        assert await metric(base, "loket_ebox_circuit_state") in (1.0, 2.0)
        await sim.faults(outage=False)
        # ...and delivered once it is back.
        rows = await wait_for_letters(pool, ids, settled, timeout=30)
    assert {r["ebox_state"] for r in rows.values()} == {"delivered_to_ebox"}
    accepted = await sim.accepted_by_key()
    assert [accepted.get(str(i)) for i in ids] == [1] * 5


async def test_outage_past_the_deadline_sends_letters_to_paper(sim, settings_for, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=31_000)
    # Deadline in 2 days with a 3-day print lead time: the eBox may not delay this one at all.
    urgent = letter_issued(people.take(True), legal_deadline=dt.date.today() + dt.timedelta(days=2))
    # No deadline: waits up to ebox_max_wait_hours (a few seconds here), then paper.
    patient = letter_issued(people.take(True))
    await sim.faults(outage=True)
    async with running_bridge(settings_for(ebox_max_wait_hours=4 / 3600)):
        await publish(bus_url, [urgent, patient])
        rows = await wait_for_letters(pool, [urgent.payload.letter_id, patient.payload.letter_id], settled, timeout=40)
    for letter in (urgent, patient):
        row = rows[letter.payload.letter_id]
        assert (row["ebox_state"], row["paper_state"], row["paper_reason"]) == ("unavailable", "queued_for_print", "ebox_unavailable")
    assert rows[patient.payload.letter_id]["ebox_attempts"] >= 2  # it did wait and retry first
    assert await sim.accepted_by_key() == {}


async def test_token_expiry_mid_run_is_refreshed(sim, settings_for, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=32_000)
    first = [letter_issued(people.take(True)) for _ in range(3)]
    second = [letter_issued(people.take(True)) for _ in range(3)]
    async with running_bridge(settings_for()):
        await publish(bus_url, first)
        await wait_for_letters(pool, [e.payload.letter_id for e in first], settled)
        before = (await sim.admin("GET", "/admin/tokens"))["issued_total"]
        expired = await sim.admin("POST", "/admin/tokens/expire")
        assert expired["expired"] >= 1
        await publish(bus_url, second)
        rows = await wait_for_letters(pool, [e.payload.letter_id for e in second], settled)
    assert {r["ebox_state"] for r in rows.values()} == {"delivered_to_ebox"}
    assert (await sim.admin("GET", "/admin/tokens"))["issued_total"] > before


async def test_lost_answer_is_recovered_through_409_never_published_twice(sim, settings_for, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=33_000)
    letters = [letter_issued(people.take(True)) for _ in range(10)]
    ids = [e.payload.letter_id for e in letters]
    # The simulator registers every publish but loses the answer (502): the retry gets a 409.
    await sim.faults(error_rate=1.0)
    async with running_bridge(settings_for()):
        await publish(bus_url, letters)
        # Every letter reached the eBox once (the circuit breaker may have held some back).
        for _ in range(300):
            attempts = (await sim.admin("GET", "/admin/received"))["attemptsByIdempotencyKey"]
            if all(attempts.get(str(i), 0) >= 1 for i in ids):
                break
            await asyncio.sleep(0.1)
        await sim.faults(error_rate=0.0)
        rows = await wait_for_letters(pool, ids, settled, timeout=30)
    assert {r["ebox_state"] for r in rows.values()} == {"delivered_to_ebox"}
    received = await sim.admin("GET", "/admin/received")
    assert [received["acceptedByIdempotencyKey"].get(str(i)) for i in ids] == [1] * 10
    assert all(received["attemptsByIdempotencyKey"][str(i)] >= 2 for i in ids)
    # The message id recorded is the one the eBox registered on the first attempt.
    published = {m["idempotencyKey"]: m["messageId"] for m in received["messages"]}
    assert all(rows[i]["ebox_message_id"] == published[str(i)] for i in ids)


async def test_read_is_recorded_and_unread_important_letters_escalate(sim, settings_for, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    people = Population(start=34_000)
    read = letter_issued(people.take(True), document_type="tax_assessment", important=True)
    unread = letter_issued(people.take(True), document_type="tax_assessment", important=True)
    async with running_bridge(settings_for(read_poll_interval_s=0.3)):
        await publish(bus_url, [read, unread])
        rows = await wait_for_letters(pool, [read.payload.letter_id, unread.payload.letter_id], settled)
        await sim.admin("POST", f"/admin/read/{rows[read.payload.letter_id]['ebox_message_id']}")
        # 15 days pass for the unread one (the policy's escalate_unread_after_days).
        await pool.execute(
            f"UPDATE {NAME}.letters SET escalate_at = now() - interval '1 second', "
            "delivered_at = now() - interval '15 days' WHERE letter_id = $1",
            unread.payload.letter_id,
        )
        rows = await wait_for_letters(
            pool, [read.payload.letter_id, unread.payload.letter_id],
            lambda r: r["ebox_state"] in ("read", "unread_escalated"), timeout=20,
        )
    assert rows[read.payload.letter_id]["ebox_state"] == "read"
    assert rows[read.payload.letter_id]["paper_state"] is None
    escalated = rows[unread.payload.letter_id]
    assert (escalated["ebox_state"], escalated["paper_state"], escalated["paper_reason"]) == (
        "unread_escalated", "queued_for_print", "unread_escalation")
