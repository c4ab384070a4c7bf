"""Appointments and their links in PostgreSQL (schema `booking`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from loket.contracts.values import ContactDetails
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.availability.slots import Busy

LIVE = ("booked", "checked_in")
# What blocks a helper's time: live appointments and slots held for someone on the waitlist.
BLOCKING = ("booked", "checked_in", "held")


@dataclass(frozen=True)
class Appointment:
    appointment_id: UUID
    point_id: str
    helper_id: str
    service: str
    language: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    contact: ContactDetails
    booked_via: str
    created_at: dt.datetime
    request_digest: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Appointment:
        return cls(row["appointment_id"], row["point_id"], row["helper_id"], row["service"], row["language"],
                   row["starts_at"], row["ends_at"], row["status"], ContactDetails.model_validate(row["contact"]),
                   row["booked_via"], row["created_at"], row["request_digest"])


@dataclass(frozen=True)
class NewAppointment:
    appointment_id: UUID
    point_id: str
    helper_id: str
    service: str
    language: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    blocked: tuple[dt.datetime, dt.datetime]
    contact: ContactDetails
    booked_via: str
    idempotency_key: str | None
    request_digest: str | None
    status: str = "booked"
    hold_until: dt.datetime | None = None
    waitlist_entry: UUID | None = None


_COLUMNS = ("appointment_id, point_id, helper_id, service, language, starts_at, ends_at, status, "
            "contact, booked_via, created_at, request_digest")
_A_COLUMNS = ("a.appointment_id, a.point_id, a.helper_id, a.service, a.language, a.starts_at, a.ends_at, a.status, "
              "a.contact, a.booked_via, a.created_at, a.request_digest")


async def _queue_for_helper(conn: asyncpg.Connection, helper_id: str) -> None:
    """Makes writers of one helper's time wait for each other, until the first one commits.

    Without it, two transactions inserting overlapping rows for the same helper each add their
    index entry, then each finds the other's uncommitted row while checking the exclusion
    constraint and waits for it: a deadlock, which PostgreSQL detects only after
    `deadlock_timeout` (1 s) and breaks by aborting one of them. Under a burst for one slot that
    cost seconds and ended in 503s. Queued on this lock, the second writer checks after the first
    has committed and gets a plain exclusion violation (409) at once. Callers try helpers in
    sorted order, so two bookings never take these locks in opposite orders."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 23))", f"helper:{helper_id}")


async def insert(conn: asyncpg.Connection, schema: str, a: NewAppointment) -> Appointment:
    """Raises asyncpg.ExclusionViolationError when the helper is already booked then, and
    UniqueViolationError when the idempotency key was used before."""
    await _queue_for_helper(conn, a.helper_id)
    row = await conn.fetchrow(
        f"""INSERT INTO {schema}.appointments (appointment_id, point_id, helper_id, service, language, starts_at,
                ends_at, blocked, status, contact, booked_via, idempotency_key, request_digest, hold_until,
                waitlist_entry)
            VALUES ($1, $2, $3, $4, $5, $6, $7, tstzrange($8, $9, '[)'), $14, $10, $11, $12, $13, $15, $16)
            RETURNING {_COLUMNS}""",
        a.appointment_id, a.point_id, a.helper_id, a.service, a.language, a.starts_at, a.ends_at, *a.blocked,
        a.contact.model_dump(mode="json"), a.booked_via, a.idempotency_key, a.request_digest, a.status, a.hold_until,
        a.waitlist_entry)
    return Appointment.from_row(row)


async def by_id(conn: asyncpg.Connection, schema: str, appointment_id: UUID, lock: bool = False) -> Appointment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM {schema}.appointments WHERE appointment_id = $1{' FOR UPDATE' if lock else ''}",
        appointment_id)
    return Appointment.from_row(row) if row else None


async def by_idempotency_key(conn: asyncpg.Connection, schema: str, key: str) -> Appointment | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM {schema}.appointments WHERE idempotency_key = $1", key)
    return Appointment.from_row(row) if row else None


async def busy(conn: asyncpg.Connection, schema: str, helper_ids: list[str], start: dt.datetime,
               end: dt.datetime) -> list[Busy]:
    rows = await conn.fetch(
        f"""SELECT helper_id, lower(blocked) AS b0, upper(blocked) AS b1 FROM {schema}.appointments
            WHERE helper_id = ANY($1::text[]) AND status = ANY($4::text[]) AND blocked && tstzrange($2, $3)""",
        helper_ids, start, end, list(BLOCKING))
    return [Busy(r["helper_id"], r["b0"], r["b1"]) for r in rows]


async def move(conn: asyncpg.Connection, schema: str, appointment_id: UUID, helper_id: str, starts_at: dt.datetime,
               ends_at: dt.datetime, blocked: tuple[dt.datetime, dt.datetime]) -> Appointment:
    """Raises asyncpg.ExclusionViolationError when the new time collides."""
    await _queue_for_helper(conn, helper_id)
    row = await conn.fetchrow(
        f"""UPDATE {schema}.appointments SET helper_id = $2, starts_at = $3, ends_at = $4,
                blocked = tstzrange($5, $6, '[)') WHERE appointment_id = $1 RETURNING {_COLUMNS}""",
        appointment_id, helper_id, starts_at, ends_at, *blocked)
    return Appointment.from_row(row)


