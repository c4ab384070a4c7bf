"""A waitlist per device kind at a point: citizens join with a contact and a language; when a
device of that kind comes back in good condition the first one still waiting is offered it
(`DeviceAvailable`, which notify turns into "a laptop is ready for you"). The device is then
held for them until `held_until` (the point's `offer_hold_days`): lending it to anyone else is
refused meanwhile. Their entry closes when they borrow a device of that kind; a hold that ends
unused lapses (the entry closes, and the device is offered to the next person waiting); with
holds off (0 days) they wait again, in their first place, if the device went to someone else.
The only writer of `device_waitlist`."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.devices import DeviceAvailable, DeviceAvailablePayload
from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from loket.infra.db.outbox import Outbox
from loket.infra.db.plain_digests import plain_digests, replace_digests
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.errors import Conflict, NotFound
from services.booking.loans.borrowers import borrower_key
from services.booking.points.model import AssistancePoint

PRODUCER = "booking"


@dataclass(frozen=True)
class WaitingEntry:
    entry_id: uuid.UUID
    kind: str
    language: str
    joined_at: dt.datetime
    offered_at: dt.datetime | None
    offered_device_id: str | None
    held_until: dt.datetime | None = None


@dataclass(frozen=True)
class Hold:
    """A device kept for the person on the waitlist it was offered to."""

    entry_id: uuid.UUID
    borrower_key: str
    until: dt.datetime


@dataclass(frozen=True)
class EndedOffer:
    """An entry closed while a device was offered to it (its hold lapsed or was released, its
    person left the list or took another device): the device may go to the next person waiting."""

    entry_id: uuid.UUID
    point_id: str
    kind: str
    device_id: str

    @classmethod
    def of(cls, row: asyncpg.Record) -> EndedOffer:
        """From a row _RETURNING_ENDED_OFFER gave back."""
        return cls(row["entry_id"], row["point_id"], row["kind"], row["offered_device_id"])


_RETURNING_ENDED_OFFER = "RETURNING entry_id, point_id, kind, offered_device_id"


class DeviceWaitlist:
    def __init__(self, schema: str, outbox: Outbox, keys: ContactKeys) -> None:
        self.schema, self.outbox, self.keys = schema, outbox, keys

    async def join(self, conn: asyncpg.Connection, point_id: str, kind: str, contact: ContactDetails,
                   now: dt.datetime) -> uuid.UUID:
        entry_id = uuid.uuid4()
        try:
            async with conn.transaction():
                await conn.execute(
                    f"""INSERT INTO {self.schema}.device_waitlist
                            (entry_id, point_id, kind, borrower_key, language, contact, joined_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                    entry_id, point_id, kind, borrower_key(contact, self.keys), contact.language,
                    contact.model_dump(mode="json"), now)
        except asyncpg.UniqueViolationError:
            raise Conflict("Already waiting", f"this citizen is on the {kind} waitlist of this point already") from None
        return entry_id

    async def key_plain_borrower_digests(self, conn: asyncpg.Connection) -> int:
        """Key the plain SHA-256 borrower keys of entries made before keys had a secret; return
        how many changed. Someone waiting under both forms (a replica still on plain keys let
        them join again) keeps one place, the keyed one."""
        table = f"{self.schema}.device_waitlist"
        plain = await plain_digests(conn, table, "borrower_key")
        keyed = [self.keys.keyed_from_digest(p) for p in plain]
        if plain:
            await conn.execute(
                f"""UPDATE {table} AS w SET closed_at = clock_timestamp()
                    FROM unnest($1::text[], $2::text[]) AS k(plain, keyed)
                    WHERE w.borrower_key = k.plain AND w.closed_at IS NULL
                      AND EXISTS (SELECT 1 FROM {table} AS o WHERE o.point_id = w.point_id
                                  AND o.kind = w.kind AND o.borrower_key = k.keyed AND o.closed_at IS NULL)""",
                plain, keyed)
        return await replace_digests(conn, table, "borrower_key", plain, keyed)

    async def entries(self, conn: asyncpg.Connection, point_id: str) -> list[WaitingEntry]:
        """Open entries (waiting or offered), first come first, without their contact details."""
        rows = await conn.fetch(
            f"""SELECT entry_id, kind, language, joined_at, offered_at, offered_device_id, held_until
                FROM {self.schema}.device_waitlist WHERE point_id = $1 AND closed_at IS NULL
                ORDER BY kind, joined_at, entry_id""", point_id)
        return [WaitingEntry(**dict(r)) for r in rows]

    async def waiting(self, conn: asyncpg.Connection, point_id: str, kind: str) -> int:
        """How many wait for a device of `kind` here and were offered none yet (whoever was
        offered one has that returned device set aside)."""
        return int(await conn.fetchval(
            f"""SELECT count(*) FROM {self.schema}.device_waitlist
                WHERE point_id = $1 AND kind = $2 AND closed_at IS NULL AND offered_at IS NULL""", point_id, kind))

    async def offer_next(self, conn: asyncpg.Connection, point: AssistancePoint, kind: str, device_id: str,
                         now: dt.datetime, held_until: dt.datetime | None) -> uuid.UUID | None:
        """Offer the returned device to the first person still waiting who was offered nothing yet,
        held for them until `held_until` (None: not held)."""
        row = await conn.fetchrow(
            f"""WITH first AS (
                    SELECT entry_id FROM {self.schema}.device_waitlist
                    WHERE point_id = $1 AND kind = $2 AND closed_at IS NULL AND offered_at IS NULL
                    ORDER BY joined_at, entry_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                UPDATE {self.schema}.device_waitlist w SET offered_at = $3, offered_device_id = $4, held_until = $5
                FROM first WHERE w.entry_id = first.entry_id
                RETURNING w.entry_id, w.language, w.contact""", point.point_id, kind, now, device_id, held_until)
        if row is None:
            return None
        await self.outbox.append(conn, DeviceAvailable(producer=PRODUCER, payload=DeviceAvailablePayload(
            entry_id=row["entry_id"], device_id=device_id, device_kind=kind, point_id=point.point_id,
            point_name=point.name_in(row["language"]), municipality=point.municipality,
            contact=ContactDetails.model_validate(row["contact"]),
            language=row["language"], held_until=held_until)))
        return row["entry_id"]

    async def hold_on(self, conn: asyncpg.Connection, device_id: str, now: dt.datetime) -> Hold | None:
        """The hold on the device now, if it is kept for someone."""
        row = await conn.fetchrow(
            f"""SELECT entry_id, borrower_key, held_until FROM {self.schema}.device_waitlist
                WHERE offered_device_id = $1 AND closed_at IS NULL AND held_until > $2""", device_id, now)
        return Hold(row["entry_id"], row["borrower_key"], row["held_until"]) if row else None

    async def release_hold_on(self, conn: asyncpg.Connection, device_id: str, now: dt.datetime) -> EndedOffer | None:
        """The person a device is kept for does not want it (they said so at the counter): their
        hold lapses now, as an unused one does at its end."""
        row = await conn.fetchrow(
            f"""UPDATE {self.schema}.device_waitlist SET closed_at = $2, lapsed_at = $2
                WHERE offered_device_id = $1 AND closed_at IS NULL AND held_until > $2
                {_RETURNING_ENDED_OFFER}""", device_id, now)
        return EndedOffer.of(row) if row else None

    async def lapse_ended_holds(self, conn: asyncpg.Connection, now: dt.datetime) -> list[EndedOffer]:
        """Close the entries whose hold ended unused (at most 500 a call; replicas skip each other's)."""
        rows = await conn.fetch(
            # MATERIALIZED: the claim runs once (a rescanned SKIP LOCKED subquery claims more).
            f"""WITH ended AS MATERIALIZED (
                    SELECT entry_id FROM {self.schema}.device_waitlist
                    WHERE closed_at IS NULL AND held_until IS NOT NULL AND held_until <= $1
                    ORDER BY held_until LIMIT 500 FOR UPDATE SKIP LOCKED)
                UPDATE {self.schema}.device_waitlist w SET closed_at = $1, lapsed_at = $1
                FROM ended WHERE w.entry_id = ended.entry_id
                RETURNING w.entry_id, w.point_id, w.kind, w.offered_device_id""", now)
        return [EndedOffer.of(r) for r in rows]

    async def close_for(self, conn: asyncpg.Connection, point_id: str, kind: str, key: str, device_id: str,
                        now: dt.datetime) -> list[EndedOffer]:
        """The borrower got `device_id`, of the kind they waited for: they wait no more. Returns
        another device that had been offered to them, if any, for the next person waiting."""
        rows = await conn.fetch(
            f"""UPDATE {self.schema}.device_waitlist SET closed_at = $4
                WHERE point_id = $1 AND kind = $2 AND borrower_key = $3 AND closed_at IS NULL
                {_RETURNING_ENDED_OFFER}""",
            point_id, kind, key, now)
        return [EndedOffer.of(r) for r in rows
                if r["offered_device_id"] is not None and r["offered_device_id"] != device_id]

    async def leave(self, conn: asyncpg.Connection, point_id: str, entry_id: uuid.UUID,
                    now: dt.datetime) -> EndedOffer | None:
        """The citizen waits no more (found a device elsewhere, changed their mind); returns the
        device that was offered to them, if one was, for the next person waiting."""
        row = await conn.fetchrow(
            f"""UPDATE {self.schema}.device_waitlist SET closed_at = $3
                WHERE entry_id = $1 AND point_id = $2 AND closed_at IS NULL
                {_RETURNING_ENDED_OFFER}""", entry_id, point_id, now)
        if row is None:
            raise NotFound("Unknown waitlist entry",
                           f"nobody waits at {point_id} under entry {entry_id} (unknown, or no longer waiting)")
        if row["offered_device_id"] is None:
            return None
        return EndedOffer.of(row)

    async def withdraw_offer_of(self, conn: asyncpg.Connection, device_id: str, now: dt.datetime) -> None:
        """The device offered to someone went to another borrower (its hold, if any, had ended):
        a lapsed hold closes their entry, as the sweeper would have; an offer that held nothing
        puts them back in their first place, waiting for the next one of its kind."""
        await conn.execute(
            f"""UPDATE {self.schema}.device_waitlist SET closed_at = $2, lapsed_at = $2
                WHERE offered_device_id = $1 AND closed_at IS NULL AND held_until IS NOT NULL""", device_id, now)
        await conn.execute(
            f"""UPDATE {self.schema}.device_waitlist SET offered_at = NULL, offered_device_id = NULL
                WHERE offered_device_id = $1 AND closed_at IS NULL AND held_until IS NULL""", device_id)

    async def erase_past_contacts(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank the contact of entries offered or closed `contact_days` ago (the entry stays
        for the figures; its borrower key is a hash)."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.device_waitlist w SET contact = NULL
                FROM {self.schema}.assistance_points p
                WHERE p.point_id = w.point_id AND w.contact IS NOT NULL
                  AND (w.offered_at IS NOT NULL OR w.closed_at IS NOT NULL)
                  AND {past_retention("coalesce(w.offered_at, w.closed_at)", "p.municipality")}""",
            now, days)
