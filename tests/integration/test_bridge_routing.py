"""Routing for every rollout policy, end to end: LetterIssued on NATS → bridge → simulator over
HTTP → state in PostgreSQL and status events on the bus."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.sweeper import Sweeper
from tests.contracts.examples import example
from tests.support.bridge_harness import (
    bridge_settings,
    install_test_policy,
    letter_rows,
    publish,
    running_bridge,
    settled,
    status_events,
    wait_for_letters,
)
from tests.support.letters import Population, letter_issued


@pytest.fixture
async def bridge(database_url: str, bus_url: str, sim, keys, pool: asyncpg.Pool, tmp_path: Path):  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
    async with running_bridge(settings) as base:
        yield base


def types_of(events: list[dict]) -> list[str]:
    return sorted(e["event_type"] for e in events)


async def test_every_policy_routes_as_configured(bridge, bus_url, pool, sim) -> None:  # type: ignore[no-untyped-def]
    people = Population(start=1000)
    cases = {
        "first_digital": letter_issued(people.take(True), important=True,
                                       contact={"phone": "+32470123456", "language": "nl"}),
        "first_paper": letter_issued(people.take(False)),
        "both_digital": letter_issued(people.take(True), department="elections", document_type="convocation"),
        "both_paper": letter_issued(people.take(False), department="elections", document_type="convocation"),
        "paper_only": letter_issued(people.take(True), department="housing", document_type="permit"),
        "only_digital": letter_issued(people.take(True), department="gas", document_type="administrative_sanction", postal_address=None),
        "only_paper": letter_issued(people.take(False), department="gas", document_type="administrative_sanction", postal_address=None),
    }
    ids = {name: e.payload.letter_id for name, e in cases.items()}
    await publish(bus_url, cases.values())
    rows = await wait_for_letters(pool, ids.values(), settled)
    state = {name: (rows[i]["ebox_state"], rows[i]["paper_state"], rows[i]["paper_reason"]) for name, i in ids.items()}
    assert state == {
        "first_digital": ("delivered_to_ebox", None, None),
        "first_paper": ("not_digital", "queued_for_print", "no_digital_user"),
        "both_digital": ("delivered_to_ebox", "queued_for_print", "policy_both"),
        "both_paper": ("not_digital", "queued_for_print", "policy_both"),
        "paper_only": (None, "queued_for_print", "policy_paper_only"),
        "only_digital": ("delivered_to_ebox", None, None),
        "only_paper": ("failed", None, None),
    }
    # Exactly the digital letters reached the eBox, once each; the others were never sent.
    accepted = await sim.accepted_by_key()
    sent = {name for name, i in ids.items() if accepted.get(str(i))}
    assert sent == {"first_digital", "both_digital", "only_digital"}
    assert all(accepted[str(ids[n])] == 1 for n in sent)

    events = await status_events(bus_url, set(ids.values()), expected=8)
    by_name = {name: types_of(events[i]) for name, i in ids.items()}
    assert by_name == {
        "first_digital": ["LetterDeliveredToEbox"],
        "first_paper": ["LetterQueuedForPrint"],
        "both_digital": ["LetterDeliveredToEbox", "LetterQueuedForPrint"],
        "both_paper": ["LetterQueuedForPrint"],
        "paper_only": ["LetterQueuedForPrint"],
        "only_digital": ["LetterDeliveredToEbox"],
        "only_paper": ["LetterFailed"],
    }
    # The back-office's contact data travels on to notify with the delivery; nobody else's does.
    delivered = events[ids["first_digital"]][0]["payload"]
    assert delivered["important"] is True and delivered["contact"]["phone"] == "+32470123456"
    assert events[ids["only_digital"]][0]["payload"].get("contact") is None
    failed = events[ids["only_paper"]][0]["payload"]
    assert (failed["channel"], failed["code"]) == ("ebox", "NO_DIGITAL_USER")
    issued = cases["first_paper"]
    queued = events[ids["first_paper"]][0]
    assert queued["causation_id"] == str(issued.event_id)
    assert queued["payload"]["pages"] == 3  # two pages and the address cover page


async def test_no_digital_user_answer_sends_paper_when_the_cache_was_wrong(bridge, bus_url, pool, sim) -> None:  # type: ignore[no-untyped-def]
    # The cache says digital (stale), the eBox answers NO_DIGITAL_USER on publish.
    number = Population(start=3000).take(False)
    await pool.execute(
        f"INSERT INTO {NAME}.ebox_status_cache (ssin, digital) VALUES ($1, true) "
        "ON CONFLICT (ssin) DO UPDATE SET digital = true, checked_at = now()",
        number,
    )
    letter = letter_issued(number)
    await publish(bus_url, [letter])
    rows = await wait_for_letters(pool, [letter.payload.letter_id], settled)
    row = rows[letter.payload.letter_id]
    assert (row["ebox_state"], row["paper_state"], row["paper_reason"]) == ("not_digital", "queued_for_print", "no_digital_user")
    assert (await sim.accepted_by_key())[str(letter.payload.letter_id)] == 1


async def test_activation_invalidates_the_cached_status(bridge, bus_url, pool, sim) -> None:  # type: ignore[no-untyped-def]
    number = Population(start=4000).take(False)
    first = letter_issued(number)
    await publish(bus_url, [first])
    await wait_for_letters(pool, [first.payload.letter_id], settled)
    # A helper activates the citizen's eBox (simulator) and booking says so on the bus.
    await sim.admin("POST", f"/admin/citizens/{number}/activate")
    await publish(bus_url, [example("EboxActivationAssisted", national_number=number, consent_given=True)])
    for _ in range(100):
        if not await pool.fetchval(f"SELECT count(*) FROM {NAME}.ebox_status_cache WHERE ssin = $1", number):
            break
        await asyncio.sleep(0.1)
    second = letter_issued(number)
    await publish(bus_url, [second])
    rows = await wait_for_letters(pool, [second.payload.letter_id], settled)
    assert rows[second.payload.letter_id]["ebox_state"] == "delivered_to_ebox"


async def test_history_has_a_row_per_transition(bridge, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    letter = letter_issued(Population(start=5000).take(False))
    await publish(bus_url, [letter])
    await wait_for_letters(pool, [letter.payload.letter_id], settled)
    rows = await pool.fetch(
        f"SELECT channel, from_state, to_state FROM {NAME}.letter_history WHERE letter_id = $1 ORDER BY id",
        letter.payload.letter_id,
    )
    assert [(r["channel"], r["from_state"], r["to_state"]) for r in rows] == [
        ("letter", None, "received"),
        ("letter", "received", "routed"),
        ("ebox", None, "pending"),
        ("ebox", "pending", "publishing"),
        ("ebox", "publishing", "not_digital"),
        ("paper", None, "queued_for_print"),
    ]
    assert Counter(r["channel"] for r in rows)["paper"] == 1
    assert (await letter_rows(pool, [letter.payload.letter_id]))[letter.payload.letter_id]["paper_reason"] == "no_digital_user"


async def test_metrics_count_letters_without_personal_data(bridge, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    number = Population(start=6000).take(True)
    letter = letter_issued(number)
    await publish(bus_url, [letter])
    await wait_for_letters(pool, [letter.payload.letter_id], settled)
    async with aiohttp.ClientSession() as http, http.get(f"{bridge}/metrics") as response:
        text = await response.text()
    assert 'loket_letters_total{channel="ebox",outcome="delivered",reason=""}' in text
    assert 'loket_ebox_request_seconds_count{operation="publish"}' in text
    assert "loket_ebox_circuit_state 0.0" in text
    assert number not in text and str(letter.payload.letter_id) not in text


async def test_sweeper_reports_letters_stuck_in_the_bridge(pool) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    letter_id = letter_issued("85073003328").payload.letter_id
    # A letter that has waited for the eBox for two days (e.g. a long outage).
    await pool.execute(
        f"""INSERT INTO {NAME}.letters (letter_id, content_sha256, issued_event_id, correlation_id, issued_at,
                received_at, municipality, department, document_type, language, ssin, subject, pdf, pdf_sha256,
                pages, registered, important, routing, message_type_id, state, ebox_state, ebox_due_at, postage_class)
            VALUES ($1, 'x', $1, $1, now(), now() - interval '2 days', '12025', 'finance', 'invoice', 'nl',
                    '85073003328', 's', '%PDF-', 'x', 1, false, false, 'ebox_first', 'invoice', 'routed',
                    'pending', NULL, 'non_prior')""",
        letter_id,
    )
    metrics = BridgeMetrics(CollectorRegistry())
    sweeper = Sweeper(lambda: pool, NAME, metrics, interval_s=60, stuck_after_s=3600, clock=lambda: dt.datetime.now(dt.UTC))
    stuck = await sweeper.sweep_once()
    assert stuck[("ebox", "pending")] >= 1
    assert metrics.stuck.labels("ebox", "pending")._value.get() >= 1
    # Re-driven: a letter without a due time is made due now, so the dispatcher takes it.
    assert await pool.fetchval(f"SELECT ebox_due_at IS NOT NULL FROM {NAME}.letters WHERE letter_id = $1", letter_id)
    await pool.execute(f"UPDATE {NAME}.letters SET ebox_state = 'failed' WHERE letter_id = $1", letter_id)


async def test_each_letter_is_published_under_its_own_municipalitys_sender(bridge, bus_url, pool, sim) -> None:  # type: ignore[no-untyped-def]
    people = Population(start=3000)
    mechelen = letter_issued(people.take(True))
    etterbeek = letter_issued(people.take(True), municipality="21005", language="fr", subject="Votre facture")
    await publish(bus_url, [mechelen, etterbeek])
    rows = await wait_for_letters(pool, [mechelen.payload.letter_id, etterbeek.payload.letter_id], settled)
    assert {r["ebox_state"] for r in rows.values()} == {"delivered_to_ebox"}
    received = (await sim.admin("GET", "/admin/received"))["messages"]
    sender_of = {m["idempotencyKey"]: m["sender"] for m in received}
    # Each municipality's KBO number from deploy/tenants.yaml, not one platform-wide sender.
    assert sender_of[str(mechelen.payload.letter_id)] == "0207500123"
    assert sender_of[str(etterbeek.payload.letter_id)] == "0207350168"
