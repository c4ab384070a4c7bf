"""Queue use cases: take a ticket, call the next person, end a visit (with its events)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.citizens import EboxActivationAssisted, EboxActivationAssistedPayload
from loket.contracts.visits import (
    VisitEnded,
    VisitEndedPayload,
    VisitStarted,
    VisitStartedPayload,
)
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import local_date
from services.booking.errors import Conflict, NotOffered
from services.booking.metrics import BookingMetrics
from services.booking.points.model import AssistancePoint
from services.booking.printing.quota import split
from services.booking.printing.service import printed_pages
from services.booking.queue import repository as repo

PRODUCER = "booking"


@dataclass(frozen=True)
class Called:
    visit_id: uuid.UUID
    ticket_number: int | None
    appointment_id: uuid.UUID | None
    language: str
    waited_seconds: int


class Queue:
    def __init__(self, appointments: Appointments, metrics: BookingMetrics) -> None:
        self.appointments, self.metrics = appointments, metrics
        self.schema, self.outbox = appointments.schema, appointments.outbox

    async def take_ticket(self, conn: asyncpg.Connection, point_id: str, language: str, topic: str | None,
                          now: dt.datetime, notify_phone: str | None = None) -> tuple[repo.Ticket, int]:
        """`notify_phone`: E.164, for "your turn is near" (the kiosk asks; the API does not)."""
        point = await self.appointments.point(conn, point_id)
        if language not in point.languages:
            raise NotOffered("Language not offered", f"{point_id} helps in {', '.join(point.languages)}")
        return await repo.issue(conn, self.schema, point_id, local_date(now), language, topic, now, notify_phone)

    async def call_next(self, conn: asyncpg.Connection, point_id: str, helper_id: str, now: dt.datetime) -> Called:
        """Who is next: a checked-in appointment whose time has come goes first (it was promised
        that time); otherwise the longest-waiting walk-in; with no walk-in, an early checked-in
        appointment. So appointments are kept and walk-ins fill the gaps between them."""
        point = await self.appointments.point(conn, point_id)
        ticket, appointment = await self.take_next(conn, point_id, now)
        if appointment is not None:
            waited = int(max(0.0, (now - max(appointment["checked_in_at"], appointment["starts_at"])).total_seconds()))
            return await self.begin_visit(conn, point, helper_id, None, appointment["appointment_id"],
                                          appointment["language"], waited, now)
        if ticket is not None:
            return await self.begin_visit(conn, point, helper_id, ticket, None, ticket.language,
                                          int((now - ticket.created_at).total_seconds()), now)
        raise Conflict("Nobody waiting", f"no walk-in and no checked-in appointment at {point_id}")

    async def take_next(self, conn: asyncpg.Connection, point_id: str, now: dt.datetime,
                        missed_after: dt.datetime | None = None) -> tuple[repo.Ticket | None, asyncpg.Record | None]:
        """The next person in call-next order, taken (a ticket is marked called, an appointment
        locked), so two helpers calling at once get two people. (None, None): nobody waits."""
        due = await repo.take_checked_in(conn, self.schema, point_id, now, missed_after)
        ticket = None if due else await repo.take_oldest_ticket(conn, self.schema, point_id, now)
        early = None if (due or ticket) else await repo.take_checked_in(conn, self.schema, point_id, None,
                                                                         missed_after)
        return ticket, due or early

    async def begin_visit(self, conn: asyncpg.Connection, point: AssistancePoint, helper_id: str,
                          ticket: repo.Ticket | None, appointment_id: uuid.UUID | None, language: str, waited: int,
                          now: dt.datetime) -> Called:
        """The citizen is at the counter: the visit starts (an appointment is attended) and
        VisitStarted goes out with it."""
        point_id, visit_id = point.point_id, uuid.uuid4()
        ticket_id = ticket.ticket_id if ticket else None
        if appointment_id is not None:
            await self.appointments.attend(conn, await self.appointments.get(conn, appointment_id, lock=True), now)
        await repo.start_visit(conn, self.schema, visit_id, point_id, helper_id, ticket_id, appointment_id, language,
                               waited, now)
        await self.outbox.append(conn, VisitStarted(producer=PRODUCER, payload=VisitStartedPayload(
            visit_id=visit_id, point_id=point_id, municipality=point.municipality, point_kind=point.kind,
            helper_id=helper_id, ticket_id=str(ticket_id) if ticket_id else None, appointment_id=appointment_id,
            waited_seconds=waited, language=language, started_at=now)))
        self.metrics.queue_wait.labels(point.kind).observe(waited)
        return Called(visit_id, ticket.number if ticket else None, appointment_id, language, waited)

    async def end_visit(self, conn: asyncpg.Connection, visit_id: uuid.UUID, topic: str, language: str, outcome: str,
                        ebox_activated: bool, national_number: str | None, consent_given: bool,
                        now: dt.datetime) -> int:
        ended = await repo.end_visit(conn, self.schema, visit_id, topic, language, outcome, now)
        if ended is None:
            raise Conflict("No open visit", f"visit {visit_id} does not exist or has ended already")
        point = await self.appointments.point(conn, ended["point_id"])
        duration = int((now - ended["started_at"]).total_seconds())
        # Read after the visit's row was updated: a recording of prints that held the row went first.
        prints = split(await printed_pages(conn, self.schema, visit_id), point.free_print_pages)
        events = [VisitEnded(producer=PRODUCER, payload=VisitEndedPayload(
            visit_id=visit_id, point_id=point.point_id, municipality=point.municipality, point_kind=point.kind,
            topic=topic, language=language, outcome=outcome, duration_seconds=duration, ended_at=now,
            pages_printed=prints.pages or None, pages_over_quota=prints.over_quota if prints.pages else None))]
        if ebox_activated:
            # The number travels only with the citizen's consent (the contract refuses it otherwise).
            events.append(EboxActivationAssisted(producer=PRODUCER, payload=EboxActivationAssistedPayload(
                activation_id=uuid.uuid4(), visit_id=visit_id, point_id=point.point_id,
                municipality=point.municipality, national_number=national_number if consent_given else None,
                consent_given=consent_given, activated_at=now)))
        await self.outbox.append(conn, *events)
        return duration
