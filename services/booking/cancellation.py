"""Cancelling an appointment: the appointment ends and, in the same transaction, the slot it
frees is offered to the next person on the waitlist."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.contracts.appointments import CancelReason
from services.booking.appointments.repository import Appointment
from services.booking.appointments.service import Appointments
from services.booking.waitlist.service import Waitlist


class Cancellation:
    def __init__(self, appointments: Appointments, waitlist: Waitlist) -> None:
        self.appointments, self.waitlist = appointments, waitlist

    async def cancel(self, conn: asyncpg.Connection, appointment: Appointment, reason: CancelReason,
                     now: dt.datetime, by_citizen: bool) -> Appointment:
        done = await self.appointments.cancel(conn, appointment, reason, now, by_citizen)
        if reason != "point_closed":  # a closed point has no slot to give
            await self.waitlist.offer(conn, done, now)
        return done
