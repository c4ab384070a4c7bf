"""Workshops on real PostgreSQL: 20 concurrent registrations for 5 places give exactly 5 places
and 15 waiting in the order they came; a cancellation hands the freed place to the first waiting;
the database itself refuses a place beyond the capacity or held twice; the HTTP flow (plan,
list, register, cancel by link, attendance) with its events; contact details blanked after
contact_days once the workshop is over."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.values import ContactDetails, utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.retention.policy import RetentionDays
from services.booking.metrics import BookingMetrics
from services.booking.settings import BookingSettings
from services.booking.use_cases import build_booking
from services.booking.workshops.model import WorkshopDraft
from services.booking.workshops.service import Workshops
from tests.support.booking_harness import running_booking, seed_booking

DIGIBANK = "mechelen-digibank-predikheren"


def workshops_of(database_url: str, pool: asyncpg.Pool) -> Workshops:
    return build_booking(BookingSettings(database_url=database_url), BookingMetrics(CollectorRegistry()), utc_now,
                         Outbox("booking"), lambda: pool).workshops


def draft(capacity: int = 5, days_ahead: int = 3) -> WorkshopDraft:
    starts = (utc_now() + dt.timedelta(days=days_ahead)).replace(hour=13, minute=0, second=0, microsecond=0)
    return WorkshopDraft("Veilig internetbankieren", "nl", capacity, "An Peeters", "Atheneum Mechelen", starts,
                         starts + dt.timedelta(hours=2))


def contact(n: int) -> ContactDetails:
    return ContactDetails(phone=f"+3247012{n:04d}", language="nl", preferred_channels=("sms",))


async def fresh(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await seed_booking(conn)


async def test_twenty_concurrent_registrations_for_five_places_give_five_places_and_fifteen_waiting(
        database_url, pool) -> None:  # type: ignore[no-untyped-def]
    await fresh(pool)
    workshops = workshops_of(database_url, pool)
    async with pool.acquire() as conn, conn.transaction():
        workshop = await workshops.plan(conn, DIGIBANK, draft(), utc_now())

    async def register(n: int):  # type: ignore[no-untyped-def]
        async with pool.acquire() as conn, conn.transaction():
            return await workshops.register(conn, workshop.workshop_id, "nl", contact(n), utc_now())

    made = await asyncio.gather(*(register(n) for n in range(20)))
    placed = [m for m in made if m.place_no is not None]
    waiting = [m for m in made if m.place_no is None]
    assert sorted(m.place_no for m in placed) == [1, 2, 3, 4, 5]
    assert sorted(m.place_in_line for m in waiting) == list(range(1, 16))  # type: ignore[type-var]

    rows = await pool.fetch("SELECT registration_id, place_no FROM booking.workshop_registrations "
                            "WHERE workshop_id = $1 ORDER BY line", workshop.workshop_id)
    assert sum(r["place_no"] is not None for r in rows) == 5
    events = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = 'WorkshopRegistered'")
    flags = [json.loads(e["payload"])["payload"]["waiting"] for e in events]
    assert sorted(flags) == [False] * 5 + [True] * 15

    # A placed registration cancelled: its place goes to the first in line (the lowest `line`).
    first_waiting = next(r["registration_id"] for r in rows if r["place_no"] is None)
    freed = placed[2]
    async with pool.acquire() as conn, conn.transaction():
        await workshops.cancel(conn, freed.registration_id, "staff", utc_now())
    promoted = await pool.fetchrow("SELECT place_no, placed_from_line_at FROM booking.workshop_registrations "
                                   "WHERE registration_id = $1", first_waiting)
    assert promoted["place_no"] == freed.place_no and promoted["placed_from_line_at"] is not None
    offered = await pool.fetch("SELECT key FROM booking.outbox WHERE event_type = 'WorkshopPlaceOffered'")
    assert [r["key"] for r in offered] == [str(first_waiting)]
    # A waiting one cancelled frees nothing and promotes nobody. (The last in line: the order of
    # `waiting` is the order the calls were made, not their place in line, and the first in line
    # holds a place now.)
    last = max(waiting, key=lambda m: m.place_in_line)  # type: ignore[arg-type,return-value]
    async with pool.acquire() as conn, conn.transaction():
        await workshops.cancel(conn, last.registration_id, "citizen", utc_now(), token=last.cancel_token)
    assert await pool.fetchval("SELECT count(*) FROM booking.outbox WHERE event_type = 'WorkshopPlaceOffered'") == 1
    assert await pool.fetchval("SELECT count(*) FROM booking.workshop_registrations WHERE workshop_id = $1 "
                               "AND place_no IS NOT NULL", workshop.workshop_id) == 5


async def test_the_database_itself_refuses_a_place_beyond_capacity_or_held_twice(database_url, pool) -> None:  # type: ignore[no-untyped-def]
    await fresh(pool)
    workshops = workshops_of(database_url, pool)
    async with pool.acquire() as conn, conn.transaction():
        workshop = await workshops.plan(conn, DIGIBANK, draft(capacity=2), utc_now())

    async def insert(conn: asyncpg.Connection, place_no: int) -> None:
        await conn.execute("""INSERT INTO booking.workshop_registrations (registration_id, workshop_id, place_no,
                                  language, cancel_digest, registered_at) VALUES ($1, $2, $3, 'nl', 'x', now())""",
                           uuid.uuid4(), workshop.workshop_id, place_no)

    async with pool.acquire() as conn:
        await insert(conn, 2)
        with pytest.raises(asyncpg.CheckViolationError, match="beyond the capacity"):
            await insert(conn, 3)
        with pytest.raises(asyncpg.UniqueViolationError):
            await insert(conn, 2)


async def test_plan_list_register_cancel_by_link_and_attendance_over_http(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    starts = (utc_now() + dt.timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0)
    plan = {"title": "Je smartphone veilig", "language": "nl", "capacity": 1, "trainer": "An Peeters",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        # Counter staff do not plan workshops; the back-office does.
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "staff", json=plan))[0] == 403
        status, planned = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "backoffice", json=plan)
        assert status == 201 and planned["places_left"] == 1, planned
        # Bad input gets a precise refusal and plans nothing.
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "backoffice",
                                          json={**plan, "ends_at": plan["starts_at"]})
        assert status == 422 and "after starts_at" in body["detail"], body
        status, body = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "backoffice",
                                          json={**plan, "capacity": 0})
        assert status == 422 and "body.capacity" in body["detail"], body

        status, listed = await booking.call("GET", f"/public/points/{DIGIBANK}/workshops")
        assert status == 200 and [w["title"] for w in listed["workshops"]] == ["Je smartphone veilig"]
        assert listed["workshops"][0]["trainer"] is None  # not published

        url = f"/public/workshops/{planned['workshop_id']}/registrations"
        status, body = await booking.call("POST", url, json={"contact": {"language": "fr"}})
        assert status == 422 and "phone number or an e-mail" in body["detail"], body
        status, first = await booking.call("POST", url, json={"contact": {"phone": "0470 12 34 56", "language": "fr"}})
        assert status == 201 and first["status"] == "registered", first
        status, second = await booking.call("POST", url, json={"contact": {"email": "an@example.be", "language": "en"}})
        assert status == 201 and second["status"] == "waiting" and second["place_in_line"] == 1, second

        cancel = f"/public/workshop-registrations/{first['registration_id']}/cancel"
        status, body = await booking.call("POST", f"{cancel}?token={second['cancel_token']}")
        assert status == 403, body  # another registration's link
        assert (await booking.call("POST", f"{cancel}?token={first['cancel_token']}"))[0] == 200
        assert (await booking.call("POST", f"{cancel}?token={first['cancel_token']}"))[0] == 409

        status, listing = await booking.call("GET", f"/staff/workshops/{planned['workshop_id']}/registrations", "staff")
        assert status == 200, listing
        assert [(r["status"], r["email"]) for r in listing["registrations"]] == [
            ("registered", "an@example.be"), ("cancelled", None)]
        # Attendance is for the workshop's day, not before.
        status, body = await booking.call(
            "POST", f"/staff/workshop-registrations/{second['registration_id']}/attended", "staff")
        assert status == 409 and "day of the workshop" in body["detail"], body

    keyed = await pool.fetch("SELECT event_type FROM booking.outbox WHERE key = $1 ORDER BY id",
                             second["registration_id"])
    assert [r["event_type"] for r in keyed] == ["WorkshopRegistered", "WorkshopPlaceOffered"]
    offered = json.loads(await pool.fetchval("SELECT payload FROM booking.outbox WHERE event_type = "
                                             "'WorkshopPlaceOffered'"))["payload"]
    assert offered["contact"]["email"] == "an@example.be" and offered["language"] == "en"

    # On the day, attendance is recorded once; afterwards the contact goes after contact_days.
    workshops = workshops_of(database_url, pool)
    on_the_day = starts + dt.timedelta(minutes=10)
    async with pool.acquire() as conn, conn.transaction():
        await workshops.attended(conn, uuid.UUID(second["registration_id"]), on_the_day)
    assert await pool.fetchval("SELECT count(*) FROM booking.outbox WHERE event_type = 'WorkshopAttended'") == 1
    days = RetentionDays(default=30)
    async with pool.acquire() as conn:
        assert await workshops.erase_past_contacts(conn, starts + dt.timedelta(days=29), days) == 0
        assert await workshops.erase_past_contacts(conn, starts + dt.timedelta(days=31), days) == 2  # both, cancelled too
    assert await pool.fetchval("SELECT count(*) FROM booking.workshop_registrations WHERE contact IS NOT NULL "
                               "AND workshop_id = $1", uuid.UUID(planned["workshop_id"])) == 0


async def test_more_places_go_to_those_waiting_in_order_and_fewer_never_take_a_place_away(database_url, pool) -> None:  # type: ignore[no-untyped-def]
    await fresh(pool)
    workshops = workshops_of(database_url, pool)
    async with pool.acquire() as conn, conn.transaction():
        workshop = await workshops.plan(conn, DIGIBANK, draft(capacity=2), utc_now())
    made = []
    for n in range(5):  # one after the other: places 1 and 2, then three waiting in this order
        async with pool.acquire() as conn, conn.transaction():
            made.append(await workshops.register(conn, workshop.workshop_id, "nl", contact(n), utc_now()))
    assert [m.place_no for m in made] == [1, 2, None, None, None]

    async def change(capacity: int) -> int:
        async with pool.acquire() as conn, conn.transaction():
            return await workshops.change_capacity(conn, workshop.workshop_id, capacity, utc_now())

    async def places() -> dict[uuid.UUID, int | None]:
        rows = await pool.fetch("SELECT registration_id, place_no FROM booking.workshop_registrations "
                                "WHERE workshop_id = $1", workshop.workshop_id)
        return {r["registration_id"]: r["place_no"] for r in rows}

    assert await change(3) == 1
    assert (await places())[made[2].registration_id] == 3  # the first waiting, and only them
    assert (await places())[made[3].registration_id] is None
    assert await change(10) == 2  # both others; the rest of the places stay free
    assert sorted(p for p in (await places()).values() if p) == [1, 2, 3, 4, 5]
    offered = await pool.fetch("SELECT key FROM booking.outbox WHERE event_type = 'WorkshopPlaceOffered' ORDER BY id")
    assert [r["key"] for r in offered] == [str(m.registration_id) for m in made[2:]]

    from services.booking.errors import Conflict
    with pytest.raises(Conflict, match="place 5 is taken"):
        await change(4)
    assert await change(5) == 0  # down to the highest place taken is fine
    assert await pool.fetchval("SELECT capacity FROM booking.workshops WHERE workshop_id = $1",
                               workshop.workshop_id) == 5