async def set_status(conn: asyncpg.Connection, schema: str, appointment_id: UUID, status: str,
                     now: dt.datetime) -> Appointment:
    row = await conn.fetchrow(
        f"""UPDATE {schema}.appointments SET status = $2,
                checked_in_at = CASE WHEN $2 = 'checked_in' THEN $3 ELSE checked_in_at END,
                closed_at = CASE WHEN $2 IN ('attended', 'no_show', 'cancelled') THEN $3 ELSE closed_at END
            WHERE appointment_id = $1 RETURNING {_COLUMNS}""", appointment_id, status, now)
    return Appointment.from_row(row)


async def of_point_between(conn: asyncpg.Connection, schema: str, point_id: str, start: dt.datetime,
                           end: dt.datetime, statuses: tuple[str, ...] | None = None) -> list[Appointment]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM {schema}.appointments WHERE point_id = $1 AND starts_at >= $2 AND starts_at < $3
            AND ($4::text[] IS NULL OR status = ANY($4::text[])) ORDER BY starts_at, helper_id""",
        point_id, start, end, list(statuses) if statuses else None)
    return [Appointment.from_row(r) for r in rows]


async def claim_no_shows(conn: asyncpg.Connection, schema: str, started_before: dt.datetime, now: dt.datetime,
                         limit: int = 500) -> list[Appointment]:
    """Booked appointments whose grace period is over become no-shows (skipping rows another
    replica is handling, so the sweep can run on every replica)."""
    rows = await conn.fetch(
        # MATERIALIZED: the claim runs once (a rescanned SKIP LOCKED subquery claims more).
        f"""WITH due AS MATERIALIZED (
                SELECT appointment_id FROM {schema}.appointments WHERE status = 'booked' AND starts_at < $1
                ORDER BY starts_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.appointments a SET status = 'no_show', closed_at = $2
            FROM due WHERE a.appointment_id = due.appointment_id
            RETURNING {_A_COLUMNS}""",
        started_before, now, limit)
    return [Appointment.from_row(r) for r in rows]


@dataclass(frozen=True)
class LapsedHold:
    appointment_id: UUID
    waitlist_entry: UUID


async def expire_lapsed_holds(conn: asyncpg.Connection, schema: str, now: dt.datetime,
                              limit: int = 200) -> list[LapsedHold]:
    """Slots held for someone on the waitlist whose claim window is over become `expired`
    (freeing the helper's time), skipping rows another replica is handling."""
    rows = await conn.fetch(
        # MATERIALIZED: the claim runs once (a rescanned SKIP LOCKED subquery claims more).
        f"""WITH due AS MATERIALIZED (
                SELECT appointment_id FROM {schema}.appointments WHERE status = 'held' AND hold_until < $1
                ORDER BY hold_until LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.appointments a SET status = 'expired', closed_at = $1
            FROM due WHERE a.appointment_id = due.appointment_id
            RETURNING a.appointment_id, a.waitlist_entry""",
        now, limit)
    return [LapsedHold(r["appointment_id"], r["waitlist_entry"]) for r in rows]


# --- links -------------------------------------------------------------------------------

async def add_link(conn: asyncpg.Connection, schema: str, digest: str, appointment_id: UUID,
                   expires_at: dt.datetime) -> None:
    await conn.execute(f"INSERT INTO {schema}.appointment_links VALUES ($1, $2, $3, NULL)", digest, appointment_id,
                       expires_at)


@dataclass(frozen=True)
class Link:
    appointment_id: UUID
    expires_at: dt.datetime
    used_at: dt.datetime | None


async def link(conn: asyncpg.Connection, schema: str, digest: str) -> Link | None:
    row = await conn.fetchrow(
        f"SELECT appointment_id, expires_at, used_at FROM {schema}.appointment_links WHERE token_sha256 = $1 FOR UPDATE",
        digest)
    return Link(row["appointment_id"], row["expires_at"], row["used_at"]) if row else None


async def spend_links(conn: asyncpg.Connection, schema: str, appointment_id: UUID, now: dt.datetime) -> None:
    await conn.execute(
        f"UPDATE {schema}.appointment_links SET used_at = $2 WHERE appointment_id = $1 AND used_at IS NULL",
        appointment_id, now)



async def erase_past_contacts(conn: asyncpg.Connection, schema: str, now: dt.datetime, days: RetentionDays) -> int:
    """Blank the contact details of appointments that ended more than their municipality's
    `appointment_contact_days` ago and are settled (took place, missed, cancelled, expired): only
    the language stays, which the figures use. Idempotent: blanked rows have no phone or e-mail."""
    return await purged_rows(
        conn,
        f"""UPDATE {schema}.appointments a
            SET contact = jsonb_build_object('language', a.contact->'language', 'preferred_channels', '[]'::jsonb)
            FROM {schema}.assistance_points p
            WHERE p.point_id = a.point_id AND a.status NOT IN ('booked', 'checked_in', 'held')
              AND (a.contact->>'phone' IS NOT NULL OR a.contact->>'email' IS NOT NULL)
              AND {past_retention("a.ends_at", "p.municipality")}""",
        now, days)
