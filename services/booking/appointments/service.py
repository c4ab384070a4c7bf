"""Use cases on appointments. Each runs inside the caller's transaction and writes the state
change and its event (outbox) together, so an event is published if and only if the change
committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.appointments import CancelReason
from loket.infra.db.change_signals import ChangeSignals
from loket.infra.db.outbox import Outbox
from services.booking.appointments import events
from services.booking.appointments import repository as repo
from services.booking.appointments.contact import ContactIn
from services.booking.appointments.links import new_token, token_digest
from services.booking.appointments.repository import Appointment, NewAppointment
from services.booking.appointments.rules import (
    require_change_notice,
    require_link_usable,
    require_live,
)
from services.booking.appointments.sms_reach import SmsReach
from services.booking.availability.slots import BookingRules, blocked_range, helpers_offering
from services.booking.calendar.local_time import local_text
from services.booking.catalogue import CATALOGUE, CatalogueService
from services.booking.errors import Conflict, Invalid, NotAllowed, NotFound, NotOffered
from services.booking.phone_checks.codes import PhoneProof
from services.booking.phone_checks.service import PhoneChecks
from services.booking.points.model import AssistancePoint
from services.booking.staff.directory import PointDirectory, Staffed


@dataclass(frozen=True)
class BookingWish:
    point_id: str
    service: str
    language: str
    starts_at: dt.datetime
    contact: ContactIn
    helper_id: str | None = None
    # The eBox campaign the citizen came through (the QR code of a paper letter's insert); not
    # part of the request's digest: it says how they came, not what they asked for.
    campaign: str | None = None

    def digest(self) -> str:
        body = {"point_id": self.point_id, "service": self.service, "language": self.language,
                "starts_at": self.starts_at.isoformat(), "contact": self.contact.model_dump(mode="json"),
                "helper_id": self.helper_id}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Booked:
    appointment: Appointment
    token: str
    replayed: bool


class Appointments:
    def __init__(self, schema: str, outbox: Outbox, rules: BookingRules, sms_reach: SmsReach,
                 phone_checks: PhoneChecks, cache_ttl_s: float = 10.0, changes: ChangeSignals | None = None) -> None:
        self.schema, self.outbox, self.rules, self.sms_reach = schema, outbox, rules, sms_reach
        self.phone_checks = phone_checks
        self.directory = PointDirectory(schema, cache_ttl_s, changes)

    async def staffed(self, conn: asyncpg.Connection, point_id: str) -> Staffed:
        staffed = await self.directory.get(conn, point_id)
        if staffed is None:
            raise NotFound("Unknown point", f"there is no assistance point {point_id!r}")
        return staffed

    async def point(self, conn: asyncpg.Connection, point_id: str) -> AssistancePoint:
        return (await self.staffed(conn, point_id)).point

    async def book(self, conn: asyncpg.Connection, wish: BookingWish, via: str, idempotency_key: str | None,
                   now: dt.datetime, phone_proof: PhoneProof | None = None) -> Booked:
        digest = wish.digest()
        if idempotency_key and (earlier := await repo.by_idempotency_key(conn, self.schema, idempotency_key)):
            return await self._replay(conn, earlier, digest)
        staffed = await self.staffed(conn, wish.point_id)
        point = staffed.point
        service = bookable_service(wish.service)
        await self.sms_reach.check(conn, point.municipality, wish.contact.details())
        if via == "citizen":  # staff and back-office know who they book for
            await self.phone_checks.use(conn, point.municipality, wish.contact.details(), phone_proof, now)
        candidates = self._helpers_offering(staffed, service, wish, now)
        # One candidate and no idempotency key: a failed insert ends the booking anyway, so the
        # savepoint (two extra round trips) buys nothing.
        bare = len(candidates) == 1 and idempotency_key is None
        for helper_id in candidates:
            start, end = wish.starts_at, wish.starts_at + dt.timedelta(minutes=service.minutes)
            new = NewAppointment(uuid.uuid4(), point.point_id, helper_id, service.slug, wish.language, start, end,
                                 blocked_range(service, start), wish.contact.details(), via, idempotency_key, digest)
            try:
                if bare:
                    appointment = await repo.insert(conn, self.schema, new)
                else:
                    async with conn.transaction():  # a savepoint: a collision only undoes this attempt
                        appointment = await repo.insert(conn, self.schema, new)
            except asyncpg.ExclusionViolationError:
                if bare:  # the transaction is aborted; the caller's rollback undoes it
                    break
                continue  # this helper was taken meanwhile; try the next one free at that time
            except asyncpg.UniqueViolationError:
                # The same idempotency key committed concurrently: answer as its replay.
                earlier = await repo.by_idempotency_key(conn, self.schema, idempotency_key or "")
                assert earlier is not None
                return await self._replay(conn, earlier, digest)
            token = await self._new_link(conn, appointment)
            await self.outbox.append(conn, events.booked(appointment, point, now, wish.campaign))
            return Booked(appointment, token, replayed=False)
        raise Conflict("Slot taken",
                       f"{local_text(wish.starts_at)} at {point.point_id} was just booked by someone else; "
                       "choose another time")

    async def _replay(self, conn: asyncpg.Connection, earlier: Appointment, digest: str) -> Booked:
        if earlier.request_digest != digest:
            raise Conflict("Idempotency key reused",
                           "this Idempotency-Key was used for a different booking; use a new key per booking")
        # The first answer may have been lost, so the replay carries a fresh link to the same booking.
        return Booked(earlier, await self._new_link(conn, earlier), replayed=True)

    def _helpers_offering(self, staffed: Staffed, service: CatalogueService, wish: BookingWish,
                          now: dt.datetime) -> list[str]:
        point = staffed.point
        if wish.language not in point.languages:
            raise NotOffered("Language not offered",
                             f"{point.point_id} helps in {', '.join(point.languages)}, not {wish.language}")
        if service.slug not in point.services:
            raise NotOffered("Service not offered", f"{point.point_id} does not offer {service.slug}")
        offered = [h for h in helpers_offering(point, service, wish.language, staffed.helpers, staffed.shifts,
                                               wish.starts_at, now, self.rules)
                   if wish.helper_id in (None, h)]
        if not offered:
            raise Conflict("Not an available slot",
                           f"{local_text(wish.starts_at)} is not a bookable time for {service.slug} in "
                           f"{wish.language} at {point.point_id} (closed, no helper, too soon or too far ahead); "
                           "list the free slots first")
        return offered

    async def _new_link(self, conn: asyncpg.Connection, appointment: Appointment) -> str:
        token = new_token()
        await repo.add_link(conn, self.schema, token_digest(token), appointment.appointment_id, appointment.starts_at)
        return token

    async def by_link(self, conn: asyncpg.Connection, appointment_id: uuid.UUID, token: str,
                      now: dt.datetime) -> Appointment:
        link = await repo.link(conn, self.schema, token_digest(token))
        if link is None:
            raise NotFound("Unknown link", "this link is not valid")
        if link.appointment_id != appointment_id:
            raise NotAllowed("Wrong appointment", "this link belongs to another appointment")
        require_link_usable(link.expires_at, link.used_at, now)
        return await self.get(conn, appointment_id, lock=True)

    async def get(self, conn: asyncpg.Connection, appointment_id: uuid.UUID, lock: bool = False) -> Appointment:
        appointment = await repo.by_id(conn, self.schema, appointment_id, lock=lock)
        if appointment is None:
            raise NotFound("Unknown appointment", f"there is no appointment {appointment_id}")
        return appointment

    async def cancel(self, conn: asyncpg.Connection, appointment: Appointment, reason: CancelReason,
                     now: dt.datetime, by_citizen: bool) -> Appointment:
        """The appointment alone; callers cancel through `Cancellation`, which also offers the
        freed slot to the waitlist."""
        require_live(appointment.status)
        if by_citizen:
            require_change_notice(appointment.starts_at, now, self.rules)
        point = await self.point(conn, appointment.point_id)
        done = await repo.set_status(conn, self.schema, appointment.appointment_id, "cancelled", now)
        await repo.spend_links(conn, self.schema, appointment.appointment_id, now)
        await self.outbox.append(conn, events.cancelled(done, point, reason))
        return done

    async def reschedule(self, conn: asyncpg.Connection, appointment: Appointment, starts_at: dt.datetime,
                         helper_id: str | None, now: dt.datetime, by_citizen: bool) -> Booked:
        require_live(appointment.status)
        if by_citizen:
            require_change_notice(appointment.starts_at, now, self.rules)
        staffed = await self.staffed(conn, appointment.point_id)
        point = staffed.point
        service = CATALOGUE[appointment.service]
        wish = BookingWish(point.point_id, service.slug, appointment.language, starts_at,
                           ContactIn(language=appointment.contact.language, phone=appointment.contact.phone,
                                     email=appointment.contact.email), helper_id)
        candidates = self._helpers_offering(staffed, service, wish, now)
        end = starts_at + dt.timedelta(minutes=service.minutes)
        for candidate in candidates:
            try:
                async with conn.transaction():
                    moved = await repo.move(conn, self.schema, appointment.appointment_id, candidate, starts_at, end,
                                            blocked_range(service, starts_at))
                break
            except asyncpg.ExclusionViolationError:
                continue
        else:
            raise Conflict("Slot taken", f"{local_text(starts_at)} is no longer free; choose another time")
        await repo.spend_links(conn, self.schema, appointment.appointment_id, now)
        token = await self._new_link(conn, moved)
        await self.outbox.append(conn, events.rescheduled(moved, point, appointment.starts_at))
        return Booked(moved, token, replayed=False)

    async def check_in(self, conn: asyncpg.Connection, appointment: Appointment, now: dt.datetime) -> Appointment:
        if appointment.status != "booked":
            raise Conflict("Cannot check in", f"the appointment is {appointment.status}, not booked")
        return await repo.set_status(conn, self.schema, appointment.appointment_id, "checked_in", now)

    async def attend(self, conn: asyncpg.Connection, appointment: Appointment, now: dt.datetime) -> Appointment:
        require_live(appointment.status)
        point = await self.point(conn, appointment.point_id)
        done = await repo.set_status(conn, self.schema, appointment.appointment_id, "attended", now)
        await repo.spend_links(conn, self.schema, appointment.appointment_id, now)
        await self.outbox.append(conn, events.attended(done, point, now))
        return done

    async def sweep_no_shows(self, conn: asyncpg.Connection, grace: dt.timedelta, now: dt.datetime) -> int:
        missed = await repo.claim_no_shows(conn, self.schema, now - grace, now)
        points: dict[str, AssistancePoint] = {}
        for a in missed:
            point = points.get(a.point_id) or await self.point(conn, a.point_id)
            points[a.point_id] = point
            await repo.spend_links(conn, self.schema, a.appointment_id, now)
            await self.outbox.append(conn, events.no_show(a, point))
        return len(missed)


def bookable_service(slug: str) -> CatalogueService:
    service = CATALOGUE.get(slug)
    if service is None or not service.bookable:
        bookable = ", ".join(sorted(s for s, c in CATALOGUE.items() if c.bookable))
        raise Invalid("Unknown service", f"{slug!r} cannot be booked; bookable services: {bookable}")
    return service
