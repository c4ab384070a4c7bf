"""Confirming a citizen's phone number before a public booking, where the municipality asks for
it (`public_booking_sms_code` in its tenant entry): send a code, judge the code typed back, and
spend a confirmed check on the booking, in the booking's own transaction.

A wrong try must count even though no booking follows, so `confirm` commits on its own, before
the booking's transaction starts; `use` then refuses any citizen booking that needs a confirmed
number and has none, whichever way it came in (page or API).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.appointments import PhoneCodeRequested
from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from loket.infra.db.outbox import Outbox
from loket.infra.identity.tenant_directory import TenantDirectory
from services.booking.errors import BookingError, Conflict, Gone, Invalid, NotFound
from services.booking.phone_checks import repository as repo
from services.booking.phone_checks.codes import (
    CODE_VALID_FOR,
    MAX_CODES_PER_PHONE_PER_DAY,
    MAX_WRONG_TRIES,
    PhoneProof,
    Refusal,
    code_digest,
    judge,
    new_code,
    phone_digest,
    typed_code_key,
)
from services.booking.points.model import AssistancePoint

PRODUCER = "booking"


@dataclass(frozen=True)
class SentCode:
    check_id: uuid.UUID
    expires_at: dt.datetime


class PhoneChecks:
    def __init__(self, schema: str, outbox: Outbox, tenants: TenantDirectory, keys: ContactKeys) -> None:
        self.schema, self.outbox, self.tenants, self.keys = schema, outbox, tenants, keys

    def _phone_key(self, phone: str) -> str:
        """What is stored for a number: its digest keyed with the contact key secret."""
        return self.keys.keyed_from_digest(phone_digest(phone))

    async def key_plain_phone_digests(self, conn: asyncpg.Connection) -> int:
        """Key the number digests stored before keys had a secret (at start-up, in the caller's
        transaction); return how many checks changed."""
        return await repo.key_plain_phone_digests(conn, self.schema, self.keys)

    async def required(self, conn: asyncpg.Connection, municipality: str, contact: ContactDetails) -> bool:
        """Whether a public booking with this contact needs a confirmed phone number."""
        if contact.phone is None:
            return False  # e-mail only: nothing to pump
        tenant = (await self.tenants.known(conn)).get(municipality)  # not onboarded: off, the default
        return tenant is not None and tenant.public_booking_sms_code

    async def send_code(self, conn: asyncpg.Connection, point: AssistancePoint, contact: ContactDetails,
                        now: dt.datetime) -> SentCode:
        """A new code for the contact's phone number, sent by notify (through the outbox)."""
        if contact.phone is None:
            raise Invalid("Phone number needed", "a code can only be sent to a mobile phone number")
        digest = self._phone_key(contact.phone)
        if await repo.codes_since(conn, self.schema, digest, now - dt.timedelta(days=1)) >= MAX_CODES_PER_PHONE_PER_DAY:
            raise Conflict("Too many codes",
                           f"this number got {MAX_CODES_PER_PHONE_PER_DAY} codes in the last 24 hours; try again "
                           "tomorrow, or book with an e-mail address only")
        check_id, code, expires_at = uuid.uuid4(), new_code(), now + CODE_VALID_FOR
        await repo.insert(conn, self.schema, check_id, point.municipality, digest,
                          self.keys.keyed_from_digest(code_digest(check_id, code)), now, expires_at)
        await self.outbox.append(conn, PhoneCodeRequested(producer=PRODUCER, occurred_at=now, payload={
            "check_id": check_id, "point_id": point.point_id, "municipality": point.municipality,
            "point_name": point.name_in(contact.language), "phone": contact.phone, "language": contact.language,
            "code": code, "expires_at": expires_at}))
        return SentCode(check_id, expires_at)

    async def confirm(self, conn: asyncpg.Connection, proof: PhoneProof, phone: str, now: dt.datetime) -> None:
        """Judge a typed code, in a transaction of its own (call it outside the booking's): a
        wrong try is counted and stays counted. Raises why the code does not confirm `phone`."""
        async with conn.transaction():
            check = await repo.locked(conn, self.schema, proof.check_id)
            if check is None:
                raise NotFound("Unknown phone check", "there is no such code request; ask for a new code")
            code_key = typed_code_key(check, proof.code, self.keys.keyed_from_digest)
            refusal = judge(check, code_key, self._phone_key(phone), now)
            if refusal is Refusal.WRONG:
                await repo.count_wrong_try(conn, self.schema, check.check_id)
            elif refusal is None:
                await repo.confirm(conn, self.schema, check.check_id, now)
        if refusal is not None:
            raise _refused(refusal, MAX_WRONG_TRIES - check.wrong_tries - 1)

    async def use(self, conn: asyncpg.Connection, municipality: str, contact: ContactDetails,
                  proof: PhoneProof | None, now: dt.datetime) -> None:
        """Spend the citizen's confirmed check on this booking, where one is required."""
        if not await self.required(conn, municipality, contact):
            return
        if proof is None:
            raise Invalid("Phone number not confirmed",
                          "this municipality confirms phone numbers before a booking: ask for a code "
                          "(POST /public/phone-checks) and send the check id and the code with the booking")
        assert contact.phone is not None  # required() said so
        if not await repo.use(conn, self.schema, proof.check_id, self._phone_key(contact.phone), now):
            raise Gone("Phone number not confirmed",
                       "this code has not been confirmed for this number, was used already or is too old; "
                       "ask for a new code")

    async def erase_older_than(self, conn: asyncpg.Connection, before: dt.datetime) -> int:
        return await repo.erase_older_than(conn, self.schema, before)


def _refused(refusal: Refusal, tries_left: int) -> BookingError:
    if refusal is Refusal.WRONG:
        return Invalid("Wrong code", f"that is not the code we sent; {max(0, tries_left)} tries left")
    if refusal is Refusal.OTHER_NUMBER:
        return Invalid("Code for another number", "this code was sent to another phone number; ask for a new code")
    if refusal is Refusal.USED:
        return Gone("Code used", "this code was used for a booking already; ask for a new code")
    if refusal is Refusal.TOO_MANY_TRIES:
        return Gone("Too many wrong codes", "the code was typed wrong too often; ask for a new code")
    return Gone("Code expired", f"a code is valid for {CODE_VALID_FOR.seconds // 60} minutes; ask for a new code")
