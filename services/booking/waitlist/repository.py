"""Waitlist entries in PostgreSQL (schema `booking`). The slots held for them are appointments,
written by the appointments repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from loket.contracts.values import ContactDetails
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows


@dataclass(frozen=True)
class Entry:
    entry_id: UUID
    point_id: str
    service: str
    language: str
    contact: ContactDetails


async def add(conn: asyncpg.Connection, schema: str, entry_id: UUID, point_id: str, service: str, language: str,
              earliest: dt.date, latest: dt.date, contact: ContactDetails) -> int:
    """Returns the place in line (1 = next)."""
    await conn.execute(
        f"""INSERT INTO {schema}.waitlist_entries (entry_id, point_id, service, language, earliest, latest, contact,
                status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting')""",
        entry_id, point_id, service, language, earliest, latest, contact.model_dump(mode="json"))
    return int(await conn.fetchval(
        f"""SELECT count(*) FROM {schema}.waitlist_entries WHERE point_id = $1 AND service = $2 AND language = $3
            AND status = 'waiting'""", point_id, service, language))


async def next_waiting(conn: asyncpg.Connection, schema: str, point_id: str, service: str, language: str,
                       day: dt.date) -> Entry | None:
    """The longest-waiting person whose wished dates include `day`, locked so two freed slots
    are never offered to the same person."""
    row = await conn.fetchrow(
        f"""SELECT entry_id, point_id, service, language, contact FROM {schema}.waitlist_entries
            WHERE point_id = $1 AND service = $2 AND language = $3 AND status = 'waiting'
              AND earliest <= $4 AND latest >= $4
            ORDER BY created_at, entry_id LIMIT 1 FOR UPDATE SKIP LOCKED""", point_id, service, language, day)
    if row is None:
        return None
    return Entry(row["entry_id"], row["point_id"], row["service"], row["language"],
                 ContactDetails.model_validate(row["contact"]))


async def set_status(conn: asyncpg.Connection, schema: str, entry_id: UUID, status: str) -> None:
    await conn.execute(f"UPDATE {schema}.waitlist_entries SET status = $2 WHERE entry_id = $1", entry_id, status)


async def erase_past_contacts(conn: asyncpg.Connection, schema: str, now: dt.datetime, days: RetentionDays) -> int:
    """Blank the contact details of waitlist entries whose wish window closed more than the
    municipality's `contact_days` ago and that no longer wait for an offer."""
    return await purged_rows(
        conn,
        f"""UPDATE {schema}.waitlist_entries w
            SET contact = jsonb_build_object('language', w.contact->'language', 'preferred_channels', '[]'::jsonb)
            FROM {schema}.assistance_points p
            WHERE p.point_id = w.point_id AND w.status NOT IN ('waiting', 'offered')
              AND (w.contact->>'phone' IS NOT NULL OR w.contact->>'email' IS NOT NULL)
              AND {past_retention("w.latest::timestamptz", "p.municipality")}""",
        now, days)
