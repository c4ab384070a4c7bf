"""Notifications and opt-outs in PostgreSQL: the one module that writes notify's tables.

`NotifyRepository` binds the statements to the service's schema; the handlers, the dispatcher
and the routes are given one, and the planning handler's tests give a fake of it instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from loket.infra.db.plain_digests import key_plain_digests, plain_digests
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.notify.planning import Planned
from services.notify.throttle import Sent

_PREFIX_LOCK_SALT = 0x5F1  # apart from the citizens' locks
_CITIZEN_LOCK_SALT = 0x5E4D  # keeps these advisory locks apart from the outbox's and others'
_KEYING_LOCK_SALT = 0x5E4E


@dataclass(frozen=True)
class Notification:
    notification_id: UUID
    dedupe_key: str
    kind: str
    trigger_event_id: UUID
    trigger_aggregate_id: str
    municipality: str | None
    language: str
    contact: ContactDetails
    contact_key: str
    channels: list[str]
    channel_index: int
    context: dict[str, Any]
    status: str
    due_at: dt.datetime
    event_at: dt.datetime
    attempts: int
    provider_ref: str | None
    lease_until: dt.datetime | None  # as read: an outcome is written only while the row still has it

    @property
    def channel(self) -> str:
        return self.channels[self.channel_index]

    def idempotency_key(self) -> str:
        """Per message and channel: what the provider de-duplicates on."""
        return f"{self.dedupe_key}:{self.channel}"

    def channel_notification_id(self) -> UUID:
        """The id in events: one per channel tried, so a fallback to e-mail is its own notification."""
        return uuid.uuid5(self.notification_id, self.channel)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Notification:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["contact"] = ContactDetails.model_validate(row["contact"])
        return cls(**values)


_COLUMNS = ", ".join(Notification.__dataclass_fields__)
_N_COLUMNS = ", ".join(f"n.{c}" for c in Notification.__dataclass_fields__)


# A message's contact once erased (retention or a citizen's erasure): the language stays for the
# figures; the phone number, e-mail address and their hash (reversible by trying every number) go.
_BLANK_CONTACT = ("contact = jsonb_build_object('language', n.contact->'language', 'preferred_channels', '[]'::jsonb), "
                  "contact_key = 'erased'")


class NotifyRepository:
    def __init__(self, schema: str, keys: ContactKeys) -> None:
        self.schema, self.keys = schema, keys

    async def erase_past_contacts(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank the phone number, e-mail address and their hash (a phone number's hash is
        reversible by trying every number) of messages finished more than their municipality's
        `contact_days` ago. What was sent, when and how it ended stays for the figures."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.notifications n
                SET {_BLANK_CONTACT}
                WHERE n.finished_at IS NOT NULL AND n.contact_key <> 'erased'
                  AND {past_retention("n.finished_at", "n.municipality")}""",
            now, days)

    async def erase_contacts_of(self, conn: asyncpg.Connection, aggregate_id: str) -> int:
        """Erasure of the citizen a trigger (a letter) was for: its waiting messages are cancelled
        and every message's contact blanked as `erase_past_contacts` does. Idempotent."""
        status = await conn.execute(
            f"""UPDATE {self.schema}.notifications n
                SET {_BLANK_CONTACT},
                    status = CASE WHEN n.status = 'created' THEN 'cancelled' ELSE n.status END,
                    finished_at = CASE WHEN n.status = 'created' THEN now() ELSE n.finished_at END
                WHERE n.trigger_aggregate_id = $1 AND n.contact_key <> 'erased'""",
            aggregate_id)
        return int(status.split()[-1])

    async def insert_planned(self, conn: asyncpg.Connection, planned: list[Planned]) -> int:
        if not planned:
            return 0
        status = await conn.execute(
            f"""INSERT INTO {self.schema}.notifications (notification_id, dedupe_key, kind, trigger_event_id,
                    trigger_aggregate_id, municipality, language, contact, contact_key, channels, context, status,
                    due_at, event_at)
                SELECT n.id, n.dedupe, n.kind, n.event, n.aggregate, n.municipality, n.language, n.contact, n.ckey,
                       string_to_array(n.channels, ','), n.context, CASE WHEN n.channels = '' THEN 'permanent-failure'
                       ELSE 'created' END, n.due, n.event_at
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                            $8::jsonb[], $9::text[], $10::text[], $11::jsonb[], $12::timestamptz[],
                            $13::timestamptz[])
                     AS n(id, dedupe, kind, event, aggregate, municipality, language, contact, ckey, channels, context,
                          due, event_at)
                ON CONFLICT (dedupe_key) DO NOTHING""",
            [uuid.uuid4() for _ in planned], [p.dedupe_key for p in planned], [p.kind for p in planned],
            [p.trigger_event_id for p in planned], [p.aggregate_id for p in planned],
            [p.municipality for p in planned], [p.language for p in planned],
            [p.contact.model_dump(mode="json") for p in planned], [self.keys.of(p.contact) for p in planned],
            [",".join(p.channels) for p in planned], [p.context for p in planned], [p.due_at for p in planned],
            [p.event_at for p in planned])
        return int(status.split()[-1])

    async def cancel_pending(self, conn: asyncpg.Connection, aggregate_id: str, kinds: tuple[str, ...],
                             before_event_at: dt.datetime) -> int:
        """Drop waiting messages of an aggregate planned by earlier events (not by this one)."""
        status = await conn.execute(
            f"""UPDATE {self.schema}.notifications SET status = 'cancelled', finished_at = now()
                WHERE trigger_aggregate_id = $1 AND status = 'created' AND kind = ANY($2::text[])
                  AND event_at < $3""",
            aggregate_id, list(kinds), before_event_at)
        return int(status.split()[-1])

    async def claim_due(self, conn: asyncpg.Connection, now: dt.datetime, lease_until: dt.datetime,
                        limit: int) -> list[Notification]:
        """Due messages, and in-flight ones whose worker died before the provider answered."""
        rows = await conn.fetch(
            # MATERIALIZED: the claim runs once (a rescanned SKIP LOCKED subquery claims more).
            f"""WITH due AS MATERIALIZED (
                    SELECT notification_id FROM {self.schema}.notifications
                    WHERE (status = 'created' AND due_at <= $1)
                       OR (status = 'sending' AND provider_ref IS NULL AND lease_until < $1)
                    ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                UPDATE {self.schema}.notifications n SET status = 'sending', lease_until = $2,
                    attempts = n.attempts + 1
                FROM due WHERE n.notification_id = due.notification_id RETURNING {_N_COLUMNS}""", now, lease_until, limit)
        return [Notification.from_row(r) for r in rows]

    async def set_outcome(self, conn: asyncpg.Connection, n: Notification, *, status: str,
                          provider_ref: str | None = None, reason: str | None = None,
                          due_at: dt.datetime | None = None, channel_index: int | None = None,
                          sent_at: dt.datetime | None = None, finished: dt.datetime | None = None,
                          refund_attempt: bool = False) -> bool:
        """False when the row has left the lease `n` was read with (another round claimed it after
        the lease ran out): that round records the outcome, this one nothing."""
        status_line = await conn.execute(
            f"""UPDATE {self.schema}.notifications SET status = $2, provider_ref = coalesce($3, provider_ref),
                    failure_reason = coalesce($4, failure_reason), due_at = coalesce($5, due_at),
                    channel_index = coalesce($6, channel_index), sent_at = coalesce($7, sent_at),
                    finished_at = coalesce($8, finished_at), lease_until = NULL,
                    attempts = attempts - CASE WHEN $9 THEN 1 ELSE 0 END
                WHERE notification_id = $1 AND lease_until IS NOT DISTINCT FROM $10""",
            n.notification_id, status, provider_ref, reason, due_at, channel_index, sent_at, finished,
            refund_attempt, n.lease_until)
        return status_line != "UPDATE 0"

    async def sms_sent_by_prefix(self, conn: asyncpg.Connection, prefixes: list[str], length: int,
                                 since: dt.datetime, most: int, now: dt.datetime, lease_s: float,
                                 claimed: list[UUID]) -> dict[str, list[Sent]]:
        """Per number prefix (the first `length` characters of the E.164 number), when SMS went
        to it since `since`, and SMS to it another round (of any replica) claimed and is sending
        right now, stamped with when that round claimed them (`lease_until - lease_s`): the
        latest `most`, enough to tell whether a cap of `most` is full. Call it under
        `lock_prefixes`: then no round's claim of these prefixes is unseen."""
        rows = await conn.fetch(
            f"""SELECT p.prefix, s.sent_at, s.notification_id FROM unnest($1::text[]) AS p(prefix)
                CROSS JOIN LATERAL (
                    SELECT sent_at, notification_id FROM (
                        SELECT sent_at, notification_id FROM {self.schema}.notifications
                        WHERE sent_at >= $3 AND channels[channel_index + 1] = 'sms'
                          AND left(contact->>'phone', $2) = p.prefix
                        UNION ALL
                        SELECT lease_until - make_interval(secs => $7), notification_id FROM {self.schema}.notifications
                        WHERE status = 'sending' AND sent_at IS NULL AND lease_until >= $5
                          AND channels[channel_index + 1] = 'sms' AND left(contact->>'phone', $2) = p.prefix
                          AND notification_id <> ALL($6::uuid[])) recent
                    ORDER BY sent_at DESC LIMIT $4) s""", prefixes, length, since, most, now, claimed, lease_s)
        found: dict[str, list[Sent]] = {}
        for r in rows:
            found.setdefault(r["prefix"], []).append(Sent(r["sent_at"], r["notification_id"]))
        for sends in found.values():
            sends.sort()
        return found

    async def lock_prefixes(self, conn: asyncpg.Connection, prefixes: list[str]) -> None:
        """Like `lock_citizens`, for number prefixes: the daily cap per prefix holds across
        replicas. Taken after the citizens' locks in every round, so no two rounds wait in a circle."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(k, $2)) FROM unnest($1::text[]) AS k",
                           sorted(prefixes), _PREFIX_LOCK_SALT)

    async def sent_since(self, conn: asyncpg.Connection, keys: list[str], since: dt.datetime, now: dt.datetime,
                         lease_s: float, claimed: list[UUID]) -> dict[str, list[Sent]]:
        """Per citizen, when messages were sent since `since`; and those another round (of this
        or another replica) claimed and is sending right now, not yet recorded, stamped with when
        that round claimed them (`lease_until - lease_s`); each with its notification id, by which
        a send this process also decided counts once. Call it under `lock_citizens`: then no
        round's claim of these citizens is unseen."""
        rows = await conn.fetch(
            f"""SELECT contact_key, sent_at, notification_id FROM {self.schema}.notifications
                WHERE contact_key = ANY($1::text[]) AND sent_at >= $2
                UNION ALL
                SELECT contact_key, lease_until - make_interval(secs => $5), notification_id FROM {self.schema}.notifications
                WHERE contact_key = ANY($1::text[]) AND status = 'sending' AND sent_at IS NULL
                  AND lease_until >= $3 AND notification_id <> ALL($4::uuid[])
                ORDER BY 2""", keys, since, now, claimed, lease_s)
        found: dict[str, list[Sent]] = {}
        for r in rows:
            found.setdefault(r["contact_key"], []).append(Sent(r["sent_at"], r["notification_id"]))
        return found

    async def lock_citizens(self, conn: asyncpg.Connection, keys: list[str]) -> None:
        """Until this transaction ends, no other round (in any replica) reads these citizens'
        sends: two rounds claiming messages for one citizen decide one after the other, each
        seeing the other's claim. Sorted, so two rounds never wait on each other in a circle."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(k, $2)) FROM unnest($1::text[]) AS k",
                           sorted(keys), _CITIZEN_LOCK_SALT)

    async def opted_out_keys(self, conn: asyncpg.Connection, keys: list[str]) -> set[str]:
        rows = await conn.fetch(
            f"SELECT contact_key FROM {self.schema}.opt_outs WHERE contact_key = ANY($1::text[])", keys)
        return {r["contact_key"] for r in rows}

    async def add_opt_out(self, conn: asyncpg.Connection, contact: ContactDetails) -> None:
        await conn.execute(
            f"INSERT INTO {self.schema}.opt_outs (contact_key) VALUES ($1) ON CONFLICT DO NOTHING",
            self.keys.of(contact))

    async def key_plain_contact_digests(self, conn: asyncpg.Connection) -> int:
        """Replace the plain SHA-256 contact keys written before keys had a secret with their
        keyed form (`ContactKeys.keyed_from_digest`); return how many rows changed. Idempotent,
        and one replica at a time (the others wait and then find nothing left to do)."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", self.schema, _KEYING_LOCK_SALT)
        messages = await key_plain_digests(conn, f"{self.schema}.notifications", "contact_key", self.keys)
        plain = await plain_digests(conn, f"{self.schema}.opt_outs", "contact_key")
        if not plain:
            return messages
        # An opt-out may exist in both forms (recorded again by a replica already keying): keep one.
        await conn.execute(
            f"INSERT INTO {self.schema}.opt_outs (contact_key, created_at) "
            f"SELECT k.keyed, o.created_at FROM {self.schema}.opt_outs AS o "
            "JOIN unnest($1::text[], $2::text[]) AS k(plain, keyed) ON o.contact_key = k.plain "
            "ON CONFLICT DO NOTHING", plain, [self.keys.keyed_from_digest(p) for p in plain])
        opt_outs = await conn.execute(f"DELETE FROM {self.schema}.opt_outs WHERE contact_key = ANY($1::text[])", plain)
        return messages + int(opt_outs.split()[-1])

    async def lock_provider_ref(self, conn: asyncpg.Connection, ref: str) -> None:
        """Serialises a receipt and the recording of the send it answers (held until commit).
        Taken before any row lock on both sides, so the two cannot deadlock."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", ref)

    async def hold_receipt(self, conn: asyncpg.Connection, ref: str, status: str, reason: str) -> None:
        await conn.execute(f"DELETE FROM {self.schema}.early_receipts WHERE received_at < now() - interval '1 day'")
        await conn.execute(
            f"""INSERT INTO {self.schema}.early_receipts (provider_ref, status, reason) VALUES ($1, $2, $3)
                ON CONFLICT (provider_ref) DO NOTHING""", ref, status, reason)

    async def take_early_receipt(self, conn: asyncpg.Connection, ref: str) -> tuple[str, str] | None:
        row = await conn.fetchrow(
            f"DELETE FROM {self.schema}.early_receipts WHERE provider_ref = $1 RETURNING status, reason", ref)
        return (row["status"], row["reason"]) if row else None

    async def by_provider_ref(self, conn: asyncpg.Connection, ref: str) -> Notification | None:
        row = await conn.fetchrow(
            f"SELECT {_COLUMNS} FROM {self.schema}.notifications WHERE provider_ref = $1 FOR UPDATE", ref)
        return Notification.from_row(row) if row else None

    async def waiting_count(self, conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(f"SELECT count(*) FROM {self.schema}.notifications WHERE status = 'created'"))
