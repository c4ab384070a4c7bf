""""Your turn is near": a walk-in leaves a mobile number at the kiosk; while many people are
before them nothing is sent; once the live estimate says they may be called soon, one
WalkInTurnNear event goes out through the outbox with the number, and the number is forgotten."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import asyncpg

from loket.infra.identity.roles import Role
from tests.integration.test_staff_screens import device_link, device_session
from tests.support.booking_harness import running_booking
from tests.support.staff_harness import STADHUIS, csrf_of, outbox, signed_in_session, staff_account


async def test_a_walk_in_is_told_once_when_their_turn_is_near(database_url, bus_url, tmp_path, monkeypatch,
                                                              pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    manager = await staff_account(pool, role=Role.POINT_MANAGER)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, booking_sweep_interval_s=0.2,
                               booking_turn_near_minutes=10) as booking:
        base = booking.base
        boss = await signed_in_session(base, manager)
        kiosk: aiohttp.ClientSession | None = None
        try:
            kiosk, landed = await device_session(await device_link(boss, base, "kiosk"))
            async with kiosk.get(f"{base}{landed}?lang=en") as r:
                token = re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)  # type: ignore[union-attr]

            async def take(phone: str = "") -> tuple[int, str]:
                async with kiosk.post(f"{base}/kiosk/{STADHUIS}/ticket?lang=en", allow_redirects=False, data={
                        "csrf": token, "service": "online_forms", "language": "en",
                        "phone": phone}) as r:
                    if r.status != 303:
                        return r.status, await r.text()
                    async with kiosk.get(f"{base}{r.headers['Location']}") as page:
                        return 303, await page.text()

            status, page = await take("015 20 20 20")
            assert status == 400 and "This is not a mobile number" in page
            assert (await take())[0] == 303 and (await take())[0] == 303
            status, page = await take("0470 55 66 77")
            assert status == 303 and "You will get a text when your turn is near." in page
            assert await pool.fetchval("SELECT notify_phone FROM booking.tickets WHERE number = 3") == "+32470556677"
            # Two before them, 30 minutes each by the catalogue: not near yet (a few rounds go by).
            await asyncio.sleep(1.0)
            assert await outbox(pool, "WalkInTurnNear") == []
            screen = f"{base}/staff/counter/{STADHUIS}/1"
            csrf = await csrf_of(boss, screen)
            for _ in range(2):
                for action in ("call-next", "arrived"):
                    async with boss.post(f"{screen}/{action}", data={"csrf": csrf}, allow_redirects=False) as r:
                        assert r.status == 303
                async with boss.post(f"{screen}/end", data={"csrf": csrf, "topic": "online_forms",
                                                            "outcome": "resolved", "language": "en"},
                                     allow_redirects=False) as r:
                    assert r.status == 303
            for _ in range(600):  # poll with a generous ceiling; no timing is asserted
                if await outbox(pool, "WalkInTurnNear"):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.6)  # a few more rounds: still one message
        finally:
            await boss.close()
            if kiosk is not None:
                await kiosk.close()
    told = await outbox(pool, "WalkInTurnNear")
    assert len(told) == 1, told
    assert told[0]["ticket_number"] == 3 and told[0]["people_ahead"] == 0 and told[0]["language"] == "en"
    assert told[0]["contact"]["phone"] == "+32470556677" and told[0]["point_name"] == "Mechelen City Hall - Digital Help"
    assert await pool.fetchval("SELECT notify_phone FROM booking.tickets WHERE number = 3") is None
    ticket_id = await pool.fetchval("SELECT ticket_id::text FROM booking.tickets WHERE number = 3")
    trail = await pool.fetch("SELECT principal_kind, object_id FROM identity.audit_log WHERE object_type = 'ticket'")
    assert [(r["principal_kind"], r["object_id"]) for r in trail] == [("system", ticket_id)]
