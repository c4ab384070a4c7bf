"""The public endpoints' rate limit is one bucket per client for the whole service, not per
replica: two replicas together let a client through `burst` times, then say how long to wait;
another client has its own bucket; a client idle for an hour is forgotten (its address too).
On the service: its public pages answer 429 with Retry-After once the shared bucket is empty."""

from __future__ import annotations

import asyncio

import aiohttp

from loket.infra.db.schema import migrate_service_schema
from services.booking.app import service_spec
from services.booking.http.rate_limit import SharedRateLimiter


async def test_two_replicas_draw_from_one_bucket_per_client(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, service_spec().migrations)
    one, other = (SharedRateLimiter(lambda: pool, schema, per_minute=6, burst=3) for _ in range(2))
    waits = await asyncio.gather(*(replica.retry_after("198.51.100.7") for replica in (one, other, one, other)))
    assert sorted(waits)[:3] == [0.0, 0.0, 0.0]
    assert 9 < max(waits) <= 10  # 6 a minute: the next token in up to ten seconds
    assert await other.retry_after("198.51.100.8") == 0.0  # somebody else
    # Idle for an hour: the row goes at the next clean-up, with the address in it.
    await pool.execute(f"UPDATE {schema}.public_rate SET updated_at = updated_at - interval '2 hours' "
                       "WHERE client = '198.51.100.7'")
    one._cleaned = 0.0  # the clean-up is due (it runs at most once a minute per replica)
    assert await one.retry_after("198.51.100.8") == 0.0
    assert await pool.fetch(f"SELECT client FROM {schema}.public_rate ORDER BY client") == [("198.51.100.8",)]


async def test_a_public_page_answers_429_once_the_shared_bucket_is_empty(database_url, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    from services.booking.app import create_app
    from services.booking.settings import BookingSettings
    from tests.support.served_app import served

    settings = BookingSettings(database_url=database_url, bus_url=bus_url, booking_public_rate_per_minute=1,
                               booking_public_burst=2)
    async with served(create_app(settings)) as base, aiohttp.ClientSession() as http:
        await pool.execute("DELETE FROM booking.public_rate WHERE client = '127.0.0.1'")  # an earlier test's
        statuses = []
        for _ in range(3):
            async with http.get(f"{base}/public/book?lang=nl") as r:
                statuses.append(r.status)
                retry_after = r.headers.get("Retry-After")
    assert statuses == [200, 200, 429], statuses
    assert retry_after is not None and 1 <= int(retry_after) <= 60
    row = await pool.fetchrow("SELECT granted FROM booking.public_rate WHERE client = '127.0.0.1'")
    assert row is not None and row["granted"] is False
    await pool.execute("DELETE FROM booking.public_rate WHERE client = '127.0.0.1'")  # not for the next test
