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
    DeviceLoanRenewed,
    DeviceLoanRenewedPayload,
    DeviceReturned,
    DeviceReturnedPayload,
)
from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from loket.infra.db.plain_digests import key_plain_digests
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import local_date
from services.booking.errors import Conflict, Invalid, NotFound, NotOffered
from services.booking.loans.borrowers import borrower_key
from services.booking.loans.device_waitlist import DeviceWaitlist, EndedOffer
from services.booking.loans.rules import LoanRules, first_due, held_until, renewed_due
from services.booking.points.model import AssistancePoint

PRODUCER = "booking"


@dataclass(frozen=True)
class Donation:
    """A device given to the point: when, and how the donor wishes to be named (if at all)."""

    at: dt.datetime
    donor: str | None


@dataclass(frozen=True)
class Renewed:
    due_at: dt.datetime
    renewals: int


@dataclass(frozen=True)
class DeviceState:
    """A device as the inventory shows it: its condition, and its open loan if it is out."""

    device_id: str
    kind: str
    label: str
    condition: str
    donated: bool
    wipe_pending: bool  # donated and no data wipe recorded yet: not lendable
    loan_id: uuid.UUID | None
    due_at: dt.datetime | None
    renewals: int | None
    held_until: dt.datetime | None = None  # offered to someone on the waitlist, kept for them until then

    @property
    def on_loan(self) -> bool:
        return self.loan_id is not None

    def state(self, now: dt.datetime) -> str:
        if self.due_at is not None:
            return "overdue" if self.due_at < now else "on_loan"
        if self.condition != "good":
            return self.condition  # damaged or lost: not lendable
        if self.wipe_pending:
            return "wipe_pending"
        return "held" if self.held_until is not None and self.held_until > now else "available"


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    what: str
    loan_id: uuid.UUID | None
    due_at: dt.datetime | None
    condition: str | None
    detail: str | None
    by_whom: str | None


def _not_wiped(device_id: str) -> Conflict:
    return Conflict("Device not wiped", f"device {device_id} was donated: record its data wipe before lending it")


def _held(device_id: str, until: dt.datetime) -> Conflict:
    return Conflict("Device held", f"device {device_id} is kept until {local_date(until).isoformat()} for the person "
                                   "on the waitlist it was offered to: lend it to them, or release the hold")


def _too_many(rules: LoanRules) -> Conflict:
    return Conflict("Too many loans", f"this borrower has {rules.max_active_loans} devices on loan at this point, "
                                      "the most it allows: one must come back first")


_KEYING_LOCK_SALT = 0x10A4  # one replica keys stored borrower hashes at a time


