"""Letters to companies (issue 18), end to end: LetterIssued with an enterprise recipient on NATS
→ bridge → the eBox simulator over HTTP (enterprise preference look-up, enterprise recipient in
the publish) → state in PostgreSQL; a company without an eBox goes to paper at its address."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.bridge_harness import (
    POLICY,
    bridge_settings,
    install_test_policy,
    publish,
    running_bridge,
    settled,
    status_events,
    wait_for_letters,
)
from tests.support.fake_letters import FixedTenants
from tests.support.letters import (
    COMPANY_ADDRESS,
    Companies,
    Population,
    company_letter,
    letter_issued,
)


@pytest.fixture
async def bridge(database_url: str, bus_url: str, sim, keys, pool: asyncpg.Pool, tmp_path: Path):  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
    async with running_bridge(settings) as base:
        yield base


async def received(sim) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Idempotency key (the letter id) → what the simulator recorded of its publish."""
    return {m["idempotencyKey"]: m for m in (await sim.admin("GET", "/admin/received"))["messages"]}


async def test_a_company_with_an_ebox_gets_the_letter_as_an_enterprise(bridge, bus_url, pool, sim) -> None:  # type: ignore[no-untyped-def]
    companies = Companies(start=50_000)
    number = companies.take(True)
    citizen = Population(start=5_000).take(True)
    # Both kinds in one broker batch: one preference look-up per kind, one publish each.
    company, person = company_letter(number), letter_issued(citizen)
    await publish(bus_url, [company, person])
    ids = [company.payload.letter_id, person.payload.letter_id]
    rows = await wait_for_letters(pool, ids, settled)
    assert [rows[i]["ebox_state"] for i in ids] == ["delivered_to_ebox", "delivered_to_ebox"]
    published = await received(sim)
    assert (published[str(ids[0])]["recipientKind"], published[str(ids[0])]["ssin"]) == ("enterprise", number)
    assert (published[str(ids[1])]["recipientKind"], published[str(ids[1])]["ssin"]) == ("citizen", citizen)
    stored = await pool.fetchrow(f"SELECT ssin, recipient_kind FROM {NAME}.letters WHERE letter_id = $1", ids[0])
    assert (stored["ssin"], stored["recipient_kind"]) == (number, "enterprise")
    # The simulator answered the enterprise look-up: the bridge cached the company as digital.
    cached = await pool.fetchval(f"SELECT digital FROM {NAME}.ebox_status_cache WHERE ssin = $1", number)
    assert cached is True
    events = await status_events(bus_url, {ids[0]}, expected=1)
    assert [e["event_type"] for e in events[ids[0]]] == ["LetterDeliveredToEbox"]
    # The company's number is not personal data, but no status event needs it either.
    assert number not in json.dumps(events[ids[0]])


async def test_a_company_without_an_ebox_gets_paper_at_its_address(bridge, bus_url, pool, sim, tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = Companies(start=51_000).take(False)
    letter = company_letter(number)
    await publish(bus_url, [letter])
    letter_id = letter.payload.letter_id
    rows = await wait_for_letters(pool, [letter_id], settled)
    row = rows[letter_id]
    assert (row["ebox_state"], row["paper_state"], row["paper_reason"]) == (
        "not_digital", "queued_for_print", "no_digital_user")
    # Nothing was published: the preference look-up already said the company has no eBox.
    assert str(letter_id) not in await received(sim)
    assert await pool.fetchval(f"SELECT digital FROM {NAME}.ebox_status_cache WHERE ssin = $1", number) is False

    # A cut-off just after the letter was queued (the database's clock), to the second: its own
    # batch, whatever other tests of the session closed this minute.
    queued_at = await pool.fetchval(f"SELECT paper_queued_at FROM {NAME}.letters WHERE letter_id = $1", letter_id)
    cutoff = queued_at.replace(microsecond=0) + dt.timedelta(seconds=1)
    settings = EboxBridgeSettings(policy_file=POLICY, print_spool_dir=tmp_path / "print")
    batcher = PrintBatcher(lambda: pool, NAME, settings, BridgeMetrics(CollectorRegistry()),
                           PaperSenders(FixedTenants(), PolicyHolder(NAME, POLICY, 60)), lambda: cutoff)
    batch = await batcher.close(cutoff, wait_for_files=True)
    assert batch is not None
    manifest = json.loads((tmp_path / "print" / batch.batch_id / "manifest.json").read_text())
    [entry] = [e for e in manifest["letters"] if e["letter_id"] == str(letter_id)]
    assert entry["address_lines"] == [
        COMPANY_ADDRESS["name"], COMPANY_ADDRESS["department"],
        f"{COMPANY_ADDRESS['street']} {COMPANY_ADDRESS['number']}",
        f"{COMPANY_ADDRESS['postcode']} {COMPANY_ADDRESS['municipality'].upper()}",  # bpost: town in capitals
    ]
    assert entry["postcode"] == "2800"
