"""Join the waitlist, offer a freed slot to the next person, claim it, let unclaimed offers
pass on. Runs inside the caller's transaction; every change writes its event to the outbox."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from loket.contracts.appointments import AppointmentSlotOffered, AppointmentSlotOfferedPayload
from loket.contracts.values import ContactDetails
from services.booking.appointments import events
from services.booking.appointments import repository as repo
from services.booking.appointments.links import new_token, token_digest
from services.booking.appointments.repository import Appointment, NewAppointment
from services.booking.appointments.service import Appointments, Booked, bookable_service
from services.booking.availability.slots import blocked_range
from services.booking.calendar.local_time import local_date
from services.booking.errors import Conflict, Invalid, NotOffered
from services.booking.waitlist import repository as waiting


class Waitlist:
    def __init__(self, appointments: Appointments, claim_window: dt.timedelta, public_url: str) -> None:
        self.appointments, self.claim_window = appointments, claim_window
        self.public_url = public_url.rstrip("/")
        self.schema = appointments.schema

    async def join(self, conn: asyncpg.Connection, point_id: str, service: str, language: str, earliest: dt.date,
                   latest: dt.date, contact: ContactDetails) -> tuple[uuid.UUID, int]:
        point = await self.appointments.point(conn, point_id)
        bookable_service(service)
        if service not in point.services or language not in point.languages:
            raise NotOffered("Not offered here",
                             f"{point_id} offers {', '.join(point.services)} in {', '.join(point.languages)}")
        if latest < earliest:
            raise Invalid("Dates reversed", "latest must be on or after earliest")
        await self.appointments.sms_reach.check(conn, point.municipality, contact)
        entry_id = uuid.uuid4()
        return entry_id, await waiting.add(conn, self.schema, entry_id, point_id, service, language, earliest, latest,
                                           contact)

    async def offer(self, conn: asyncpg.Connection, freed: Appointment, now: dt.datetime) -> bool:
        """Hold the freed slot for the longest-waiting person who wants that day."""
        if freed.starts_at - now < self.appointments.rules.min_notice:
            return False  # too soon for anyone to come
        entry = await waiting.next_waiting(conn, self.schema, freed.point_id, freed.service, freed.language,
                                           local_date(freed.starts_at))
        if entry is None:
            return False
        service = bookable_service(freed.service)
        hold_until = min(now + self.claim_window, freed.starts_at)
        held = NewAppointment(uuid.uuid4(), freed.point_id, freed.helper_id, freed.service, freed.language,
                              freed.starts_at, freed.ends_at, blocked_range(service, freed.starts_at), entry.contact,
                              "citizen", None, None, status="held", hold_until=hold_until,
                              waitlist_entry=entry.entry_id)
        try:
            async with conn.transaction():
                appointment = await repo.insert(conn, self.schema, held)
        except asyncpg.ExclusionViolationError:
            return False  # someone booked the time already
        token = new_token()
        await repo.add_link(conn, self.schema, token_digest(token), appointment.appointment_id, hold_until)
        await waiting.set_status(conn, self.schema, entry.entry_id, "offered")
        point = await self.appointments.point(conn, freed.point_id)
        claim_url = f"{self.public_url}/public/book/claim/{appointment.appointment_id}?token={token}"
        await self.appointments.outbox.append(conn, AppointmentSlotOffered(
            producer=events.PRODUCER, payload=AppointmentSlotOfferedPayload(
                **events.ref(appointment, point),
                starts_at=appointment.starts_at, ends_at=appointment.ends_at, service=appointment.service,
                language=appointment.language, contact=entry.contact, offer_expires_at=hold_until,
                claim_url=claim_url)))
        return True

    async def claim(self, conn: asyncpg.Connection, appointment_id: uuid.UUID, token: str,
                    now: dt.datetime) -> Booked:
        held = await self.appointments.by_link(conn, appointment_id, token, now)
        if held.status != "held":
            raise Conflict("Nothing to claim", f"this appointment is {held.status}, not an open offer")
        point = await self.appointments.point(conn, held.point_id)
        booked = await repo.set_status(conn, self.schema, appointment_id, "booked", now)
        await repo.spend_links(conn, self.schema, appointment_id, now)
        manage = new_token()
        await repo.add_link(conn, self.schema, token_digest(manage), appointment_id, booked.starts_at)
        entry = await conn.fetchval(f"SELECT waitlist_entry FROM {self.schema}.appointments WHERE appointment_id = $1",
                                    appointment_id)
        await waiting.set_status(conn, self.schema, entry, "booked")
        await self.appointments.outbox.append(conn, events.booked(booked, point, now))
        return Booked(booked, manage, replayed=False)

    async def expire(self, conn: asyncpg.Connection, now: dt.datetime) -> int:
        """Unclaimed offers lapse; each slot goes to the next person in line, if any."""
        lapsed = await repo.expire_lapsed_holds(conn, self.schema, now)
        for hold in lapsed:
            await waiting.set_status(conn, self.schema, hold.waitlist_entry, "expired")
            await repo.spend_links(conn, self.schema, hold.appointment_id, now)
            freed = await self.appointments.get(conn, hold.appointment_id)
            await self.offer(conn, freed, now)
        return len(lapsed)
