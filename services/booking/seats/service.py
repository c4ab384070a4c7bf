"""Seat booking use cases; each writes in the caller's transaction. The database keeps a point
within its capacity (migration 0010): a booking takes the lowest seat number free for its slot,
and when another transaction took that seat first the exclusion constraint refuses it and the
next free seat is tried, so concurrent requests never overfill a point."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import uuid
from dataclasses import dataclass

import asyncpg
from asyncpg import Range

from loket.contracts.values import ContactDetails
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.appointments.links import new_token, token_digest
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import local_instant
from services.booking.errors import Conflict, Invalid, NotFound, NotOffered
from services.booking.points.model import AssistancePoint
from services.booking.seats.rules import (
    SeatSlot,
    TakenSeat,
    capacity,
    day_slots,
    free_seats,
    slot_problem,
)


@dataclass(frozen=True)
class SeatBooked:
    booking_id: uuid.UUID
    seat_no: int
    cancel_token: str | None = None  # the citizen's link (public page only); only its digest is kept


@dataclass(frozen=True)
class SeatView:
    """A seat booking as its citizen's link shows it."""

    booking_id: uuid.UUID
    point_id: str
    kind: str
    seat_no: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool
    checked_in: bool


@dataclass(frozen=True)
class SeatBooking:
    """A booking as the staff page lists it (no contact details: the page does not need them)."""

    booking_id: uuid.UUID
    kind: str
    seat_no: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    cancelled_at: dt.datetime | None


