"""Loan rules, renewals, the inventory and the device waitlist on real PostgreSQL, over HTTP:

- a point's rules (loan period, renewals, most loans per borrower, hard due date) are read by
  staff and set by the back-office; a loan without a due date runs to the end of the period;
- a renewal moves the due date and publishes DeviceLoanRenewed, and is refused with the reason
  when renewals are used up, when the hard due date is in the way, or when someone waits;
- concurrent lends to one borrower never pass the maximum: the database's trigger holds it,
  whatever code path lends (its default is LoanRules' default);
- a device returned in good condition is offered to the first person waiting for its kind
  (DeviceAvailable); their entry closes when they borrow; contacts go after retention;
- a device's history lists registration, loans, renewals and returns with their condition."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Callable

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.retention.policy import RetentionDays
from services.booking.calendar.local_time import BRUSSELS, local_date
from services.booking.loans.rules import LoanRules
from services.booking.metrics import BookingMetrics
from services.booking.settings import BookingSettings
from services.booking.use_cases import build_booking
from tests.support.booking_harness import running_booking

DIGIBANK, EUPEN = "mechelen-digibank-predikheren", "eupen-digibank"


async def outbox(pool, event_type: str, key: str, value: str) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = $1 ORDER BY id", event_type)
    return [p for p in (json.loads(r["payload"])["payload"] for r in rows) if p[key] == value]


def contact(phone: str) -> dict[str, str]:
    return {"phone": phone, "language": "nl"}


async def join_waitlist(booking, kind: str, emails: list[str], before_each=lambda: None) -> list[str]:  # type: ignore[no-untyped-def]
    """Put these people on the point's waitlist for `kind`, in this order; their entry ids."""
    entries = []
    for who in emails:
        before_each()
        status, joined = await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist", "staff", json={
            "kind": kind, "contact": {"email": who, "language": "nl"}})
        assert status == 201, joined
        entries.append(joined["entry_id"])
    return entries


async def keep_offered_smartphones(booking, pool, days: int) -> None:  # type: ignore[no-untyped-def]
    """The point keeps an offered device `days` days, and nobody else waits for a smartphone there
    (another test's leftovers would be offered it first)."""
    await pool.execute("UPDATE booking.device_waitlist SET closed_at = now() WHERE point_id = $1 "
                       "AND kind = 'smartphone' AND closed_at IS NULL", DIGIBANK)
    assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                               json={"offer_hold_days": days}))[0] == 200


def a_minute_later(now: list[dt.datetime]) -> Callable[[], None]:
    """Moves the test's clock on a minute each call: first come, first served, one after the other."""
    def tick() -> None:
        now[0] += dt.timedelta(minutes=1)
    return tick


