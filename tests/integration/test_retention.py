"""Personal data past its retention period is purged by each service's daily job: contact
details of settled appointments, waitlist entries, loans and finished messages are blanked,
per municipality; the inbox and the audit trail are trimmed; nothing unsettled is touched; a
second run changes nothing; a replica holding the job makes another wait its turn."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from loket.infra import rounds
from loket.infra.db.inbox import purge_handled_before
from loket.infra.db.outbox import Outbox
from loket.infra.db.schema import migrate_service_schema
from loket.infra.errors import InfrastructureUnavailable
from loket.infra.identity import audit
from loket.infra.retention import job as retention_job
from loket.infra.retention.job import (
    WAIT_FOR_TENANTS_S,
    Purge,
    RetentionIncomplete,
    RetentionJob,
    fixed_days,
)
from loket.infra.retention.policy import RetentionDays
from services.booking.appointments import repository as appointments
from services.booking.metrics import BookingMetrics
from services.booking.retention import booking_purges
from services.booking.settings import BookingSettings
from services.booking.use_cases import build_booking
from services.notify.repository import NotifyRepository
from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import running_booking
from tests.support.contact_keys import run_contact_keys

NOW = utc_now()
NOTIFY_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "notify" / "migrations"


class NoTenants:
    async def current(self, conn: asyncpg.Connection) -> dict:  # type: ignore[type-arg]
        return {}


@pytest.fixture
async def booking(database_url, bus_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as running:
        yield running


async def book(booking, how_many: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    """Appointments in free slots (overlapping slots of one helper are skipped)."""
    booked: list[uuid.UUID] = []
    for slot in await free_slots(booking):
        status, body = await booking.call("POST", "/public/appointments", json=wish(slot),
                                          headers={"Idempotency-Key": str(uuid.uuid4())})
        assert status in (201, 409), body
        if status == 201:
            booked.append(uuid.UUID(body["appointment_id"]))
        if len(booked) == how_many:
            return booked
    raise AssertionError(f"fewer than {how_many} free slots")


async def settle(pool: asyncpg.Pool, appointment_id: uuid.UUID, status: str, ended_days_ago: float) -> None:
    ends = NOW - dt.timedelta(days=ended_days_ago)
    await pool.execute("""UPDATE booking.appointments SET status = $2, starts_at = $3::timestamptz - interval '30 minutes',
                          ends_at = $3::timestamptz, blocked = tstzrange($3::timestamptz - interval '30 minutes', $3::timestamptz)
                          WHERE appointment_id = $1""",
                       appointment_id, status, ends)


async def contact_of(pool: asyncpg.Pool, appointment_id: uuid.UUID) -> dict:  # type: ignore[type-arg]
    return json.loads(await pool.fetchval("SELECT contact::text FROM booking.appointments WHERE appointment_id = $1",
                                          appointment_id))


async def test_settled_appointment_contacts_are_blanked_after_their_municipalitys_days(booking, pool) -> None:  # type: ignore[no-untyped-def]
    long_ago, recent, never_settled = await book(booking, 3)
    await settle(pool, long_ago, "attended", 40)
    await settle(pool, recent, "no_show", 10)
    await settle(pool, never_settled, "booked", 40)  # still booked: the sweeper's business, not ours
    municipality = await pool.fetchval("""SELECT p.municipality FROM booking.appointments a
        JOIN booking.assistance_points p USING (point_id) WHERE appointment_id = $1""", long_ago)

    async with pool.acquire() as conn:
        # The municipality keeps contacts 50 days: nothing is due yet.
        assert await appointments.erase_past_contacts(conn, "booking", NOW, RetentionDays(30, {municipality: 50})) == 0
        assert await appointments.erase_past_contacts(conn, "booking", NOW, RetentionDays(30)) == 1
    assert await contact_of(pool, long_ago) == {"language": "nl", "preferred_channels": []}
    assert (await contact_of(pool, recent))["phone"] == (await contact_of(pool, never_settled))["phone"] == "+32470123456"


async def test_the_job_runs_every_purge_once_counts_and_lets_one_replica_at_a_time(booking, pool, database_url) -> None:  # type: ignore[no-untyped-def]
    [due] = await book(booking, 1)
    await settle(pool, due, "cancelled", 45)
    for asked in (NOW - dt.timedelta(days=2), NOW - dt.timedelta(hours=2)):  # the older one is due
        await pool.execute("INSERT INTO booking.phone_checks (check_id, municipality, phone_digest, code_digest, "
                           "created_at, expires_at) VALUES ($1, '12025', 'p', 'c', $2, $2)", uuid.uuid4(), asked)
    settings = BookingSettings(database_url=database_url)
    parts = build_booking(settings, BookingMetrics(CollectorRegistry()), utc_now, Outbox("booking"), lambda: pool)
    counted: list[tuple[str, int]] = []
    job = RetentionJob("booking-test", lambda: pool, NoTenants(), booking_purges("booking", parts.loans, parts.phone_checks,
                                                                        parts.seats, parts.workshops),
                       lambda data_class, n: counted.append((data_class, n)), utc_now)

    holder = await pool.acquire()
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", job.lock_key)
        assert await job.run_once() is None  # another replica is at it
        assert await contact_of(pool, due) != {"language": "nl", "preferred_channels": []}
    finally:
        await holder.execute("SELECT pg_advisory_unlock($1)", job.lock_key)
        await pool.release(holder)

    first = await job.run_once()
    assert first is not None and first["appointment_contact"] == 1 and first["phone_check"] == 1
    assert set(first) == {"appointment_contact", "waitlist_contact", "loan_contact", "seat_contact", "workshop_contact",
                          "device_donor", "device_waitlist_contact", "phone_check"}
    assert await pool.fetchval("SELECT count(*) FROM booking.phone_checks") == 1
    assert ("appointment_contact", 1) in counted
    assert await job.run_once() == dict.fromkeys(first, 0)  # idempotent


async def test_finished_messages_lose_their_contact_and_its_hash(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, NOTIFY_MIGRATIONS)
        for days_ago, status in ((40, "delivered"), (10, "delivered"), (40, "created")):
            finished = NOW - dt.timedelta(days=days_ago) if status != "created" else None
            await conn.execute(
                f"""INSERT INTO {schema}.notifications (notification_id, dedupe_key, kind, trigger_event_id,
                        trigger_aggregate_id, municipality, language, contact, contact_key, channels, context, status,
                        due_at, event_at, finished_at)
                    VALUES ($1, $2, 'appointment_reminder', $1, 'a', '12025', 'nl', $3::text::jsonb, 'sha-of-the-number', '{{sms}}',
                            '{{}}', $4, $5, $5, $6)""",
                uuid.uuid4(), str(uuid.uuid4()), json.dumps({"phone": "+32470123456", "language": "nl"}), status,
                NOW - dt.timedelta(days=days_ago), finished)
        assert await NotifyRepository(schema, run_contact_keys()).erase_past_contacts(conn, NOW, RetentionDays(30)) == 1
        rows = await conn.fetch(f"SELECT contact::text, contact_key FROM {schema}.notifications ORDER BY due_at")
    erased = [r for r in rows if r["contact_key"] == "erased"]
    assert len(erased) == 1 and json.loads(erased[0]["contact"]) == {"language": "nl", "preferred_channels": []}
    assert sum("+32470123456" in r["contact"] for r in rows) == 2  # the recent one and the unfinished one


async def test_the_inbox_and_the_audit_trail_are_trimmed(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await conn.execute(f"""INSERT INTO {schema}.inbox (consumer, event_id, handled_at)
                               VALUES ('c', $1, $3), ('c', $2, $4)""", uuid.uuid4(), uuid.uuid4(),
                           NOW - dt.timedelta(days=500), NOW - dt.timedelta(days=5))
        assert await purge_handled_before(conn, schema, NOW - dt.timedelta(days=401)) == 1
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.inbox") == 1

        who = f"retention-test-{uuid.uuid4().hex[:8]}"
        await conn.execute("""INSERT INTO identity.audit_log (at, principal, principal_kind, role, municipality, action,
                                  object_type, object_id, service)
                              VALUES ($2, $1, 'person', 'staff', '12025', 'read', 'appointment', 'x', 'booking'),
                                     ($3, $1, 'person', 'staff', '12025', 'read', 'appointment', 'y', 'booking')""",
                           who, NOW - dt.timedelta(days=800), NOW - dt.timedelta(days=100))
        await audit.purge(conn, NOW, RetentionDays(730))
        assert [r["object_id"] for r in await conn.fetch(
            "SELECT object_id FROM identity.audit_log WHERE principal = $1", who)] == ["y"]


async def test_a_failing_purge_holds_back_none_of_the_others_and_is_counted(pool) -> None:  # type: ignore[no-untyped-def]
    """Once the audit trail's purge was refused in every service (its role could not delete), and
    the round stopped there: the dead letters' bodies after it were never purged."""
    ran: list[str] = []

    def purge(name: str, fails: bool = False):  # type: ignore[no-untyped-def]
        async def run(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
            ran.append(name)
            if fails:
                await conn.execute("SELECT * FROM a_table_that_is_not_there")
            return 3
        return Purge(name, fixed_days(30), run)

    counted: list[tuple[str, int]] = []
    failures: list[str] = []
    job = RetentionJob(f"failing-{uuid.uuid4().hex[:8]}", lambda: pool, NoTenants(),
                       [purge("before"), purge("refused", fails=True), purge("after")],
                       lambda data_class, n: counted.append((data_class, n)), utc_now, failures.append)
    with pytest.raises(RetentionIncomplete, match="could not purge refused") as raised:
        await job.run_once()
    assert raised.value.failed == ("refused",)
    assert ran == ["before", "refused", "after"]
    assert counted == [("before", 3), ("after", 3)] and failures == ["refused"]
    # The job's lock was let go: the next round (or another replica) can take it.
    assert await pool.fetchval("SELECT pg_try_advisory_lock($1)", job.lock_key)
    await pool.execute("SELECT pg_advisory_unlock_all()")


async def test_a_round_before_any_municipality_is_onboarded_waits_for_them_without_an_error(
        pool, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """In CI the demo's services began their first round before the bridge had imported the
    tenant file: 'no municipality is onboarded' failed the round, logged as an error with its
    traceback and retried an hour later. Now the round waits for the tenants and then runs."""
    asked: list[str] = []

    class TenantsImportedLater:
        async def current(self, conn: asyncpg.Connection) -> dict:  # type: ignore[type-arg]
            asked.append("current")
            if len(asked) < 3:
                raise InfrastructureUnavailable("no municipality is onboarded: import the tenants")
            return {}

    ran: list[str] = []

    async def inbox(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        ran.append("inbox")
        return 0

    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the loops' waits, recorded instead of waited
        waits.append(seconds)
        if seconds == 86_400.0:  # the pause after a complete round: enough seen
            raise asyncio.CancelledError

    for module in (retention_job, rounds):
        monkeypatch.setattr(module, "asyncio", SimpleNamespace(sleep=sleep, CancelledError=asyncio.CancelledError))
    job = RetentionJob(f"waiting-{uuid.uuid4().hex[:8]}", lambda: pool, TenantsImportedLater(),
                       [Purge("inbox", fixed_days(30), inbox)], lambda data_class, n: None, utc_now)
    caplog.set_level(logging.INFO)
    with pytest.raises(asyncio.CancelledError):
        await job.loop(86_400.0, first_after_s=5.0)
    assert waits == [5.0, WAIT_FOR_TENANTS_S, WAIT_FOR_TENANTS_S, 86_400.0]
    assert ran == ["inbox"] and len(asked) == 3
    said = [(r.levelname, r.getMessage()) for r in caplog.records if "retention" in r.getMessage()]
    assert said == [("WARNING", f"retention waits: no municipality is onboarded: import the tenants; looking again "
                                f"every {WAIT_FOR_TENANTS_S:.0f} s"),
                    ("INFO", "retention: 0 inbox")]
