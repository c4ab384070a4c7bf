"""Workstation and laptop seats: a point is never booked beyond its capacity, whatever the
concurrency (20 requests for the Digibank's 5 laptops), because the database refuses it (a
numbered seat per booking, an exclusion constraint per seat, a trigger on the capacity); a seat
is checked in, out or cancelled once; contact details are blanked after the retention period."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg
import pytest
from asyncpg import Range
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.retention.policy import RetentionDays
from services.booking.metrics import BookingMetrics
from services.booking.settings import BookingSettings
from services.booking.use_cases import build_booking
from tests.support.booking_harness import running_booking
from tests.support.seat_slots import open_hour

DIGIBANK = "mechelen-digibank-predikheren"  # seed: 10 workstations, 5 laptops


def seat(kind: str, slot: tuple[dt.datetime, dt.datetime], **extra: object) -> dict[str, object]:
    return {"kind": kind, "starts_at": slot[0].isoformat(), "ends_at": slot[1].isoformat(), "language": "nl", **extra}


async def test_twenty_requests_for_five_laptops_get_five_seats(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        results = await asyncio.gather(*(booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                                      json=seat("laptop", slot)) for _ in range(20)))
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] * 5 + [409] * 15, statuses
        assert sorted(body["seat_no"] for status, body in results if status == 201) == [1, 2, 3, 4, 5]
        refused = next(body for status, body in results if status == 409)
        assert refused["title"] == "Fully booked" and "choose another time" in refused["detail"]
        # The hour after is free again (a slot ends where the next begins), workstations are apart.
        assert open_hour(DIGIBANK, offset_hours=1)[0] == slot[1]
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                   json=seat("laptop", open_hour(DIGIBANK, offset_hours=1))))[0] == 201
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                   json=seat("workstation", slot)))[0] == 201
    overlapping = await pool.fetchval(
        "SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1 AND kind = 'laptop' AND cancelled_at IS NULL "
        "AND during && tstzrange($2, $3)", DIGIBANK, *slot)
    assert overlapping == 5


async def test_bookings_of_one_points_laptops_queue_instead_of_deadlocking(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    """Concurrent bookings wait for the first to commit (a lock per point and kind), so they never
    meet inside the exclusion constraint's check, where two of them could deadlock (a 503 after
    three in a row). Holding that lock here, a booking must wait on it, then get its seat."""
    slot = open_hour(DIGIBANK, offset_hours=3)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, pool.acquire() as holder:
        async with holder.transaction():
            await holder.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 23))", f"seats:{DIGIBANK}:laptop")
            pending = asyncio.ensure_future(booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                                         json=seat("laptop", slot)))
            waiting = 0
            for _ in range(200):  # up to 10 s for the request to reach the lock
                waiting = await pool.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                              "AND NOT granted AND pid <> $1", holder.get_server_pid())
                if waiting or pending.done():
                    break
                await asyncio.sleep(0.05)
            assert not pending.done(), f"the booking went ahead past the held lock: {pending.result()}"
            assert waiting == 1
        status, body = await asyncio.wait_for(pending, 10)
        assert status == 201 and body["seat_no"] == 1, body


async def test_the_database_itself_refuses_a_seat_beyond_capacity_or_booked_twice(pool) -> None:  # type: ignore[no-untyped-def]
    """Whatever a future code path does: the constraint and the trigger hold on their own."""
    start = dt.datetime(2030, 1, 8, 13, tzinfo=dt.UTC)
    during = Range(start, start + dt.timedelta(hours=1), upper_inc=False)

    async def insert(conn: asyncpg.Connection, seat_no: int) -> None:
        await conn.execute("""INSERT INTO booking.seat_bookings (booking_id, point_id, kind, seat_no, during, language,
                                  booked_at) VALUES ($1, $2, 'laptop', $3, $4, 'nl', now())""",
                           uuid.uuid4(), DIGIBANK, seat_no, during)

    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        tx = conn.transaction()
        await tx.start()
        try:
            await insert(conn, 5)
            with pytest.raises(asyncpg.CheckViolationError, match="beyond the capacity"):
                async with conn.transaction():
                    await insert(conn, 6)  # the Digibank has 5 laptops
            with pytest.raises(asyncpg.ExclusionViolationError):
                async with conn.transaction():
                    await insert(conn, 5)  # seat 5 is taken for that hour
        finally:
            await tx.rollback()


async def test_a_seat_is_checked_in_and_out_once_and_a_cancelled_one_frees_its_seat(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK, days_ahead=3)
    contact = {"phone": "0470 12 34 56", "language": "nl"}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        status, booked = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                            json=seat("workstation", slot, contact=contact))
        assert status == 201, booked
        steps = f"/staff/seat-bookings/{booked['booking_id']}"
        assert (await booking.call("POST", f"{steps}/check-out", "staff"))[0] == 409  # not in yet
        assert (await booking.call("POST", f"{steps}/check-in", "staff"))[0] == 200
        assert (await booking.call("POST", f"{steps}/check-in", "staff"))[0] == 409
        assert (await booking.call("POST", f"{steps}/cancel", "staff"))[0] == 409  # came: check out instead
        assert (await booking.call("POST", f"{steps}/check-out", "staff"))[0] == 200
        assert (await booking.call("POST", f"/staff/seat-bookings/{uuid.uuid4()}/check-in", "staff"))[0] == 404

        # A cancelled booking frees its seat for the same hour.
        status, second = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                            json=seat("laptop", slot))
        assert (await booking.call("POST", f"/staff/seat-bookings/{second['booking_id']}/cancel", "staff"))[0] == 200
        status, third = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat("laptop", slot))
        assert status == 201 and third["seat_no"] == second["seat_no"]

        # Refusals name the problem: a closed hour, a reversed slot, a point without laptops.
        night = (slot[0].replace(hour=2), slot[0].replace(hour=3))
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat("laptop", night))
        assert status == 422 and "not open" in body["detail"], body
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                          json=seat("laptop", (slot[1], slot[0])))
        assert status == 422 and "after starts_at" in body["detail"], body
        status, body = await booking.call("POST", "/staff/points/mechelen-stadhuis/seats", "staff",
                                          json=seat("laptop", slot))
        assert status == 422 and "no laptops" in body["detail"], body

    row = await pool.fetchrow("SELECT contact::text, checked_in_at, checked_out_at FROM booking.seat_bookings "
                              "WHERE booking_id = $1", uuid.UUID(booked["booking_id"]))
    assert json.loads(row["contact"])["phone"] == "+32470123456" and row["checked_out_at"] >= row["checked_in_at"]
    # Retention: the contact goes once the slot is over for longer than the municipality keeps it.
    seats = build_booking(BookingSettings(database_url=database_url), BookingMetrics(CollectorRegistry()), utc_now,
                          Outbox("booking"), lambda: pool).seats
    async with pool.acquire() as conn:
        assert await seats.erase_past_contacts(conn, slot[1] + dt.timedelta(days=29), RetentionDays(30)) == 0
        assert await seats.erase_past_contacts(conn, slot[1] + dt.timedelta(days=31), RetentionDays(30)) >= 1
    assert await pool.fetchval("SELECT contact FROM booking.seat_bookings WHERE booking_id = $1",
                               uuid.UUID(booked["booking_id"])) is None