async def test_rules_renewals_history_and_the_waitlist(database_url, bus_url, tmp_path, monkeypatch,
                                                       pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    today = local_date(now[0])
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        status, rules = await booking.call("GET", f"/staff/points/{DIGIBANK}/loan-rules", "staff")
        assert status == 200 and set(rules) == set(LoanRules.model_fields)
        hard = (today + dt.timedelta(days=40)).isoformat()
        wanted = {"loan_period_days": 14, "max_renewals": 1, "max_active_loans": 1, "hard_due_date": hard}
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "staff", json=wanted))[0] == 403
        status, body = await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                          json={**wanted, "hard_due_date": (today - dt.timedelta(days=1)).isoformat()})
        assert status == 422 and body["title"] == "Hard due date in the past"
        status, body = await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                          json={**wanted, "max_renewals": -1})
        assert status == 422 and "max_renewals" in body["detail"]
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                   json=wanted))[0] == 200
        # offer_hold_days, not sent, takes its default.
        assert (await booking.call("GET", f"/staff/points/{DIGIBANK}/loan-rules", "staff"))[1] == {
            **wanted, "offer_hold_days": LoanRules().offer_hold_days}

        for device_id, kind in (("rules-lap-01", "laptop"), ("rules-lap-02", "laptop")):
            assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice",
                                       json={"device_id": device_id, "kind": kind, "label": device_id}))[0] == 201

        status, body = await booking.call("POST", "/staff/loans", "staff",
                                          json={"device_id": "rules-lap-01", "language": "nl"})
        assert status == 422 and "contact" in body["detail"]
        borrower = contact("0470 11 22 33")
        status, body = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "rules-lap-01", "language": "nl", "contact": borrower,
            "due_at": (now[0] + dt.timedelta(days=15)).isoformat()})
        assert status == 422 and body["title"] == "Due date beyond the loan rules"
        status, loan = await booking.call("POST", "/staff/loans", "staff",
                                          json={"device_id": "rules-lap-01", "language": "nl", "contact": borrower})
        assert status == 201, loan
        loan_id = loan["loan_id"]
        (lent,) = await outbox(pool, "DeviceLent", "loan_id", loan_id)
        first_due = dt.datetime.fromisoformat(lent["due_at"])
        assert first_due.astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime.combine(
            today + dt.timedelta(days=14), dt.time(23, 59))
        # One loan at a time at this point now: the same borrower is refused a second device.
        status, body = await booking.call("POST", "/staff/loans", "staff",
                                          json={"device_id": "rules-lap-02", "language": "nl", "contact": borrower})
        assert status == 409 and body["title"] == "Too many loans" and "1 devices on loan" in body["detail"]

        status, renewed = await booking.call("POST", f"/staff/loans/{loan_id}/renew", "staff")
        assert status == 200 and renewed["renewals"] == 1
        second_due = dt.datetime.fromisoformat(renewed["due_at"])
        assert local_date(second_due) == today + dt.timedelta(days=28)
        (event,) = await outbox(pool, "DeviceLoanRenewed", "loan_id", loan_id)
        assert dt.datetime.fromisoformat(event["due_at"]) == second_due
        assert dt.datetime.fromisoformat(event["previous_due_at"]) == first_due
        assert event["contact"]["phone"] == "+32470112233"
        status, body = await booking.call("POST", f"/staff/loans/{loan_id}/renew", "staff")
        assert status == 409 and body["title"] == "No renewals left"

        # More renewals allowed, but the next one would pass the hard due date (day 42 > day 40).
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                   json={**wanted, "max_renewals": 3}))[0] == 200
        status, body = await booking.call("POST", f"/staff/loans/{loan_id}/renew", "staff")
        assert status == 409 and body["title"] == "Past the hard due date" and hard in body["detail"]

        # Someone waits for a laptop: no renewal, even within the hard due date.
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                   json={**wanted, "max_renewals": 3, "hard_due_date": None}))[0] == 200
        waiting = {"kind": "laptop", "contact": {"email": "wacht@example.org", "language": "fr"}}
        status, joined = await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist", "staff", json=waiting)
        assert status == 201, joined
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist", "staff", json=waiting)
        assert status == 409 and body["title"] == "Already waiting"
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist", "staff",
                                          json={"kind": "laptop", "contact": {"phone": "12", "language": "nl"}})
        assert status == 422 and "phone" in body["detail"]
        status, body = await booking.call("POST", "/staff/points/mechelen-stadhuis/device-waitlist", "staff",
                                          json=waiting)
        assert status == 422 and body["title"] == "No lending here"
        status, body = await booking.call("POST", f"/staff/loans/{loan_id}/renew", "staff")
        assert status == 409 and body["title"] == "Others are waiting" and "1 person waits for a laptop" in body["detail"]

        # The laptop comes back: offered to the one waiting, who then borrows it.
        now[0] += dt.timedelta(days=3)
        assert (await booking.call("POST", f"/staff/loans/{loan_id}/return", "staff",
                                   json={"condition": "good", "notes": "charger missing"}))[0] == 200
        (offer,) = await outbox(pool, "DeviceAvailable", "entry_id", joined["entry_id"])
        assert (offer["device_id"], offer["device_kind"], offer["contact"]["email"]) == (
            "rules-lap-01", "laptop", "wacht@example.org")
        assert offer["point_name"]
        status, listed = await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff")
        (entry,) = [e for e in listed["entries"] if e["entry_id"] == joined["entry_id"]]
        assert entry["offered_device_id"] == "rules-lap-01" and entry["offered_at"] and "contact" not in entry
        status, again = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "rules-lap-01", "language": "fr", "contact": waiting["contact"], "reminders": False})
        assert status == 201, again
        (quiet,) = await outbox(pool, "DeviceLent", "loan_id", again["loan_id"])
        assert quiet["contact"] is None  # no reminders wanted: the contact only counted the loan
        listed = (await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff"))[1]
        assert joined["entry_id"] not in [e["entry_id"] for e in listed["entries"]]

        status, history = await booking.call("GET", "/staff/devices/rules-lap-01/history", "staff")
        assert status == 200
        assert [h["what"] for h in history["history"]] == ["registered", "lent", "renewed", "returned", "offered",
                                                           "lent"]
        returned = history["history"][3]
        assert (returned["condition"], returned["detail"], returned["loan_id"]) == ("good", "charger missing", loan_id)
        assert [h["by_whom"] for h in history["history"]] == ["test-backoffice", "test-staff", "test-staff",
                                                              "test-staff", None, "test-staff"]
        assert history["device"]["state"] == "on_loan" and history["device"]["loan_id"] == again["loan_id"]
        assert (await booking.call("GET", "/staff/devices/no-such-device/history", "staff"))[0] == 404

        status, devices = await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff")
        mine = {d["device_id"]: d for d in devices["devices"] if d["device_id"].startswith("rules-")}
        assert (mine["rules-lap-01"]["state"], mine["rules-lap-02"]["state"]) == ("on_loan", "available")
        assert mine["rules-lap-01"]["due_at"] and mine["rules-lap-02"]["loan_id"] is None
        now[0] += dt.timedelta(days=30)
        status, devices = await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff")
        assert [d["state"] for d in devices["devices"] if d["device_id"] == "rules-lap-01"] == ["overdue"]

    parts = build_booking(BookingSettings(database_url=database_url), BookingMetrics(CollectorRegistry()), utc_now,
                          Outbox("booking"), lambda: pool)
    offered_at = await pool.fetchval("SELECT offered_at FROM booking.device_waitlist WHERE entry_id = $1",
                                     uuid.UUID(joined["entry_id"]))
    async with pool.acquire() as conn:
        assert await parts.loans.waitlist.erase_past_contacts(conn, offered_at + dt.timedelta(days=29),
                                                              RetentionDays(30)) == 0
        assert await parts.loans.waitlist.erase_past_contacts(conn, offered_at + dt.timedelta(days=31),
                                                              RetentionDays(30)) >= 1
    assert await pool.fetchval("SELECT contact FROM booking.device_waitlist WHERE entry_id = $1",
                               uuid.UUID(joined["entry_id"])) is None


async def test_concurrent_lends_to_one_borrower_never_pass_the_maximum(database_url, bus_url, tmp_path, monkeypatch,
                                                                        pool) -> None:  # type: ignore[no-untyped-def]
    allowed = LoanRules().max_active_loans
    devices = [f"eupen-tab-{n:02}" for n in range(6)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        # Eupen's Digibank sets no rules: the database's default must be LoanRules' default.
        assert await pool.fetchval("SELECT count(*) FROM booking.loan_rules WHERE point_id = $1", EUPEN) == 0
        for device_id in devices:
            assert (await booking.call("POST", f"/backoffice/points/{EUPEN}/devices", "admin",
                                       json={"device_id": device_id, "kind": "tablet", "label": device_id}))[0] == 201
        borrower = {"phone": "+32 470 99 88 77", "language": "de"}
        results = await asyncio.gather(*(booking.call("POST", "/staff/loans", "admin", json={
            "device_id": device_id, "language": "de", "contact": borrower}) for device_id in devices))
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] * allowed + [409] * (len(devices) - allowed), results
        assert {body["title"] for status, body in results if status == 409} == {"Too many loans"}
        # Someone else may still borrow.
        lent = {body["loan_id"] for status, body in results if status == 201}
        free = await _a_free_one(pool, devices)
        assert (await booking.call("POST", "/staff/loans", "admin", json={
            "device_id": free, "language": "de", "contact": {"phone": "+32 470 99 88 66", "language": "de"}}))[0] == 201
        # A return makes room again.
        assert (await booking.call("POST", f"/staff/loans/{lent.pop()}/return", "admin",
                                   json={"condition": "good"}))[0] == 200
        free = await _a_free_one(pool, devices)
        assert (await booking.call("POST", "/staff/loans", "admin", json={
            "device_id": free, "language": "de", "contact": borrower}))[0] == 201

    key = await pool.fetchval("SELECT borrower_key FROM booking.loans WHERE loan_id = $1", uuid.UUID(lent.pop()))
    assert "470998877" not in key
    assert await pool.fetchval("SELECT count(*) FROM booking.loans WHERE borrower_key = $1 AND returned_at IS NULL",
                               key) == allowed
    # Whatever code path lends: the database refuses one more.
    spare = await _a_free_one(pool, devices)
    with pytest.raises(asyncpg.CheckViolationError, match="open loans at point"):
        await pool.execute("""INSERT INTO booking.loans (loan_id, device_id, point_id, language, lent_at, due_at,
                                                         borrower_key)
                              VALUES ($1, $2, $3, 'de', now(), now() + interval '1 day', $4)""",
                           uuid.uuid4(), spare, EUPEN, key)


async def test_the_waitlist_offers_in_order_and_an_offer_given_to_another_puts_them_back_first(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        # Offers that hold nothing (0 days): the offered tablet may go to anyone.
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                   json={"offer_hold_days": 0}))[0] == 200
        for n in (1, 2):
            assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
                "device_id": f"wait-tab-0{n}", "kind": "tablet", "label": f"Tablet {n}"}))[0] == 201
        loans = []
        for n in (1, 2):
            status, loan = await booking.call("POST", "/staff/loans", "staff", json={
                "device_id": f"wait-tab-0{n}", "language": "nl", "contact": contact(f"0470 00 00 0{n}")})
            assert status == 201, loan
            loans.append(loan["loan_id"])
        entries = await join_waitlist(booking, "tablet", ["eerste@example.org", "tweede@example.org"])
        # A tablet that comes back damaged is offered to nobody.
        assert (await booking.call("POST", f"/staff/loans/{loans[0]}/return", "staff",
                                   json={"condition": "damaged"}))[0] == 200
        assert await outbox(pool, "DeviceAvailable", "device_kind", "tablet") == []

        assert (await booking.call("POST", f"/staff/loans/{loans[1]}/return", "staff",
                                   json={"condition": "good"}))[0] == 200
        offers = await outbox(pool, "DeviceAvailable", "device_kind", "tablet")
        assert [(o["entry_id"], o["device_id"]) for o in offers] == [(entries[0], "wait-tab-02")]
        # The offered tablet goes to someone else: the first waits again, ahead of the second.
        assert (await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "wait-tab-02", "language": "nl", "contact": contact("0470 00 00 09")}))[0] == 201
        listed = (await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff"))[1]["entries"]
        assert [(e["entry_id"], e["offered_at"]) for e in listed] == [(entries[0], None), (entries[1], None)]
        again = (await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff"))[1]["devices"]
        loan_id = next(d["loan_id"] for d in again if d["device_id"] == "wait-tab-02")
        assert (await booking.call("POST", f"/staff/loans/{loan_id}/return", "staff",
                                   json={"condition": "good"}))[0] == 200
        offers = await outbox(pool, "DeviceAvailable", "device_kind", "tablet")
        assert [o["entry_id"] for o in offers] == [entries[0], entries[0]]

        # The second leaves; leaving twice, or another point's entry, is an unknown entry.
        leave = {"entry_id": entries[1]}
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist/leave", "staff",
                                   json=leave))[0] == 200
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist/leave", "staff",
                                          json=leave)
        assert status == 404 and body["title"] == "Unknown waitlist entry"
        assert (await booking.call("POST", f"/staff/points/{EUPEN}/device-waitlist/leave", "admin",
                                   json={"entry_id": entries[0]}))[0] == 404
        listed = (await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff"))[1]["entries"]
        assert [e["entry_id"] for e in listed] == [entries[0]]


async def test_a_device_offered_is_kept_for_the_person_waiting_until_the_hold_ends(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    """Kept for the first person waiting (DeviceAvailable says until when); lent to anyone else
    only after they take it, the counter releases it, they leave the list, or the hold lapses;
    each time the device goes on to the next person waiting."""
    now = [dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        await keep_offered_smartphones(booking, pool, 2)
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
            "device_id": "hold-phone-01", "kind": "smartphone", "label": "Hold phone"}))[0] == 201
        status, loan = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "hold-phone-01", "language": "nl", "contact": contact("0470 55 00 01")})
        assert status == 201, loan
        entries = await join_waitlist(booking, "smartphone", [f"hold-{n}@example.org" for n in range(3)],
                                      a_minute_later(now))

        assert (await booking.call("POST", f"/staff/loans/{loan['loan_id']}/return", "staff",
                                   json={"condition": "good"}))[0] == 200
        (offer,) = await outbox(pool, "DeviceAvailable", "entry_id", entries[0])
        # Kept two days: to the end of Sunday 6 December, Brussels.
        kept_until = dt.datetime.fromisoformat(offer["held_until"])
        assert kept_until.astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime(2026, 12, 6, 23, 59)
        devices = (await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff"))[1]["devices"]
        (phone,) = [d for d in devices if d["device_id"] == "hold-phone-01"]
        assert phone["state"] == "held" and dt.datetime.fromisoformat(phone["held_until"]) == kept_until

        # Anyone else is refused, with the reason; released at the counter, it goes to the second.
        status, body = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "hold-phone-01", "language": "nl", "contact": contact("0470 55 00 02")})
        assert status == 409 and body["title"] == "Device held" and "2026-12-06" in body["detail"]
        assert (await booking.call("POST", "/staff/devices/hold-phone-01/release-hold", "staff"))[0] == 200
        (second,) = await outbox(pool, "DeviceAvailable", "entry_id", entries[1])
        listed = (await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff"))[1]["entries"]
        assert [e["entry_id"] for e in listed if e["entry_id"] in entries] == entries[1:]

        # The second leaves the list: the third is offered it.
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist/leave", "staff",
                                   json={"entry_id": entries[1]}))[0] == 200
        (third,) = await outbox(pool, "DeviceAvailable", "entry_id", entries[2])

        # The third never comes: after the hold ends the sweeper lapses it, and nobody else waits.
        parts = build_booking(BookingSettings(database_url=database_url), BookingMetrics(CollectorRegistry()),
                              lambda: now[0], Outbox("booking"), lambda: pool)
        third_until = dt.datetime.fromisoformat(third["held_until"])
        async with pool.acquire() as conn, conn.transaction():
            await parts.loans.sweep_lapsed_holds(conn, third_until - dt.timedelta(minutes=1))
        assert [d["state"] for d in (await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff"))[1][
            "devices"] if d["device_id"] == "hold-phone-01"] == ["held"]
        now[0] = third_until + dt.timedelta(minutes=1)
        async with pool.acquire() as conn, conn.transaction():
            assert await parts.loans.sweep_lapsed_holds(conn, now[0]) >= 1
        listed = (await booking.call("GET", f"/staff/points/{DIGIBANK}/device-waitlist", "staff"))[1]["entries"]
        assert not [e for e in listed if e["entry_id"] in entries]
        assert await pool.fetchval("SELECT lapsed_at FROM booking.device_waitlist WHERE entry_id = $1",
                                   uuid.UUID(entries[2])) == now[0]
        status, history = await booking.call("GET", "/staff/devices/hold-phone-01/history", "staff")
        assert history["device"]["state"] == "available"
        assert [h["what"] for h in history["history"]] == [
            "registered", "lent", "returned", "offered", "hold_released", "offered", "offered", "hold_lapsed"]
        # Now anyone may borrow it.
        assert (await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "hold-phone-01", "language": "nl", "contact": contact("0470 55 00 02")}))[0] == 201


