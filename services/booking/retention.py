"""What booking purges once its retention period has passed: the contact details citizens gave
for an appointment, a waitlist entry (for a slot or for a kind of device), a device loan, a seat
or a workshop. The rows stay (the figures and the history need them); only the phone number and
e-mail address go. Phone checks (the SMS codes before a public booking) go whole after a day."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.retention.job import Purge, fixed_days, tenant_setting
from loket.infra.retention.policy import RetentionDays
from services.booking.appointments import repository as appointments
from services.booking.loans.service import Loans
from services.booking.phone_checks.service import PhoneChecks
from services.booking.seats.service import Seats
from services.booking.waitlist import repository as waitlist
from services.booking.workshops.service import Workshops


def booking_purges(schema: str, loans: Loans, phone_checks: PhoneChecks, seats: Seats,
                   workshops: Workshops) -> list[Purge]:
    async def appointment_contacts(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await appointments.erase_past_contacts(conn, schema, now, days)

    async def waitlist_contacts(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await waitlist.erase_past_contacts(conn, schema, now, days)

    async def phone_checks_past(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await phone_checks.erase_older_than(conn, now - dt.timedelta(days=days.default))

    return [Purge("appointment_contact", tenant_setting("appointment_contact_days"), appointment_contacts),
            Purge("waitlist_contact", tenant_setting("contact_days"), waitlist_contacts),
            Purge("loan_contact", tenant_setting("contact_days"), loans.erase_past_contacts),
            Purge("seat_contact", tenant_setting("contact_days"), seats.erase_past_contacts),
            Purge("workshop_contact", tenant_setting("contact_days"), workshops.erase_past_contacts),
            Purge("device_donor", tenant_setting("contact_days"), loans.forget_donors),
            Purge("device_waitlist_contact", tenant_setting("contact_days"), loans.waitlist.erase_past_contacts),
            # A code is worthless after half an hour; a day keeps "five codes a day per number".
            Purge("phone_check", fixed_days(1), phone_checks_past)]
