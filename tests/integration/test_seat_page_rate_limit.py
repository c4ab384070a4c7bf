"""The public seat booking page draws from the service's one public rate limit: every step (the
start, the hours, the booking itself) answers 429 with Retry-After once the client's bucket is
empty, and a refused booking books nothing."""

from __future__ import annotations

import aiohttp

from services.booking.app import create_app
from services.booking.settings import BookingSettings
from tests.support.seat_slots import open_hour
from tests.support.served_app import served
from tests.support.staff_harness import DIGIBANK


async def test_every_seat_page_step_is_rate_limited(database_url, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK)
    settings = BookingSettings(database_url=database_url, bus_url=bus_url, booking_public_rate_per_minute=1,
                               booking_public_burst=1)
    async with served(create_app(settings)) as base, aiohttp.ClientSession() as http:
        await pool.execute("DELETE FROM booking.public_rate WHERE client = '127.0.0.1'")  # an earlier test's
        await pool.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        async with http.get(f"{base}/public/seats?lang=nl") as r:
            assert r.status == 200
        for method, path, form in (("GET", "/public/seats?lang=nl", None),
                                   ("GET", f"/public/seats/{DIGIBANK}?lang=nl&kind=laptop", None),
                                   ("POST", f"/public/seats/{DIGIBANK}?lang=nl",
                                    {"kind": "laptop", "starts_at": slot[0].isoformat()})):
            async with http.request(method, f"{base}{path}", data=form) as r:
                assert r.status == 429, (path, r.status)
                assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK) == 0
    await pool.execute("DELETE FROM booking.public_rate WHERE client = '127.0.0.1'")  # not for the next test