class Loans:
    """Devices, their loans, history and loan rules (the only writer of `devices`, `loans`,
    `device_history` and `loan_rules`); the device waitlist is `self.waitlist`'s."""

    def __init__(self, appointments: Appointments, keys: ContactKeys) -> None:
        self.appointments, self.schema, self.outbox = appointments, appointments.schema, appointments.outbox
        self.keys = keys
        self.waitlist = DeviceWaitlist(self.schema, self.outbox, keys)

    async def key_plain_borrower_digests(self, conn: asyncpg.Connection) -> int:
        """Key the plain SHA-256 borrower keys of loans and waitlist entries stored before keys
        had a secret (`loket.infra.contact_keys`); return how many rows changed. Idempotent, and
        one replica at a time: the others wait, then find nothing left."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", self.schema, _KEYING_LOCK_SALT)
        loans = await key_plain_digests(conn, f"{self.schema}.loans", "borrower_key", self.keys)
        return loans + await self.waitlist.key_plain_borrower_digests(conn)

    async def rules(self, conn: asyncpg.Connection, point_id: str) -> LoanRules:
        row = await conn.fetchrow(
            f"""SELECT loan_period_days, max_renewals, max_active_loans, hard_due_date, offer_hold_days
                FROM {self.schema}.loan_rules WHERE point_id = $1""", point_id)
        return LoanRules(**dict(row)) if row else LoanRules()

    async def _lending_point(self, conn: asyncpg.Connection, point_id: str) -> None:
        point = await self.appointments.point(conn, point_id)
        if point.capacity.lendable_devices == 0:
            raise NotOffered("No lending here", f"{point_id} does not lend devices")

    async def set_rules(self, conn: asyncpg.Connection, point_id: str, rules: LoanRules, by: str,
                        now: dt.datetime) -> None:
        """New rules hold for new loans and renewals; loans already out keep their due date."""
        await self._lending_point(conn, point_id)
        if rules.hard_due_date is not None and rules.hard_due_date < local_date(now):
            raise Invalid("Hard due date in the past",
                          f"the hard due date {rules.hard_due_date.isoformat()} has passed: no loan could be made")
        await conn.execute(
            f"""INSERT INTO {self.schema}.loan_rules (point_id, loan_period_days, max_renewals, max_active_loans,
                                                      hard_due_date, offer_hold_days, updated_at, updated_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (point_id) DO UPDATE SET loan_period_days = excluded.loan_period_days,
                    max_renewals = excluded.max_renewals, max_active_loans = excluded.max_active_loans,
                    hard_due_date = excluded.hard_due_date, offer_hold_days = excluded.offer_hold_days,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
            point_id, rules.loan_period_days, rules.max_renewals, rules.max_active_loans, rules.hard_due_date,
            rules.offer_hold_days, now, by)

    async def wait_for(self, conn: asyncpg.Connection, point_id: str, kind: str, contact: ContactDetails,
                       now: dt.datetime) -> uuid.UUID:
        """The citizen waits for a device of `kind` at the point (offered the first that comes back)."""
        await self._lending_point(conn, point_id)
        return await self.waitlist.join(conn, point_id, kind, contact, now)

    async def _history(self, conn: asyncpg.Connection, device_id: str, at: dt.datetime, what: str, *,
                       loan_id: uuid.UUID | None = None, due_at: dt.datetime | None = None,
                       condition: str | None = None, detail: str | None = None, by: str | None = None) -> None:
        await conn.execute(
            f"""INSERT INTO {self.schema}.device_history (device_id, at, what, loan_id, due_at, condition, detail, by_whom)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""", device_id, at, what, loan_id, due_at, condition, detail, by)

    async def register(self, conn: asyncpg.Connection, point_id: str, device_id: str, kind: str, label: str,
                       by: str, now: dt.datetime, donation: Donation | None = None) -> None:
        """A device joins the point's lendable devices; a donated one is not lendable before its
        data wipe is recorded."""
        await self._lending_point(conn, point_id)
        status = await conn.execute(
            f"""INSERT INTO {self.schema}.devices (device_id, point_id, kind, label, donated_at, donor, wipe_required)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (device_id) DO NOTHING""",
            device_id, point_id, kind, label, donation.at if donation else None,
            donation.donor if donation else None, donation is not None)
        if status.endswith(" 0"):
            raise Conflict("Device exists", f"device {device_id} is registered already")
        await self._history(conn, device_id, now, "donated" if donation else "registered", by=by)

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

    async def lend(self, conn: asyncpg.Connection, device_id: str, due_at: dt.datetime | None, language: str,
                   borrower: ContactDetails, reminders: bool, by: str, now: dt.datetime) -> uuid.UUID:
        """Lend the device to the borrower (their contact is who they are; it reaches the event,
        for reminders, only with `reminders`). Due by the point's loan rules, or earlier."""
        device = await conn.fetchrow(
            f"""SELECT point_id, kind, condition, wipe_required AND wiped_at IS NULL AS unwiped
                FROM {self.schema}.devices WHERE device_id = $1""", device_id)
        if device is None:
            raise NotFound("Unknown device", f"there is no device {device_id}")
        if device["condition"] != "good":
            raise Conflict("Device not lendable", f"device {device_id} is {device['condition']}")
        if device["unwiped"]:
            raise _not_wiped(device_id)
        rules = await self.rules(conn, device["point_id"])
        due = first_due(rules, now, due_at)
        key = borrower_key(borrower, self.keys)
        hold = await self.waitlist.hold_on(conn, device_id, now)
        if hold is not None and hold.borrower_key != key:
            raise _held(device_id, hold.until)
        contact = borrower if reminders else None
        loan_id = uuid.uuid4()
        try:
            async with conn.transaction():
                await conn.execute(
                    f"""INSERT INTO {self.schema}.loans
                            (loan_id, device_id, point_id, language, contact, lent_at, due_at, borrower_key)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""", loan_id, device_id, device["point_id"], language,
                    contact.model_dump(mode="json") if contact else None, now, due, key)
        except asyncpg.UniqueViolationError:
            raise Conflict("Device on loan", f"device {device_id} is lent out already; return it first") from None
        except asyncpg.CheckViolationError as exc:  # the database's own rules (migrations 0011, 0014)
            if exc.constraint_name == "loans_per_borrower":
                raise _too_many(rules) from None
            raise _not_wiped(device_id) from None
        await self._history(conn, device_id, now, "lent", loan_id=loan_id, due_at=due, by=by)
        # They took another device than the one kept for them: that one goes to the next person.
        for kept_elsewhere in await self.waitlist.close_for(conn, device["point_id"], device["kind"], key, device_id,
                                                            now):
            await self._offer_on(conn, kept_elsewhere, now)
        await self.waitlist.withdraw_offer_of(conn, device_id, now)
        point = await self.appointments.point(conn, device["point_id"])
        await self.outbox.append(conn, DeviceLent(producer=PRODUCER, payload=DeviceLentPayload(
            loan_id=loan_id, device_id=device_id, point_id=point.point_id, municipality=point.municipality,
            device_kind=device["kind"], due_at=due, contact=contact, language=language)))
        return loan_id

    async def renew(self, conn: asyncpg.Connection, loan_id: uuid.UUID, by: str, now: dt.datetime) -> Renewed:
        """Another loan period, unless the rules or someone waiting for this kind say no."""
        loan = await conn.fetchrow(
            f"""SELECT l.device_id, l.point_id, l.due_at, l.renewals, l.contact, l.language, d.kind
                FROM {self.schema}.loans l JOIN {self.schema}.devices d USING (device_id)
                WHERE l.loan_id = $1 AND l.returned_at IS NULL FOR UPDATE OF l""", loan_id)
        if loan is None:
            raise Conflict("No open loan", f"loan {loan_id} does not exist or was returned already")
        rules = await self.rules(conn, loan["point_id"])
        waiting = await self.waitlist.waiting(conn, loan["point_id"], loan["kind"])
        due = renewed_due(rules, loan["due_at"], loan["renewals"], now, loan["kind"], waiting)
        renewals = loan["renewals"] + 1
        await conn.execute(f"UPDATE {self.schema}.loans SET due_at = $2, renewals = $3 WHERE loan_id = $1",
                           loan_id, due, renewals)
        await self._history(conn, loan["device_id"], now, "renewed", loan_id=loan_id, due_at=due, by=by)
        point = await self.appointments.point(conn, loan["point_id"])
        await self.outbox.append(conn, DeviceLoanRenewed(producer=PRODUCER, payload=DeviceLoanRenewedPayload(
            loan_id=loan_id, device_id=loan["device_id"], point_id=point.point_id, municipality=point.municipality,
            device_kind=loan["kind"], previous_due_at=loan["due_at"], due_at=due, renewals=renewals,
            contact=ContactDetails.model_validate(loan["contact"]) if loan["contact"] else None,
            language=loan["language"])))
        return Renewed(due, renewals)

    async def give_back(self, conn: asyncpg.Connection, loan_id: uuid.UUID, condition: str, notes: str | None,
                        by: str, now: dt.datetime) -> None:
        """The device is back (or declared lost); in good condition it goes to whoever waits
        first for its kind at the point."""
        row = await conn.fetchrow(
            f"""UPDATE {self.schema}.loans SET returned_at = $2, condition = $3, notes = $4
                WHERE loan_id = $1 AND returned_at IS NULL RETURNING device_id, point_id""", loan_id, now, condition, notes)
        if row is None:
            raise Conflict("No open loan", f"loan {loan_id} does not exist or was returned already")
        kind = await conn.fetchval(f"UPDATE {self.schema}.devices SET condition = $2 WHERE device_id = $1 RETURNING kind",
                                   row["device_id"], condition)
        await self._history(conn, row["device_id"], now, "returned", loan_id=loan_id, condition=condition,
                            detail=notes, by=by)
        point = await self.appointments.point(conn, row["point_id"])
        await self.outbox.append(conn, DeviceReturned(producer=PRODUCER, payload=DeviceReturnedPayload(
            loan_id=loan_id, device_id=row["device_id"], point_id=point.point_id, municipality=point.municipality,
            returned_at=now, condition=condition, notes=notes)))
        if condition == "good":
            await self._offer(conn, point, kind, row["device_id"], now)

    async def _offer(self, conn: asyncpg.Connection, point: AssistancePoint, kind: str, device_id: str,
                     now: dt.datetime) -> None:
        """Offer a device that is free again to whoever waits first for its kind, held by the point's rules."""
        held = held_until(await self.rules(conn, point.point_id), now)
        if await self.waitlist.offer_next(conn, point, kind, device_id, now, held) is not None:
            await self._history(conn, device_id, now, "offered", due_at=held)

    async def sweep_lapsed_holds(self, conn: asyncpg.Connection, now: dt.datetime) -> int:
        """Holds that ended unused lapse; each device, still free and in good order, goes to the
        next person waiting for its kind (with a hold of its own)."""
        lapsed = await self.waitlist.lapse_ended_holds(conn, now)
        for hold in lapsed:
            await self._history(conn, hold.device_id, now, "hold_lapsed")
            await self._offer_on(conn, hold, now)
        return len(lapsed)

    async def release_hold(self, conn: asyncpg.Connection, device_id: str, by: str, now: dt.datetime) -> None:
        """The person the device is kept for does not want it: it goes to the next person waiting."""
        hold = await self.waitlist.release_hold_on(conn, device_id, now)
        if hold is None:
            raise Conflict("Not held", f"device {device_id} is kept for nobody")
        await self._history(conn, device_id, now, "hold_released", by=by)
        await self._offer_on(conn, hold, now)

    async def leave_waitlist(self, conn: asyncpg.Connection, point_id: str, entry_id: uuid.UUID,
                             now: dt.datetime) -> None:
        """The citizen waits no more; a device offered to them goes to the next person waiting."""
        offered = await self.waitlist.leave(conn, point_id, entry_id, now)
        if offered is not None:
            await self._offer_on(conn, offered, now)

    async def _offer_on(self, conn: asyncpg.Connection, hold: EndedOffer, now: dt.datetime) -> None:
        """Offer the device a hold was on (it lapsed, was released, or its person left the list)
        to the next person waiting, when it is still free and lendable."""
        # Lendable by the inventory's own rule (DeviceState.state): in good order, wiped, not on loan, kept for nobody.
        row = await conn.fetchrow(f"{self._states()} WHERE d.device_id = $1", hold.device_id)
        if row is not None and DeviceState(**dict(row)).state(now) == "available":
            await self._offer(conn, await self.appointments.point(conn, hold.point_id), hold.kind, hold.device_id, now)

    def _states(self) -> str:
        """Devices with their open loan, if any: the SELECT of a `DeviceState`."""
        return f"""SELECT d.device_id, d.kind, d.label, d.condition, d.donated_at IS NOT NULL AS donated,
                          d.wipe_required AND d.wiped_at IS NULL AS wipe_pending, l.loan_id, l.due_at, l.renewals,
                          w.held_until
                   FROM {self.schema}.devices d LEFT JOIN {self.schema}.loans l
                     ON l.device_id = d.device_id AND l.returned_at IS NULL
                   LEFT JOIN {self.schema}.device_waitlist w
                     ON w.offered_device_id = d.device_id AND w.closed_at IS NULL AND w.held_until IS NOT NULL"""

    async def inventory(self, conn: asyncpg.Connection, point_id: str) -> list[DeviceState]:
        await self.appointments.point(conn, point_id)
        rows = await conn.fetch(f"{self._states()} WHERE d.point_id = $1 ORDER BY d.device_id", point_id)
        return [DeviceState(**dict(r)) for r in rows]

    async def device(self, conn: asyncpg.Connection, device_id: str) -> tuple[DeviceState, list[HistoryEntry]]:
        """A device's state and its history, oldest first."""
        row = await conn.fetchrow(f"{self._states()} WHERE d.device_id = $1", device_id)
        if row is None:
            raise NotFound("Unknown device", f"there is no device {device_id}")
        history = await conn.fetch(
            f"""SELECT at, what, loan_id, due_at, condition, detail, by_whom FROM {self.schema}.device_history
                WHERE device_id = $1 ORDER BY at, entry_id""", device_id)
        return DeviceState(**dict(row)), [HistoryEntry(**dict(h)) for h in history]

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