async def test_someone_who_takes_another_device_passes_the_one_kept_for_them_on(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        await keep_offered_smartphones(booking, pool, 3)
        for device_id in ("pass-phone-01", "pass-phone-02"):
            assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
                "device_id": device_id, "kind": "smartphone", "label": device_id}))[0] == 201
        status, loan = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "pass-phone-01", "language": "nl", "contact": contact("0470 66 00 01")})
        assert status == 201, loan

        first, second = await join_waitlist(booking, "smartphone", ["pass-1@example.org", "pass-2@example.org"],
                                            a_minute_later(now))
        assert (await booking.call("POST", f"/staff/loans/{loan['loan_id']}/return", "staff",
                                   json={"condition": "good"}))[0] == 200
        assert [o["device_id"] for o in await outbox(pool, "DeviceAvailable", "entry_id", first)] == ["pass-phone-01"]
        # The first comes in and takes the other phone: the one kept for them goes to the second.
        assert (await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "pass-phone-02", "language": "nl",
            "contact": {"email": "pass-1@example.org", "language": "nl"}}))[0] == 201
        assert [o["device_id"] for o in await outbox(pool, "DeviceAvailable", "entry_id", second)] == ["pass-phone-01"]
        devices = (await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff"))[1]["devices"]
        assert [d["state"] for d in devices if d["device_id"] == "pass-phone-01"] == ["held"]


async def _a_free_one(pool, devices: list[str]) -> str:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT device_id FROM booking.loans WHERE device_id = ANY($1::text[]) "
                            "AND returned_at IS NULL", devices)
    return next(d for d in devices if d not in {r["device_id"] for r in rows})
