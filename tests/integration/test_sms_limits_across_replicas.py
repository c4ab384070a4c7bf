"""What notify promises about SMS holds for the platform, not per process: two replicas together
send a citizen no more than the hourly limit, and together stay within the SMS provider's rate
(one token bucket in PostgreSQL). Real PostgreSQL, NATS and the SMS simulator over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path

import pytest

from loket.contracts.values import ContactDetails
from loket.infra.db.schema import migrate_service_schema
from services.notify.planning import Planned
from services.notify.repository import NotifyRepository
from services.notify.throttle import Sent
from services.notify.token_bucket import TokenBucket
from tests.support.contact_keys import run_contact_keys
from tests.support.notify_harness import daytime_clock, eventually, running_notify

PHONE = "+32470555111"
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "notify" / "migrations"


@pytest.fixture
async def bucket_table(pool) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, "notify", MIGRATIONS)


def reminder(n: int, now: dt.datetime, phone: str = PHONE) -> Planned:
    event_id = uuid.uuid4()
    return Planned(f"{event_id}:appointment_reminder", "appointment_reminder", event_id, f"appointment-{n}", "12025",
                   "nl", ContactDetails(phone=phone, language="nl", preferred_channels=("sms",)), ("sms",), now, now,
                   {"place": "Stadhuis Mechelen", "when": (now + dt.timedelta(days=1)).isoformat()})


async def test_two_replicas_together_keep_a_citizens_hourly_limit(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    clock = daytime_clock()
    async with running_notify(database_url, bus_url, tmp_path, clock, replicas=2, citizen_max_per_hour=4,
                              dispatch_batch=1, dispatch_workers=2) as notify:
        async with pool.acquire() as conn:  # eight messages for one citizen, all due now
            await NotifyRepository("notify", run_contact_keys()).insert_planned(conn, [reminder(n, clock()) for n in range(8)])

        async def decided() -> bool:  # every message sent or put off until the hour is over
            return await pool.fetchval("SELECT count(*) FROM notify.notifications WHERE sent_at IS NOT NULL "
                                       "OR (status = 'created' AND due_at > $1)", clock() + dt.timedelta(minutes=30)) == 8

        await eventually(decided, what="all eight decided")
        to_citizen = [m for m in await notify.sms.messages() if m["to"] == PHONE]
        assert len(to_citizen) == 4, len(to_citizen)


async def test_two_replicas_together_keep_a_number_ranges_daily_cap(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    """Eight citizens with numbers in one premium range (SMS pumping spreads over a range): both
    replicas' rounds run at once, and the range still gets its daily cap of three, not one more."""
    clock = daytime_clock()
    phones = [f"+3247088800{n}" for n in range(8)]  # one prefix: "+3247088"
    async with running_notify(database_url, bus_url, tmp_path, clock, replicas=2, sms_prefix_max_per_day=3,
                              dispatch_batch=1, dispatch_workers=2) as notify:
        async with pool.acquire() as conn:
            await NotifyRepository("notify", run_contact_keys()).insert_planned(conn, [reminder(n, clock(), phone)
                                                                   for n, phone in enumerate(phones)])

        async def decided() -> bool:  # every message sent or put off by a day
            return await pool.fetchval("SELECT count(*) FROM notify.notifications WHERE sent_at IS NOT NULL "
                                       "OR (status = 'created' AND due_at > $1)", clock() + dt.timedelta(hours=12)) == 8

        await eventually(decided, what="all eight decided")
        to_range = [m for m in await notify.sms.messages() if m["to"] in phones]
        assert len(to_range) == 3, len(to_range)


async def test_replicas_share_the_providers_rate(pool, bucket_table) -> None:  # type: ignore[no-untyped-def]
    await pool.execute("UPDATE notify.sms_rate SET tokens = 0, updated_at = clock_timestamp()")
    rate, sends = 50.0, 100
    replicas = [TokenBucket(lambda: pool, "notify", rate, burst=5) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(replicas[i % 2].acquire() for i in range(sends)))
    elapsed = time.monotonic() - started
    # One bucket for both: 100 tokens at 50/s take about 2 s. Two buckets of their own would
    # have let them through in about 1 s.
    assert elapsed >= (sends - 5) / rate * 0.95, elapsed


async def test_a_429_pauses_every_replica(pool, bucket_table) -> None:  # type: ignore[no-untyped-def]
    await pool.execute("UPDATE notify.sms_rate SET tokens = 5, updated_at = clock_timestamp()")
    one, other = (TokenBucket(lambda: pool, "notify", 100.0, burst=5, chunk=1) for _ in range(2))
    await one.pause(1.0)  # the provider said "retry after 1 s" to one replica
    started = time.monotonic()
    await other.acquire()
    assert time.monotonic() - started >= 0.9


async def test_a_send_in_flight_counts_from_when_its_round_claimed_it(pool, bucket_table) -> None:  # type: ignore[no-untyped-def]
    """Stamped with when its round claimed it (its lease's start: stamped "now" instead, a second
    confirmation to the same range was put off a whole day), and named by its notification id, by
    which the process that decided it counts it once: once remembered, once read back in flight."""
    repository, lease_s = NotifyRepository("notify", run_contact_keys()), 60.0
    claimed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    phone = "+32470777001"
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM notify.notifications WHERE contact->>'phone' = $1", phone)
        await repository.insert_planned(conn, [reminder(1, claimed_at, phone)])
        # As a round claims it (`claim_due` would take other tests' due rows too).
        contact_key, notification_id = await conn.fetchrow(
            "UPDATE notify.notifications SET status = 'sending', lease_until = $2 WHERE contact->>'phone' = $1 "
            "RETURNING contact_key, notification_id", phone, claimed_at + dt.timedelta(seconds=lease_s))
        later = claimed_at + dt.timedelta(seconds=5)  # another round, claiming a moment later
        by_prefix = await repository.sms_sent_by_prefix(conn, [phone[:8]], 8, later - dt.timedelta(days=1), 10,
                                                        later, lease_s, [])
        by_citizen = await repository.sent_since(conn, [contact_key], later - dt.timedelta(days=1), later,
                                                 lease_s, [])
        await conn.execute("DELETE FROM notify.notifications WHERE contact->>'phone' = $1", phone)
    assert by_prefix == {phone[:8]: [Sent(claimed_at, notification_id)]}
    assert by_citizen == {contact_key: [Sent(claimed_at, notification_id)]}
