"""Fault injection on the whole system (`pytest -m chaos`, part of the normal run): while
bookings and letters flow through `loket up`, SIGKILL each service in turn, take the eBox down,
make the SMS provider fail, and feed hypothesis-generated hostile events. Then an auditor
checks the invariants across all schemas and prints what was injected and what held."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import asyncpg
import nats
import pytest
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

from services.catalog import SERVICE_NAMES, service_module
from services.commands.demo_letters import demo_letters
from services.contracts import topics
from services.contracts.national_number import is_valid_national_number
from services.ebox_bridge.domain import states
from services.infra.bus.address import parse_bus_url
from tests.e2e.test_loket_up import ready, service_process, start_up, stop_up, wait
from tests.support.bridge_harness import publish

pytestmark = [pytest.mark.chaos, pytest.mark.slow]
HOSTILE_TOPICS = (topics.LETTERS_ISSUED, topics.APPOINTMENTS)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
HOSTILE = st.one_of(
    st.binary(max_size=300),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"event_id": st.text(max_size=40), "event_type": st.sampled_from(["LetterIssued", "AppointmentBooked"]),
                           "payload": st.dictionaries(st.sampled_from(["letter_id", "recipient_national_number", "subject",
                                                                       "municipality", "pdf_base64", "contact"]),
                                                      st.one_of(st.text(max_size=2000), st.integers(),
                                                                st.just("12345678901"),
                                                                st.just("'; DROP TABLE letters; --"),
                                                                st.just("<script>alert(1)</script>")))})
    .map(lambda v: json.dumps(v).encode()),
)


def hostile_payloads(count: int) -> list[bytes]:
    with warnings.catch_warnings():  # drawing examples outside @given is what we want here
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        return [HOSTILE.example() for _ in range(count)]


def get_json(url: str, token: str | None = None) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def post_json(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


async def publish_raw(bus_url: str, payloads: list[bytes]) -> None:
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        js = nc.jetstream()
        for i, body in enumerate(payloads):
            await js.publish(HOSTILE_TOPICS[i % 2], body, headers={"Nats-Msg-Id": f"hostile-{time.time_ns()}-{i}"})
    finally:
        await nc.close()


async def dead_letters(bus_url: str) -> dict[str, int]:
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        js, counts = nc.jetstream(), {}
        for topic in HOSTILE_TOPICS:
            info = await js.stream_info(topics.stream_for(topic), subjects_filter=topics.dlq_topic(topic))
            counts[topic] = sum((info.state.subjects or {}).values())
        return counts
    finally:
        await nc.close()


def book(base: str, n: int) -> int:
    slots = get_json(f"{base}/public/points/mechelen-stadhuis/slots?service=ebox_activation&language=nl&days=14")["slots"]
    wins = 0
    for i in range(n):
        slot = slots[i // 3]  # three citizens want each slot: the constraint decides
        status, _ = post_json(f"{base}/public/appointments", {
            "point_id": "mechelen-stadhuis", "service": "ebox_activation", "language": "nl",
            "starts_at": slot["starts_at"], "contact": {"phone": f"+3247{2000000 + i:07d}", "language": "nl"}})
        wins += status == 201
    return wins


def test_faults_leave_every_invariant_intact(tmp_path: Path) -> None:
    proc, runtime = start_up(tmp_path, LOKET_QUIET_HOURS="00:00-00:00", LOKET_BOOKING_PUBLIC_RATE_PER_MINUTE="100000",
                             LOKET_BOOKING_PUBLIC_BURST="10000")
    faults: list[str] = []
    try:
        token = (tmp_path / "admin-token").read_text().strip()
        database_url, bus_url, ports = runtime["database_url"], runtime["bus_url"], runtime["ports"]
        subprocess.run([sys.executable, "-m", "services.cli", "seed", "--database-url", database_url],
                       check=True, timeout=60, capture_output=True)
        booking = f"http://127.0.0.1:{ports['booking']}"
        letters = demo_letters(300, seed=8)
        asyncio.run(publish(bus_url, letters[:150]))
        post_json(f"{runtime['ebox_simulator_url']}/admin/faults", {"outage": True}, token)
        faults.append("eBox outage")
        booked = book(booking, 30)
        post_json(f"{runtime['sms_simulator_url']}/admin/faults", {"fail_next": 15}, token)
        faults.append("SMS provider: 15 × 503")
        for name in ("booking", "notify", "ebox_bridge", "reporting"):
            victim = service_process(proc.pid, name)
            victim.kill()
            faults.append(f"SIGKILL {name}")
            wait(lambda n=name: ready(ports[n]), 90, f"{name} to be restarted")
            if name == "notify":
                booked += book(booking, 0)
        post_json(f"{runtime['ebox_simulator_url']}/admin/faults", {"outage": False}, token)
        asyncio.run(publish(bus_url, letters[150:]))
        hostile = hostile_payloads(200)
        asyncio.run(publish_raw(bus_url, hostile))
        faults.append(f"{len(hostile)} hostile events (hypothesis)")
        results = asyncio.run(audit(database_url, bus_url, runtime, token, letters, booked, len(hostile), tmp_path))
    finally:
        stop_up(proc)
    width = max(len(k) for k in results)
    print("\nfaults injected: " + "; ".join(faults))
    for invariant, (held, detail) in results.items():
        print(f"  {'HELD  ' if held else 'BROKEN'} {invariant:<{width}}  {detail}")
    assert all(held for held, _ in results.values()), results


async def audit(database_url: str, bus_url: str, runtime: dict, token: str, letters: list, booked: int,  # type: ignore[type-arg]
                hostile: int, data_dir: Path) -> dict[str, tuple[bool, str]]:
    conn = await asyncpg.connect(database_url)
    try:
        ids = [e.payload.letter_id for e in letters]
        settled_states = list(states.EBOX_SETTLED)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            open_letters = await conn.fetchval(
                "SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) "
                "AND ebox_state IS NOT NULL AND NOT (ebox_state = ANY($2::text[]))", ids, settled_states)
            known = await conn.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[])", ids)
            if known == len(ids) and open_letters == 0:
                break
            await asyncio.sleep(1)
        results: dict[str, tuple[bool, str]] = {}
        results["every letter settled on each channel"] = (known == len(ids) and open_letters == 0,
                                                           f"{known}/{len(ids)} admitted, {open_letters} unsettled")
        accepted = get_json(f"{runtime['ebox_simulator_url']}/admin/received", token)["acceptedByIdempotencyKey"]
        twice = [k for k, n in accepted.items() if n > 1]
        results["no letter published to the eBox twice"] = (not twice, f"{len(accepted)} published, {len(twice)} twice")
        batches = await conn.fetchval("SELECT count(*) FROM (SELECT letter_id FROM ebox_bridge.letters "
                                      "WHERE batch_id IS NOT NULL GROUP BY letter_id HAVING count(DISTINCT batch_id) > 1) x")
        results["no letter in two print batches"] = (batches == 0, f"{batches} in two batches")
        overlaps = await conn.fetchval(
            "SELECT count(*) FROM booking.appointments a JOIN booking.appointments b ON a.helper_id = b.helper_id "
            "AND a.appointment_id < b.appointment_id AND a.blocked && b.blocked "
            "WHERE a.status IN ('booked', 'checked_in', 'held') AND b.status IN ('booked', 'checked_in', 'held')")
        live = await conn.fetchval("SELECT count(*) FROM booking.appointments WHERE status = 'booked'")
        results["no double booking"] = (overlaps == 0 and live == booked, f"{live} booked ({booked} answered 201), {overlaps} overlaps")
        await asyncio.sleep(5)  # the last confirmations, retried through the provider's 503s
        messages = get_json(f"{runtime['sms_simulator_url']}/admin/messages", token)["messages"]
        keys = [m["idempotency_key"] for m in messages]
        results["no SMS sent twice"] = (len(keys) == len(set(keys)) and len(keys) >= booked,
                                        f"{len(keys)} SMS for {booked} bookings, {len(keys) - len(set(keys))} repeats")
        counts = await dead_letters(bus_url)
        # Every consumer group of a topic dead-letters its own copy, with the reason in the headers.
        groups = {t: sum(s.topic == t for n in SERVICE_NAMES for s in service_module(n).service_spec().subscriptions)
                  for t in HOSTILE_TOPICS}
        expected = {t: groups[t] * hostile // len(HOSTILE_TOPICS) for t in HOSTILE_TOPICS}
        results["every hostile event in a DLQ"] = (counts == expected, f"{counts}, expected {expected}")
        logs = "".join(p.read_text(errors="replace") for p in (data_dir / "logs").glob("*.log"))
        leaked = {m for m in re.findall(r"(?<!\d)\d{11}(?!\d)", logs) if is_valid_national_number(m)}
        issued = {str(e.payload.recipient_national_number) for e in letters}
        results["no national number in any log"] = (not (leaked & issued), f"{len(logs):,} log characters scanned")
        healthy = all(ready(p) for p in runtime["ports"].values())
        results["every service healthy again"] = (healthy, ", ".join(runtime["ports"]))
        return results
    finally:
        await conn.close()
