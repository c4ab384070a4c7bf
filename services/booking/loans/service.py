"""Loan use cases; each writes its state change and event in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.devices import (
    DeviceLent,
    DeviceLentPayload,
    DeviceLoanOverdue,
    DeviceLoanOverduePayload,
    DeviceReturned,
    DeviceReturnedPayload,
)
from loket.contracts.values import ContactDetails
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import local_date
from services.booking.errors import Conflict, Invalid, NotFound, NotOffered

PRODUCER = "booking"


@dataclass(frozen=True)
class Donation:
    """A device given to the point: when, and how the donor wishes to be named (if at all)."""

    at: dt.datetime
    donor: str | None


def _not_wiped(device_id: str) -> Conflict:
    return Conflict("Device not wiped", f"device {device_id} was donated: record its data wipe before lending it")


class Loans:
    def __init__(self, appointments: Appointments) -> None:
        self.appointments, self.schema, self.outbox = appointments, appointments.schema, appointments.outbox

    async def register(self, conn: asyncpg.Connection, point_id: str, device_id: str, kind: str, label: str,
                       donation: Donation | None = None) -> None:
        """A device joins the point's lendable devices; a donated one is not lendable before its
        data wipe is recorded."""
        point = await self.appointments.point(conn, point_id)
        if point.capacity.lendable_devices == 0:
            raise NotOffered("No lending here", f"{point_id} does not lend devices")
        status = await conn.execute(
            f"""INSERT INTO {self.schema}.devices (device_id, point_id, kind, label, donated_at, donor, wipe_required)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (device_id) DO NOTHING""",
            device_id, point_id, kind, label, donation.at if donation else None,
            donation.donor if donation else None, donation is not None)
        if status.endswith(" 0"):
            raise Conflict("Device exists", f"device {device_id} is registered already")

    async def record_wipe(self, conn: asyncpg.Connection, device_id: str, method: str, by: str,
                          now: dt.datetime) -> None:
        """The device's data was wiped (a donation before its first loan, or any device between
        borrowers): recorded with how and by whom."""
        status = await conn.execute(
            f"""UPDATE {self.schema}.devices SET wiped_at = $2, wipe_method = $3, wiped_by = $4
                WHERE device_id = $1""", device_id, now, method, by)
        if status.endswith(" 0"):
            raise NotFound("Unknown device", f"there is no device {device_id}")

    async def forget_donors(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank how a donor wished to be named once the donation is the municipality's
        `contact_days` old (the device, its donation date and wipe record stay)."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.devices d SET donor = NULL
                FROM {self.schema}.assistance_points p
                WHERE p.point_id = d.point_id AND d.donor IS NOT NULL
                  AND {past_retention("d.donated_at", "p.municipality")}""",
            now, days)

    async def lend(self, conn: asyncpg.Connection, device_id: str, due_at: dt.datetime, language: str,
                   contact: ContactDetails | None, now: dt.datetime) -> uuid.UUID:
        device = await conn.fetchrow(
            f"""SELECT point_id, kind, condition, wipe_required AND wiped_at IS NULL AS unwiped
                FROM {self.schema}.devices WHERE device_id = $1""", device_id)
        if device is None:
            raise NotFound("Unknown device", f"there is no device {device_id}")
        if device["condition"] != "good":
            raise Conflict("Device not lendable", f"device {device_id} is {device['condition']}")
        if device["unwiped"]:
            raise _not_wiped(device_id)
        if due_at <= now:
            raise Invalid("Due date in the past", "due_at must be in the future")
        loan_id = uuid.uuid4()
        try:
            async with conn.transaction():
                await conn.execute(
                    f"""INSERT INTO {self.schema}.loans (loan_id, device_id, point_id, language, contact, lent_at, due_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""", loan_id, device_id, device["point_id"], language,
                    contact.model_dump(mode="json") if contact else None, now, due_at)
        except asyncpg.UniqueViolationError:
            raise Conflict("Device on loan", f"device {device_id} is lent out already; return it first") from None
        except asyncpg.CheckViolationError:  # the database's own rule (migration 0011), should a wipe race this
            raise _not_wiped(device_id) from None
        point = await self.appointments.point(conn, device["point_id"])
        await self.outbox.append(conn, DeviceLent(producer=PRODUCER, payload=DeviceLentPayload(
            loan_id=loan_id, device_id=device_id, point_id=point.point_id, municipality=point.municipality,
            device_kind=device["kind"], due_at=due_at, contact=contact, language=language)))
        return loan_id

    async def give_back(self, conn: asyncpg.Connection, loan_id: uuid.UUID, condition: str, notes: str | None,
                        now: dt.datetime) -> None:
        row = await conn.fetchrow(
            f"""UPDATE {self.schema}.loans SET returned_at = $2, condition = $3, notes = $4
                WHERE loan_id = $1 AND returned_at IS NULL RETURNING device_id, point_id""", loan_id, now, condition, notes)
        if row is None:
            raise Conflict("No open loan", f"loan {loan_id} does not exist or was returned already")
        await conn.execute(f"UPDATE {self.schema}.devices SET condition = $2 WHERE device_id = $1",
                           row["device_id"], condition)
        point = await self.appointments.point(conn, row["point_id"])
        await self.outbox.append(conn, DeviceReturned(producer=PRODUCER, payload=DeviceReturnedPayload(
            loan_id=loan_id, device_id=row["device_id"], point_id=point.point_id, municipality=point.municipality,
            returned_at=now, condition=condition, notes=notes)))

    async def sweep_overdue(self, conn: asyncpg.Connection, now: dt.datetime) -> int:
        """One DeviceLoanOverdue per overdue loan per local day (notify reminds the citizen)."""
        today = local_date(now)
        rows = await conn.fetch(
            # MATERIALIZED: the claim runs once (a rescanned SKIP LOCKED subquery claims more).
            f"""WITH due AS MATERIALIZED (
                    SELECT loan_id FROM {self.schema}.loans WHERE returned_at IS NULL AND due_at < $1
                      AND (last_overdue_notice_on IS NULL OR last_overdue_notice_on < $2)
                    LIMIT 500 FOR UPDATE SKIP LOCKED)
                UPDATE {self.schema}.loans l SET last_overdue_notice_on = $2
                FROM due WHERE l.loan_id = due.loan_id
                RETURNING l.loan_id, l.device_id, l.point_id, l.due_at, l.contact, l.language""", now, today)
        for r in rows:
            point = await self.appointments.point(conn, r["point_id"])
            await self.outbox.append(conn, DeviceLoanOverdue(producer=PRODUCER, payload=DeviceLoanOverduePayload(
                loan_id=r["loan_id"], device_id=r["device_id"], point_id=point.point_id,
                municipality=point.municipality, due_at=r["due_at"],
                days_overdue=max(1, (today - local_date(r["due_at"])).days),
                contact=ContactDetails.model_validate(r["contact"]) if r["contact"] else None, language=r["language"])))
        return len(rows)

    async def erase_past_contacts(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank the borrower's contact details once the device has been back for the
        municipality's `contact_days` (the loan itself, its condition and dates, stay)."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.loans l SET contact = NULL
                FROM {self.schema}.assistance_points p
                WHERE p.point_id = l.point_id AND l.contact IS NOT NULL AND l.returned_at IS NOT NULL
                  AND {past_retention("l.returned_at", "p.municipality")}""",
            now, days)

    async def gauges(self, conn: asyncpg.Connection, now: dt.datetime) -> tuple[int, int, float]:
        row = await conn.fetchrow(
            f"""SELECT count(*) FILTER (WHERE returned_at IS NULL) AS on_loan,
                       count(*) FILTER (WHERE returned_at IS NULL AND due_at < $1) AS overdue,
                       (SELECT count(*) FROM {self.schema}.devices WHERE condition = 'good') AS lendable
                FROM {self.schema}.loans""", now)
        lendable = int(row["lendable"]) + int(row["on_loan"])
        return int(row["on_loan"]), int(row["overdue"]), (row["on_loan"] / lendable if lendable else 0.0)
