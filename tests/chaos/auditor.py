"""The auditor of the fault-injection suite: after the faults, it reads every schema, the
simulators, the SMTP sink, the dead-letter queues and the logs, and says for each invariant
whether it held and what it saw. It never trusts a service's own account of itself."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from loket.contracts import topics
from loket.contracts.letters import LetterIssued
from loket.contracts.national_number import national_numbers_in
from loket.devstack.catalog import SERVICE_NAMES, service_module
from loket.infra.bus.address import parse_bus_url
from services.ebox_bridge.domain import states
from tests.support.jetstream_reads import fetch_when_led

Results = dict[str, tuple[bool, str]]
EBOX_GAVE_WAY = {states.NOT_DIGITAL, states.UNAVAILABLE, states.FAILED}  # paper takes over (ebox_first)
EBOX_REACHED = {states.DELIVERED, states.READ, states.UNREAD_ESCALATED}
NOTIFY_OPEN = ("created",)  # 'sending' with a provider reference is handed over; without one it is in flight
# A message due within this long is a retry in its backoff (at most LOKET_NOTIFY_RETRY_MAX_S in
# the suite, 5 s), still to be waited for; one due later is a deferral (a limit, quiet hours) the
# audit must see as such rather than wait a day for.
RETRY_HORIZON = "15 seconds"


@dataclass
class Expectations:
    letters: list[LetterIssued]
    booked_phones: list[str]  # one per booking answered 201
    hostile: Counter[str]  # hostile events published per topic
    national_numbers: set[str]


def get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


async def wait_until_quiet(database_url: str, expect: Expectations, timeout_s: float = 180) -> None:
    """Until every letter is settled and every message planned is handed to a provider."""
    conn = await asyncpg.connect(database_url)
    try:
        await _wait_until_quiet(conn, expect, timeout_s)
    finally:
        await conn.close()


async def _wait_until_quiet(conn: asyncpg.Connection, expect: Expectations, timeout_s: float) -> None:
    ids = [e.payload.letter_id for e in expect.letters]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        letters_open = await conn.fetchval(
            "SELECT $2::int - count(*) FILTER (WHERE ebox_state IS NULL OR ebox_state = ANY($3::text[])) "
            "FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[])", ids, len(ids), list(states.EBOX_SETTLED))
        messages_open = await conn.fetchval(
            "SELECT count(*) FROM notify.notifications WHERE status = ANY($1::text[]) "
            f"AND due_at <= now() + interval '{RETRY_HORIZON}' "
            "OR (status = 'sending' AND provider_ref IS NULL)", list(NOTIFY_OPEN))
        outboxes_open = sum([await conn.fetchval(f"SELECT count(*) FROM {s}.outbox WHERE sent_at IS NULL")
                             for s in SERVICE_NAMES])
        if letters_open == 0 and messages_open == 0 and outboxes_open == 0:
            await asyncio.sleep(3)  # the consumers of the last events published
            return
        await asyncio.sleep(1)


async def audit(database_url: str, bus_url: str, runtime: dict[str, Any], token: str, expect: Expectations,
                logs_dir: Path, ready) -> Results:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(database_url)
    try:
        await _wait_until_quiet(conn, expect, 180)
        results: Results = {}
        results |= await letters_settled_once_per_channel(conn, expect)
        results |= ebox_published_once(runtime, token)
        results |= await printed_once(conn)
        results |= await no_double_booking(conn, len(expect.booked_phones))
        results |= await nothing_left_in_an_outbox(conn)
        results |= await notifications_sent_once(conn, runtime, token, expect)
        dead = await read_dead_letters(bus_url, set(expect.hostile))
        results |= hostile_events_dead_lettered(dead, expect)
        results |= no_national_number_in_logs(logs_dir, dead, expect, scrape_metrics(runtime))
        healthy = {name: ready(port) for name, port in runtime["ports"].items()}
        results["every service healthy again"] = (all(healthy.values()),
                                                  ", ".join(f"{n} {'ready' if ok else 'NOT READY'}" for n, ok in healthy.items()))
        return results
    finally:
        await conn.close()


async def letters_settled_once_per_channel(conn: asyncpg.Connection, expect: Expectations) -> Results:
    ids = [e.payload.letter_id for e in expect.letters]
    rows = await conn.fetch("SELECT letter_id, routing, ebox_state, paper_state FROM ebox_bridge.letters "
                            "WHERE letter_id = ANY($1::uuid[])", ids)
    wrong = []
    for r in rows:
        ebox_expected = r["routing"] != "paper_only"
        paper_expected = r["routing"] in ("paper_only", "both") or (
            r["routing"] == "ebox_first" and r["ebox_state"] in EBOX_GAVE_WAY)
        settled = r["ebox_state"] in states.EBOX_SETTLED if ebox_expected else r["ebox_state"] is None
        paper_done = r["paper_state"] in states.PAPER_TERMINAL if paper_expected else r["paper_state"] is None
        if not settled or not paper_done:
            wrong.append(f"{r['routing']}: eBox {r['ebox_state']}, paper {r['paper_state']}")
    # History: no channel entered the same milestone twice, and no eBox channel both reached
    # the citizen and gave way to paper.
    twice = await conn.fetchval(
        "SELECT count(DISTINCT letter_id) FROM (SELECT letter_id FROM ebox_bridge.letter_history "
        "WHERE letter_id = ANY($1::uuid[]) AND to_state = ANY($2::text[]) GROUP BY letter_id, channel, to_state "
        "HAVING count(*) > 1 UNION ALL SELECT letter_id FROM ebox_bridge.letter_history "
        "WHERE letter_id = ANY($1::uuid[]) AND channel = 'ebox' GROUP BY letter_id "
        "HAVING count(*) FILTER (WHERE to_state = ANY($3::text[])) > 0 "
        "AND count(*) FILTER (WHERE to_state = ANY($4::text[])) > 0) x",
        ids, [states.DELIVERED, states.QUEUED_FOR_PRINT, states.IN_BATCH, *sorted(states.PAPER_TERMINAL - {states.FAILED})],
        sorted(EBOX_REACHED), sorted(EBOX_GAVE_WAY))
    by_outcome = Counter(f"{r['routing']}→{r['ebox_state'] or '-'}/{r['paper_state'] or '-'}" for r in rows)
    detail = (f"{len(rows)}/{len(ids)} admitted, {len(wrong)} not final or not as routed, {twice} with a step twice; "
              + ", ".join(f"{k} {n}" for k, n in by_outcome.most_common(4)))
    return {"every letter in exactly one final state per channel": (len(rows) == len(ids) and not wrong and twice == 0,
                                                                detail + (f"; e.g. {wrong[:3]}" if wrong else ""))}


def ebox_published_once(runtime: dict[str, Any], token: str) -> Results:
    accepted = get_json(f"{runtime['ebox_simulator_url']}/admin/received", token)["acceptedByIdempotencyKey"]
    twice = [k for k, n in accepted.items() if n > 1]
    return {"no letter published to the eBox twice": (not twice, f"{len(accepted)} published, {len(twice)} twice")}


async def printed_once(conn: asyncpg.Connection) -> Results:
    batches = await conn.fetchval("SELECT count(*) FROM (SELECT letter_id FROM ebox_bridge.letters "
                                  "WHERE batch_id IS NOT NULL GROUP BY letter_id HAVING count(DISTINCT batch_id) > 1) x")
    queued = await conn.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE paper_state IS NOT NULL")
    return {"no letter printed twice": (batches == 0, f"{queued} on paper, {batches} in two batches")}


async def no_double_booking(conn: asyncpg.Connection, booked: int) -> Results:
    overlaps = await conn.fetchval(
        "SELECT count(*) FROM booking.appointments a JOIN booking.appointments b ON a.helper_id = b.helper_id "
        "AND a.appointment_id < b.appointment_id AND a.blocked && b.blocked "
        "WHERE a.status IN ('booked', 'checked_in', 'held') AND b.status IN ('booked', 'checked_in', 'held')")
    live = await conn.fetchval("SELECT count(*) FROM booking.appointments WHERE status = 'booked'")
    return {"no double booking": (overlaps == 0 and live == booked,
                                  f"{live} booked ({booked} answered 201), {overlaps} overlaps")}


async def nothing_left_in_an_outbox(conn: asyncpg.Connection) -> Results:
    unsent = {s: await conn.fetchval(f"SELECT count(*) FROM {s}.outbox WHERE sent_at IS NULL") for s in SERVICE_NAMES}
    total = {s: await conn.fetchval(f"SELECT count(*) FROM {s}.outbox") for s in SERVICE_NAMES}
    return {"every outbox event published": (not any(unsent.values()),
                                             ", ".join(f"{s} {total[s] - unsent[s]}/{total[s]}" for s in SERVICE_NAMES))}


async def notifications_sent_once(conn: asyncpg.Connection, runtime: dict[str, Any], token: str,
                                  expect: Expectations) -> Results:
    sim = get_json(f"{runtime['sms_simulator_url']}/admin/messages", token)
    # (address, kind) → messages accepted by the SMS provider or the SMTP sink. A second
    # message for the same thing would come with a new idempotency key: counted here.
    sent = Counter((m["to"], m["idempotency_key"].split(":")[1]) for m in sim["messages"])
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in Path(runtime["mail_dir"]).glob("*.eml")]
    sent.update((str(m["To"]), str(m["Message-ID"]).strip("<>").split(".")[1]) for m in mails)
    repeated_mail = sum(n > 1 for n in Counter(str(m["Message-ID"]) for m in mails).values())
    confirmations = Counter(sent[(phone, "appointment_confirmation")] for phone in expect.booked_phones)
    eligible = await conn.fetch(
        "SELECT letter_id FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) AND ebox_state = ANY($2::text[])",
        [e.payload.letter_id for e in expect.letters], sorted(EBOX_REACHED))
    reached = {r["letter_id"] for r in eligible}
    contacts = [e.payload.contact for e in expect.letters
                if e.payload.letter_id in reached and e.payload.important and e.payload.contact]
    per_letter = Counter(sent[(str(c.phone), "letter_in_ebox")] + sent[(str(c.email), "letter_in_ebox")] for c in contacts)
    # The late answers must have made notify send again (same key), or this proves nothing.
    held = set(confirmations) == {1} and set(per_letter) == {1} and repeated_mail == 0 and sim.get("replays", 0) > 0
    # A booking without its confirmation: what notify holds of it says where it was lost.
    unconfirmed = [phone for phone in expect.booked_phones if sent[(phone, "appointment_confirmation")] == 0]
    rows = await conn.fetch(
        "SELECT status, attempts, due_at - now() AS due_in, failure_reason FROM notify.notifications "
        "WHERE kind = 'appointment_confirmation' AND contact->>'phone' = ANY($1::text[])", unconfirmed)
    missing = f"; unconfirmed bookings in notify: {[dict(r) for r in rows]}" if unconfirmed else ""
    return {"no notification sent twice, none lost": (held, (
        f"confirmations per booking {dict(confirmations)}; 'letter in eBox' messages per important letter "
        f"{dict(per_letter)} ({len(contacts)} letters); {len(mails)} e-mails, {repeated_mail} repeated; "
        f"{sim.get('replays', 0)} resends absorbed by idempotency keys{missing}"))}


async def read_dead_letters(bus_url: str, hostile_topics: set[str]) -> list[tuple[str, dict[str, str]]]:
    """Every dead letter of the hostile topics as (topic, headers)."""
    if parse_bus_url(bus_url).kind == "kafka":
        from tests.chaos.kafka_faults import read_dead_letters_kafka

        return await read_dead_letters_kafka(bus_url, hostile_topics)
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    found = []
    try:
        js = nc.jetstream()
        for topic in sorted(hostile_topics):
            subject = topics.dlq_topic(topic)
            info = await js.stream_info(topics.stream_for(topic), subjects_filter=subject)
            expected = sum((info.state.subjects or {}).values())
            sub = await js.pull_subscribe(subject, stream=topics.stream_for(topic), config=ConsumerConfig(
                ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=60))
            got = 0
            while got < expected:
                for msg in await fetch_when_led(sub, 1000, timeout=10):
                    found.append((topic, {k: str(v) for k, v in (msg.headers or {}).items()}))
                    got += 1
            await sub.unsubscribe()
    finally:
        await nc.close()
    return found


def hostile_events_dead_lettered(dead: list[tuple[str, dict[str, str]]], expect: Expectations) -> Results:
    groups = {t: [s for n in SERVICE_NAMES for s in service_module(n).service_spec().subscriptions if s.topic == t]
              for t in expect.hostile}
    per_copy: Counter[tuple[str, str, str]] = Counter()
    without_reason = 0
    for topic, headers in dead:
        original = json.loads(headers.get("x-loket-original-headers", "{}"))
        if "x-chaos-n" not in original:
            continue  # the demo letters' own broken ones, or other tests' dead letters
        per_copy[(topic, headers.get("x-loket-dlq-consumer", "?"), original["x-chaos-n"])] += 1
        without_reason += not headers.get("x-loket-dlq-reason") or headers.get("x-loket-dlq-kind") != "contract"
    expected = sum(len(groups[t]) * n for t, n in expect.hostile.items())
    repeats = sum(n > 1 for n in per_copy.values())
    by_consumer = Counter(f"{t.split('.')[0]}/{c}" for t, c, _ in per_copy)
    return {"every hostile event in each group's DLQ, with a reason": (
        len(per_copy) == expected and repeats == 0 and without_reason == 0,
        f"{len(per_copy):,} of {expected:,} dead letters, {repeats} twice, {without_reason} without a reason; "
        + ", ".join(f"{k} {n:,}" for k, n in sorted(by_consumer.items())))}


def scrape_metrics(runtime: dict[str, Any]) -> str:
    """Every service's /metrics page as Prometheus would read it."""
    pages = []
    for port in runtime["ports"].values():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:  # noqa: S310 - loopback
            pages.append(r.read().decode())
    return "\n".join(pages)


def no_national_number_in_logs(logs_dir: Path, dead: list[tuple[str, dict[str, str]]], expect: Expectations,
                               metrics: str) -> Results:
    text = "".join(p.read_text(errors="replace") for p in logs_dir.glob("*.log"))
    # Every header of every dead letter (its reason, the original headers it keeps), not its body:
    # the body is the refused event itself, kept so it can be replayed.
    headers = " ".join(json.dumps(h) for _, h in dead)
    leaked = national_numbers_in(" ".join((text, headers, metrics)))  # grouped forms too (85.07.30-033.28)
    # Only the citizens' real numbers count: an 11-digit phone number or a hostile event's
    # random digits can pass the checksum by chance (1 in 97).
    found = leaked & expect.national_numbers
    return {"no national number in any log, DLQ header or metric": (not found, (
        f"{len(text):,} log characters, {len(dead):,} DLQ headers and {len(metrics):,} characters of metrics "
        f"scanned, {len(found)} citizens' numbers found"))}
