"""What booking purges once its retention period has passed: the contact details citizens gave
for an appointment, a waitlist entry or a device loan. The rows stay (the figures and the
history need them); only the phone number and e-mail address go."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.retention.job import Purge, tenant_setting
from loket.infra.retention.policy import RetentionDays
from services.booking.appointments import repository as appointments
from services.booking.loans.service import Loans
from services.booking.waitlist import repository as waitlist


def booking_purges(schema: str, loans: Loans) -> list[Purge]:
    async def appointment_contacts(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await appointments.erase_past_contacts(conn, schema, now, days)

    async def waitlist_contacts(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await waitlist.erase_past_contacts(conn, schema, now, days)

    return [Purge("appointment_contact", tenant_setting("appointment_contact_days"), appointment_contacts),
            Purge("waitlist_contact", tenant_setting("contact_days"), waitlist_contacts),
            Purge("loan_contact", tenant_setting("contact_days"), loans.erase_past_contacts)]