async def _queue_for_seats(conn: asyncpg.Connection, point_id: str, kind: str) -> None:
    """Makes bookings of one point's laptops (or workstations) wait for each other until the
    first commits, as appointments queue per helper (appointments/repository.py).

    Without it, concurrent bookings pick the same lowest free seat, each adds its index entry and
    then waits for the other's uncommitted row while checking the exclusion constraint: a
    deadlock that PostgreSQL breaks only after `deadlock_timeout` (1 s), and after three in a row
    the request got a 503. A burst of 20 requests for 5 laptops did that on a loaded machine.
    The lock is the transaction's, and a booking takes only this one, so no two bookings can
    take such locks in opposite orders."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 23))", f"seats:{point_id}:{kind}")


class Seats:
    def __init__(self, appointments: Appointments) -> None:
        self.appointments, self.schema = appointments, appointments.schema

    async def book(self, conn: asyncpg.Connection, point_id: str, kind: str, starts_at: dt.datetime,
                   ends_at: dt.datetime, language: str, contact: ContactDetails | None,
                   now: dt.datetime, form_key: str | None = None) -> SeatBooked:
        """`form_key`: the public page's form (page/submission.py); the same form sent again gets
        the seat it booked the first time."""
        if form_key is not None and (earlier := await self._booked_by_form(conn, form_key, point_id, kind,
                                                                          starts_at)) is not None:
            return await self._with_link(conn, earlier)
        point = await self.appointments.point(conn, point_id)
        seats = capacity(point, kind)
        if seats == 0:
            raise NotOffered("No such seats here", f"{point_id} has no {kind}s to book")
        if (problem := slot_problem(point, starts_at, ends_at, now)) is not None:
            raise Invalid("Slot not bookable", problem)
        during = Range(starts_at, ends_at, upper_inc=False)
        booking_id = uuid.uuid4()
        await _queue_for_seats(conn, point_id, kind)
        # Each try takes the lowest seat free in this transaction's view. Queued behind the lock,
        # that view already holds every earlier booking; the constraint stays the last word
        # (a code path that books without the lock is refused, and the next try sees the seat taken).
        for _ in range(seats):
            seat_no = await conn.fetchval(
                f"""SELECT s FROM generate_series(1, $3::int) AS s
                    WHERE NOT EXISTS (SELECT 1 FROM {self.schema}.seat_bookings b
                                      WHERE b.point_id = $1 AND b.kind = $2 AND b.seat_no = s
                                        AND b.cancelled_at IS NULL AND b.during && $4)
                    ORDER BY s LIMIT 1""", point_id, kind, seats, during)
            if seat_no is None:
                break
            try:
                async with conn.transaction():  # a savepoint: a refused seat leaves the caller's work intact
                    await conn.execute(
                        f"""INSERT INTO {self.schema}.seat_bookings
                                (booking_id, point_id, kind, seat_no, during, language, contact, booked_at, form_key)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
                        booking_id, point_id, kind, seat_no, during, language,
                        contact.model_dump(mode="json") if contact else None, now, form_key)
            except asyncpg.ExclusionViolationError:
                continue
            except asyncpg.UniqueViolationError:  # the same form, sent again at the same moment, came first
                earlier = await self._booked_by_form(conn, form_key or "", point_id, kind, starts_at)
                if earlier is None:
                    raise
                return await self._with_link(conn, earlier)
            booked = SeatBooked(booking_id, seat_no)
            return await self._with_link(conn, booked) if form_key is not None else booked
        raise Conflict("Fully booked", f"every {kind} at {point_id} is taken for part of that slot; "
                                       "choose another time")

    async def free_slots(self, conn: asyncpg.Connection, point: AssistancePoint, kind: str, day: dt.date,
                         now: dt.datetime) -> list[SeatSlot]:
        """The point's hour slots on a local day that have not ended, with the seats of the kind
        free for each (0 when full, so a page can say so)."""
        slots = [s for s in day_slots(point, day) if s[1] > now]
        if not slots or capacity(point, kind) == 0:
            return []
        rows = await conn.fetch(
            f"""SELECT seat_no, lower(during) AS starts_at, upper(during) AS ends_at
                FROM {self.schema}.seat_bookings
                WHERE point_id = $1 AND kind = $2 AND cancelled_at IS NULL AND during && tstzrange($3, $4)""",
            point.point_id, kind, slots[0][0], slots[-1][1])
        return free_seats(slots, [TakenSeat(r["seat_no"], r["starts_at"], r["ends_at"]) for r in rows],
                          capacity(point, kind))

    async def on_day(self, conn: asyncpg.Connection, point_id: str, day: dt.date) -> list[SeatBooking]:
        """A point's seat bookings that start on a local day, cancelled ones included, by time."""
        rows = await conn.fetch(
            f"""SELECT booking_id, kind, seat_no, lower(during) AS starts_at, upper(during) AS ends_at, language,
                       checked_in_at, checked_out_at, cancelled_at
                FROM {self.schema}.seat_bookings
                WHERE point_id = $1 AND lower(during) >= $2 AND lower(during) < $3
                ORDER BY lower(during), kind, seat_no""",
            point_id, local_instant(day, dt.time(0)), local_instant(day + dt.timedelta(days=1), dt.time(0)))
        return [SeatBooking(**dict(r)) for r in rows]

    async def _with_link(self, conn: asyncpg.Connection, booked: SeatBooked) -> SeatBooked:
        """A fresh cancel link for the citizen (a form sent again gets a new one: the first answer
        may never have reached them)."""
        token = new_token()
        await conn.execute(f"UPDATE {self.schema}.seat_bookings SET cancel_digest = $2 WHERE booking_id = $1",
                           booked.booking_id, token_digest(token))
        return SeatBooked(booked.booking_id, booked.seat_no, token)

    async def by_link(self, conn: asyncpg.Connection, booking_id: uuid.UUID, token: str) -> SeatView:
        """The booking a citizen's link names (only the link's digest is kept)."""
        row = await conn.fetchrow(
            f"""SELECT booking_id, point_id, kind, seat_no, lower(during) AS starts_at, upper(during) AS ends_at,
                       cancelled_at IS NOT NULL AS cancelled, checked_in_at IS NOT NULL AS checked_in, cancel_digest
                FROM {self.schema}.seat_bookings WHERE booking_id = $1""", booking_id)
        if row is None or row["cancel_digest"] is None or not hmac.compare_digest(token_digest(token),
                                                                                 row["cancel_digest"]):
            raise NotFound("Unknown link", "this link names no seat booking")
        return SeatView(*(row[k] for k in ("booking_id", "point_id", "kind", "seat_no", "starts_at", "ends_at",
                                            "cancelled", "checked_in")))

    async def cancel_by_link(self, conn: asyncpg.Connection, booking_id: uuid.UUID, token: str,
                             now: dt.datetime) -> SeatView:
        """The citizen cancels with their link, until the hour begins: the seat is free for others."""
        seat = await self.by_link(conn, booking_id, token)
        if seat.starts_at <= now:
            raise Conflict("Too late to cancel", "the hour has begun; call the point")
        await self.cancel(conn, booking_id, now)
        return dataclasses.replace(seat, cancelled=True)

    async def _booked_by_form(self, conn: asyncpg.Connection, form_key: str, point_id: str, kind: str,
                              starts_at: dt.datetime) -> SeatBooked | None:
        row = await conn.fetchrow(
            f"""SELECT booking_id, seat_no, point_id, kind, lower(during) AS starts_at
                FROM {self.schema}.seat_bookings WHERE form_key = $1""", form_key)
        if row is None:
            return None
        if (row["point_id"], row["kind"], row["starts_at"]) != (point_id, kind, starts_at):
            raise Conflict("Form used already", "this form booked another seat already; open the page again")
        return SeatBooked(row["booking_id"], row["seat_no"])

    async def check_in(self, conn: asyncpg.Connection, booking_id: uuid.UUID, now: dt.datetime) -> None:
        await self._step(conn, booking_id, "checked_in_at = $2", "checked_in_at IS NULL", now, "checked in already")

    async def check_out(self, conn: asyncpg.Connection, booking_id: uuid.UUID, now: dt.datetime) -> None:
        await self._step(conn, booking_id, "checked_out_at = $2",
                         "checked_in_at IS NOT NULL AND checked_out_at IS NULL", now,
                         "not checked in, or checked out already")

    async def cancel(self, conn: asyncpg.Connection, booking_id: uuid.UUID, now: dt.datetime) -> None:
        await self._step(conn, booking_id, "cancelled_at = $2", "checked_in_at IS NULL", now,
                         "the citizen came already: check them out instead")

    async def _step(self, conn: asyncpg.Connection, booking_id: uuid.UUID, change: str, allowed_when: str,
                    now: dt.datetime, refused: str) -> None:
        status = await conn.execute(
            f"""UPDATE {self.schema}.seat_bookings SET {change}
                WHERE booking_id = $1 AND cancelled_at IS NULL AND {allowed_when}""", booking_id, now)
        if status.endswith(" 1"):
            return
        if await conn.fetchval(f"SELECT true FROM {self.schema}.seat_bookings WHERE booking_id = $1", booking_id):
            raise Conflict("Not possible now", f"seat booking {booking_id} is cancelled, or {refused}")
        raise NotFound("Unknown seat booking", f"there is no seat booking {booking_id}")

    async def erase_past_contacts(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank the citizen's contact details once the slot has been over for the
        municipality's `contact_days` (the booking itself, its seat and times, stay)."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.seat_bookings b SET contact = NULL
                FROM {self.schema}.assistance_points p
                WHERE p.point_id = b.point_id AND b.contact IS NOT NULL
                  AND {past_retention("upper(b.during)", "p.municipality")}""",
            now, days)
