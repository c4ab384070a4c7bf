"""Contact hashes stored before they were keyed with a secret are keyed at the next start, on
real PostgreSQL, and keep doing their job: a borrower at their maximum stays at it, someone
waiting cannot join twice, an opt-out still stops every message, a pending phone check still
names its number. The plain digests are gone."""

from __future__ import annotations

import uuid
from pathlib import Path

from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import is_keyed
from loket.infra.db.schema import migrate_service_schema
from services.booking.loans.rules import LoanRules
from services.booking.phone_checks.codes import phone_digest
from services.notify.repository import NotifyRepository
from tests.support.booking_harness import running_booking
from tests.support.contact_keys import run_contact_keys

EUPEN = "eupen-digibank"
NOTIFY_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "notify" / "migrations"


async def unkey(pool, table: str, keyed: str, plain: str) -> int:  # type: ignore[no-untyped-def]
    """Put a row back as it was stored before keys had a secret."""
    status = await pool.execute(f"UPDATE booking.{table} SET borrower_key = $2 WHERE borrower_key = $1", keyed, plain)
    return int(status.split()[-1])


async def test_a_restarted_booking_keys_old_borrower_hashes_and_still_counts_their_loans(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    borrower = ContactDetails(phone="+32470556677", language="de")
    waiting = ContactDetails(email="wartet@example.org", language="de")
    keys = run_contact_keys()
    devices = [f"keyup-tab-{uuid.uuid4().hex[:6]}-{n}" for n in range(LoanRules().max_active_loans + 1)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        for device_id in devices:
            assert (await booking.call("POST", f"/backoffice/points/{EUPEN}/devices", "admin",
                                       json={"device_id": device_id, "kind": "tablet", "label": device_id}))[0] == 201
        for device_id in devices[:-1]:
            status, body = await booking.call("POST", "/staff/loans", "admin", json={
                "device_id": device_id, "language": "de", "contact": borrower.model_dump(exclude_none=True)})
            assert status == 201, body
        status, body = await booking.call("POST", f"/staff/points/{EUPEN}/device-waitlist", "admin", json={
            "kind": "laptop", "contact": waiting.model_dump(exclude_none=True)})
        assert status == 201, body
    # As the rows were before this version: their keys the plain SHA-256 of the phone / address,
    # and a phone check's number digest unkeyed too.
    assert await unkey(pool, "loans", keys.of(borrower), borrower.digest()) == len(devices) - 1
    assert await unkey(pool, "device_waitlist", keys.of(waiting), waiting.digest()) == 1
    check_id = uuid.uuid4()
    await pool.execute("INSERT INTO booking.phone_checks (check_id, municipality, phone_digest, code_digest, "
                       "created_at, expires_at) VALUES ($1, '12025', $2, 'c', now(), now() + interval '10 minutes')",
                       check_id, phone_digest(borrower.phone))

    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, seed=False) as booking:  # the upgrade
        status, body = await booking.call("POST", "/staff/loans", "admin", json={
            "device_id": devices[-1], "language": "de", "contact": borrower.model_dump(exclude_none=True)})
        assert (status, body.get("title")) == (409, "Too many loans"), body
        status, body = await booking.call("POST", f"/staff/points/{EUPEN}/device-waitlist", "admin", json={
            "kind": "laptop", "contact": waiting.model_dump(exclude_none=True)})
        assert (status, body.get("title")) == (409, "Already waiting"), body

    assert await pool.fetchval("SELECT phone_digest FROM booking.phone_checks WHERE check_id = $1",
                               check_id) == keys.keyed_from_digest(phone_digest(borrower.phone))
    for table, contact in (("loans", borrower), ("device_waitlist", waiting)):
        stored = {r["borrower_key"] for r in await pool.fetch(
            f"SELECT borrower_key FROM booking.{table} WHERE borrower_key IN ($1, $2)",
            contact.digest(), keys.of(contact))}
        assert stored == {keys.of(contact)}, table


async def test_old_opt_outs_and_message_keys_are_keyed_once_and_still_stop_messages(pool, schema) -> None:  # type: ignore[no-untyped-def]
    keys = run_contact_keys()
    repository = NotifyRepository(schema, keys)
    old, both = ContactDetails(phone="+32470111222", language="nl"), ContactDetails(email="beide@example.org",
                                                                                    language="fr")
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, NOTIFY_MIGRATIONS)
        # An opt-out from before, one recorded in both forms (a replica already keying took it
        # again), and messages keyed the old way and erased.
        await conn.execute(f"INSERT INTO {schema}.opt_outs (contact_key) VALUES ($1), ($2), ($3)",
                           old.digest(), both.digest(), keys.of(both))
        for key in (old.digest(), old.digest(), "erased"):
            await conn.execute(
                f"""INSERT INTO {schema}.notifications (notification_id, dedupe_key, kind, trigger_event_id,
                        trigger_aggregate_id, language, contact, contact_key, channels, context, status, due_at,
                        event_at)
                    VALUES ($1, $2, 'appointment_reminder', $1, 'a', 'nl', '{{}}', $3, '{{sms}}', '{{}}',
                            'created', now(), now())""", uuid.uuid4(), str(uuid.uuid4()), key)

        async with conn.transaction():
            assert await repository.key_plain_contact_digests(conn) == 2 + 2  # two messages, two opt-outs
        async with conn.transaction():
            assert await repository.key_plain_contact_digests(conn) == 0  # once

        assert await repository.opted_out_keys(conn, [keys.of(old), keys.of(both)]) == {keys.of(old), keys.of(both)}
        opt_outs = [r["contact_key"] for r in await conn.fetch(f"SELECT contact_key FROM {schema}.opt_outs")]
        messages = [r["contact_key"] for r in await conn.fetch(f"SELECT contact_key FROM {schema}.notifications")]
    assert sorted(opt_outs) == sorted([keys.of(old), keys.of(both)]) and all(is_keyed(k) for k in opt_outs)
    assert sorted(messages) == sorted([keys.of(old), keys.of(old), "erased"])
