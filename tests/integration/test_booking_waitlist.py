"""Waitlist: a cancelled slot is held for the longest-waiting person for a claim window, then
passes to the next one; the claim link works once and only for that slot."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from tests.integration.test_booking_appointments import POINT, free_slots, wish
from tests.support.booking_harness import running_booking


async def offers(pool) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = 'AppointmentSlotOffered' ORDER BY id")
    return [json.loads(r["payload"])["payload"] for r in rows]


async def test_a_freed_slot_goes_to_the_next_in_line_and_passes_on_when_unclaimed(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0],
                               booking_sweep_interval_s=0.1, booking_waitlist_claim_minutes=30) as booking:
        await pool.execute("DELETE FROM booking.outbox WHERE event_type = 'AppointmentSlotOffered'")
        slot = (await free_slots(booking))[-1]
        day = slot["local_time"][:10]
        mine = (await booking.call("POST", "/public/appointments", json=wish(slot)))[1]
        places = []
        for phone in ("+32470111111", "+32470222222"):
            status, body = await booking.call("POST", "/public/waitlist", json={
                "point_id": POINT, "service": "ebox_activation", "language": "nl", "earliest": day, "latest": day,
                "contact": {"phone": phone, "language": "nl"}})
            assert status == 201, body
            places.append(body["place"])
        assert places == [1, 2]
        status, body = await booking.call("POST", "/public/waitlist", json={
            "point_id": POINT, "service": "ebox_activation", "language": "de", "earliest": day, "latest": day,
            "contact": {"phone": "+32470333333", "language": "de"}})
        assert status == 422 and "offers" in body["detail"]
        status, body = await booking.call("POST", "/public/waitlist", json={
            "point_id": POINT, "service": "ebox_activation", "language": "nl", "earliest": day, "latest": day,
            "contact": {"phone": "+16502530000", "language": "nl"}})
        assert status == 422 and "only to mobile numbers from" in body["detail"], body

        status, _ = await booking.call("POST", f"/public/appointments/{mine['appointment_id']}/cancel",
                                       params={"token": mine["manage_token"]})
        assert status == 200
        [first] = await offers(pool)
        assert first["contact"]["phone"] == "+32470111111" and first["starts_at"].startswith(slot["starts_at"][:16])
        first_token = parse_qs(urlparse(first["claim_url"]).query)["token"][0]

        # Nobody claims within 30 minutes: the slot passes to the second person.
        now[0] += dt.timedelta(minutes=31)
        for _ in range(50):
            if len(await offers(pool)) == 2:
                break
            await asyncio.sleep(0.1)
        second = (await offers(pool))[1]
        assert second["contact"]["phone"] == "+32470222222"
        status, body = await booking.call("POST", f"/public/appointments/{first['appointment_id']}/claim",
                                          params={"token": first_token})
        assert status == 410
        token = parse_qs(urlparse(second["claim_url"]).query)["token"][0]
        status, body = await booking.call("POST", f"/public/appointments/{second['appointment_id']}/claim",
                                          params={"token": first_token})
        assert status in (403, 410)  # another person's link never claims this slot
        status, body = await booking.call("POST", f"/public/appointments/{second['appointment_id']}/claim",
                                          params={"token": token})
        assert status == 200 and body["status"] == "booked" and body["manage_token"] != token
        status, body = await booking.call("POST", f"/public/appointments/{second['appointment_id']}/claim",
                                          params={"token": token})
        assert status == 410 and "already used" in body["detail"]
    statuses = {r["waitlist_entry"]: r["status"] for r in await pool.fetch(
        "SELECT a.waitlist_entry, w.status FROM booking.appointments a JOIN booking.waitlist_entries w "
        "ON w.entry_id = a.waitlist_entry")}
    assert sorted(statuses.values()) == ["booked", "expired"]
    booked = await pool.fetchval("SELECT payload FROM booking.outbox WHERE key = $1 AND event_type = 'AppointmentBooked'",
                                 second["appointment_id"])
    assert b"+32470222222" in booked
