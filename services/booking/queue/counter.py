"""The counter's use cases: call a person to a counter (the next one, or this one), recall them,
mark them missed, start their visit when they arrive; and an appointment's no-show.

A call comes before the visit: the waiting-room display shows the call, and the visit (with
VisitStarted, through `Queue.begin_visit`, the same as the API's call-next) starts when the person
is at the counter. Calls at one point are taken one at a time, so two clerks pressing "call
next" at the same moment never get the same person."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.booking.appointments import events as appointment_events
from services.booking.appointments import repository as appointment_repo
from services.booking.calendar.local_time import BRUSSELS
from services.booking.errors import Conflict, NotFound, NotOffered
from services.booking.queue import calls
from services.booking.queue import repository as repo
from services.booking.queue.service import Called, Queue


@dataclass(frozen=True)
class CallRules:
    max_calls: int  # then the person may be marked missed
    recall_missed_after: dt.timedelta  # a missed person may be called again after this


class Counter:
    def __init__(self, queue: Queue, rules: CallRules) -> None:
        self.queue, self.rules = queue, rules
        self.schema, self.appointments = queue.schema, queue.appointments

    async def call(self, conn: asyncpg.Connection, point_id: str, counter: str, helper_id: str, now: dt.datetime,
                   ticket_id: uuid.UUID | None = None, appointment_id: uuid.UUID | None = None) -> calls.Call:
        """The next person in call-next order, or the ticket / appointment named."""
        await self.appointments.point(conn, point_id)
        # One caller per point at a time: the choice of "next" and the call are one step.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 11))", f"call:{point_id}")
        if await calls.open_at_counter(conn, self.schema, point_id, counter) is not None:
            raise Conflict("Already calling", f"counter {counter} is calling someone; mark them arrived or missed first")
        missed_after = now - self.rules.recall_missed_after
        ticket: repo.Ticket | None = None
        appointment: asyncpg.Record | None = None
        if ticket_id is not None:
            ticket = await repo.take_this_ticket(conn, self.schema, point_id, ticket_id, now, missed_after)
            if ticket is None:
                raise Conflict("Not waiting", "this ticket is no longer waiting (called at another counter?)")
        elif appointment_id is not None:
            appointment = await repo.take_checked_in(conn, self.schema, point_id, None, missed_after, appointment_id)
            if appointment is None:
                raise Conflict("Not waiting", "this appointment is not checked in or is being called already")
        else:
            ticket, appointment = await self.queue.take_next(conn, point_id, now, missed_after)
            if ticket is None and appointment is None:
                raise Conflict("Nobody waiting", f"no walk-in and no checked-in appointment at {point_id}")
        if ticket is not None:
            call = calls.Call(uuid.uuid4(), point_id, counter, helper_id, ticket.ticket_id, None, str(ticket.number),
                              ticket.language, ticket.created_at, 1, now, now, "calling", None)
        else:
            assert appointment is not None
            starts: dt.datetime = appointment["starts_at"]
            call = calls.Call(uuid.uuid4(), point_id, counter, helper_id, None, appointment["appointment_id"],
                              f"{starts.astimezone(BRUSSELS):%H:%M}", appointment["language"],
                              max(appointment["checked_in_at"], starts), 1, now, now, "calling", None)
        await calls.insert(conn, self.schema, call)
        return call

    async def recall(self, conn: asyncpg.Connection, point_id: str, counter: str, now: dt.datetime) -> calls.Call:
        call = await self._calling(conn, point_id, counter)
        if call.times_called >= self.rules.max_calls:
            raise Conflict("Called enough", f"called {call.times_called} times; mark the person missed")
        return await calls.recall(conn, self.schema, call.call_id, now)

    async def missed(self, conn: asyncpg.Connection, point_id: str, counter: str, now: dt.datetime) -> calls.Call:
        call = await self._calling(conn, point_id, counter)
        if call.times_called < self.rules.max_calls:
            raise Conflict("Call again first", f"called {call.times_called} of {self.rules.max_calls} times")
        await calls.close(conn, self.schema, call.call_id, "missed", None)
        if call.ticket_id is not None:
            await repo.mark_missed(conn, self.schema, call.ticket_id, now)
        return call

    async def transfer(self, conn: asyncpg.Connection, point_id: str, counter: str, now: dt.datetime,
                       to_counter: str | None = None, to_service: str | None = None) -> calls.Call:
        """The person called is sent to another counter (called there), or back in line for
        another service (in the place they had)."""
        call = await self._calling(conn, point_id, counter)
        if to_counter is not None:
            if to_counter == counter:
                raise Conflict("Same counter", f"the person is already called to counter {counter}")
            if await calls.open_at_counter(conn, self.schema, point_id, to_counter) is not None:
                raise Conflict("Counter busy", f"counter {to_counter} is calling someone else")
            return await calls.move_to_counter(conn, self.schema, call.call_id, to_counter, now)
        point = await self.appointments.point(conn, point_id)
        if to_service is None or to_service not in point.services:
            raise NotOffered("Service not offered", f"{point_id} offers {', '.join(point.services)}")
        if call.ticket_id is None:
            raise Conflict("Appointment", "an appointment keeps its service; end the visit with a referral instead")
        await calls.close(conn, self.schema, call.call_id, "transferred", None)
        await repo.back_in_line(conn, self.schema, call.ticket_id, to_service)
        return call

    async def arrived(self, conn: asyncpg.Connection, point_id: str, counter: str, now: dt.datetime) -> Called:
        """The person called is at the counter: their visit starts."""
        call = await self._calling(conn, point_id, counter)
        point = await self.appointments.point(conn, point_id)
        waited = int(max(0.0, (call.first_called_at - call.waiting_since).total_seconds()))
        ticket = None
        if call.ticket_id is not None:
            ticket = repo.Ticket(call.ticket_id, int(call.label), call.language, None, call.waiting_since)
        started = await self.queue.begin_visit(conn, point, call.helper_id, ticket, call.appointment_id,
                                               call.language, waited, now)
        await calls.close(conn, self.schema, call.call_id, "arrived", started.visit_id)
        return started

    async def no_show(self, conn: asyncpg.Connection, point_id: str, appointment_id: uuid.UUID,
                      now: dt.datetime) -> None:
        """A booked appointment nobody came to, marked by the counter before the no-show round does."""
        appointment = await self.appointments.get(conn, appointment_id, lock=True)
        if appointment.point_id != point_id:
            raise NotFound("Unknown appointment", f"there is no appointment {appointment_id} at {point_id}")
        if appointment.status not in ("booked", "checked_in"):
            raise Conflict("Cannot mark no-show", f"the appointment is {appointment.status}")
        if appointment.starts_at > now:
            raise Conflict("Not yet", "an appointment can be marked no-show only once its time has come")
        point = await self.appointments.point(conn, point_id)
        done = await appointment_repo.set_status(conn, self.schema, appointment_id, "no_show", now)
        await appointment_repo.spend_links(conn, self.schema, appointment_id, now)
        await self.queue.outbox.append(conn, appointment_events.no_show(done, point))

    async def _calling(self, conn: asyncpg.Connection, point_id: str, counter: str) -> calls.Call:
        call = await calls.open_at_counter(conn, self.schema, point_id, counter, lock=True)
        if call is None:
            raise Conflict("Nobody called", f"counter {counter} is not calling anyone")
        return call
