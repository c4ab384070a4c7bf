"""The screens without a person, on plain HTTP: a point manager makes device links; a link sets
the device cookie and leaves the address bar; the display shows calls (and its live stream sends
each new one) but never a phone number, e-mail, national number or name; the kiosk issues a
ticket with the people before it and the wait; the dashboard counts the day; strangers are
refused."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re

import aiohttp
import asyncpg

from loket.infra.date_words import when_words
from loket.infra.identity.roles import Role
from tests.integration.test_booking_appointments import free_slots
from tests.support.booking_harness import running_booking
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    csrf_of,
    signed_in_session,
    staff_account,
)

PHONE, EMAIL, NN = "0470 98 76 54", "jan.peeters@example.org", "85073003328"


async def device_link(http: aiohttp.ClientSession, base: str, screen: str, point: str = STADHUIS) -> str:
    token = await csrf_of(http, f"{base}/staff/devices/{point}")
    async with http.post(f"{base}/staff/devices/{point}?lang=en", data={"csrf": token, "screen": screen},
                         allow_redirects=False) as r:
        page = await r.text()
        assert r.status == 200, page
    match = re.search(r'id="device-link" readonly value="([^"]+)"', page)
    assert match, page
    return match.group(1).replace("&amp;", "&")


async def device_session(link: str) -> tuple[aiohttp.ClientSession, str]:
    """A screen's browser that opened the link once: (its session, where it landed)."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept": "text/html"})
    async with http.get(link, allow_redirects=False) as r:
        assert r.status == 303, await r.text()
        landed = r.headers["Location"]
    assert "key=" not in landed and "lk_" not in landed
    return http, landed


async def read_events(response: aiohttp.ClientResponse, boards: list[dict], stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    buffer = ""
    async for chunk in response.content.iter_any():
        buffer += chunk.decode()
        while "\n\n" in buffer:
            event, buffer = buffer.split("\n\n", 1)
            data = [line[5:].strip() for line in event.splitlines() if line.startswith("data:")]
            if data:
                boards.append(json.loads("".join(data)))
        if stop.is_set():
            return


async def test_display_kiosk_and_dashboard_on_device_links(database_url, bus_url, tmp_path, monkeypatch,
                                                           pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    manager = await staff_account(pool, role=Role.POINT_MANAGER)
    clerk = await staff_account(pool)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        slot = (await free_slots(booking))[0]
        status, booked = await booking.call("POST", "/staff/appointments", "staff", json={
            "point_id": STADHUIS, "service": "ebox_activation", "language": "nl", "starts_at": slot["starts_at"],
            "contact": {"phone": PHONE, "email": EMAIL, "language": "nl"}})
        assert status == 201, booked
        assert (await booking.call("POST", f"/staff/appointments/{booked['appointment_id']}/check-in", "staff"))[0] == 200

        boss = await signed_in_session(base, manager)
        staff = await signed_in_session(base, clerk)
        display = kiosk = None
        try:
            async with staff.get(f"{base}/staff/devices/{STADHUIS}", allow_redirects=False) as r:
                assert r.status == 403  # a clerk makes no device links
            async with boss.get(f"{base}/staff/devices/{DIGIBANK}", allow_redirects=False) as r:
                assert r.status == 404  # not the manager's point
            display, landed = await device_session(await device_link(boss, base, "display") + "&chime=1")
            assert landed == f"/display/{STADHUIS}?chime=1"  # the screen's options survive, the key does not
            async with display.get(f"{base}{landed}") as r:
                assert 'data-chime="1"' in await r.text()
            kiosk, kiosk_landed = await device_session(await device_link(boss, base, "kiosk"))
            assert kiosk_landed == f"/kiosk/{STADHUIS}"
            key_row = await pool.fetchrow("SELECT role, points, created_by FROM identity.api_keys "
                                          "WHERE created_by = $1 LIMIT 1", f"web:{manager}")
            assert (key_row["role"], list(key_row["points"])) == ("device", [STADHUIS])

            # Without the link's cookie: refused, and a display key opens only its own point.
            async with aiohttp.ClientSession() as stranger, stranger.get(f"{base}/display/{STADHUIS}") as r:
                assert r.status == 403
            async with display.get(f"{base}/display/{DIGIBANK}") as r:
                assert r.status == 403

            # The kiosk: a ticket for a service in a language.
            async with kiosk.get(f"{base}{kiosk_landed}?lang=en") as r:
                page = await r.text()
                assert r.status == 200 and "Take a ticket" in page
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            async with kiosk.post(f"{base}/kiosk/{STADHUIS}/ticket?lang=en", data={"csrf": "forged", "service": "eid_setup", "language": "nl"},
                                  allow_redirects=False) as r:
                assert r.status == 403
            for expected_before in ("You are next", "1 person before you"):
                async with kiosk.post(f"{base}/kiosk/{STADHUIS}/ticket?lang=en",
                                      data={"csrf": token, "service": "eid_setup", "language": "en"},
                                      allow_redirects=False) as r:
                    assert r.status == 303
                    ticket_url = r.headers["Location"]
                async with kiosk.get(f"{base}{ticket_url}") as r:
                    ticket_page = await r.text()
                assert expected_before in ticket_page and re.search(r"Waiting time: \d+ to \d+ minutes", ticket_page)
            assert '<p class="number">2</p>' in ticket_page and "@media print" in ticket_page
            # When it was taken, in words and Brussels time (a numeric 07/12 is easy to misread).
            taken = re.search(r"<p>Taken on ([^<]+)</p>", ticket_page)
            assert taken is not None, ticket_page
            moments = {when_words(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=m), "en") for m in (-1, 0, 1)}
            assert taken.group(1) in moments and not re.search(r"\d{2}/\d{2}/\d{4}", ticket_page)

            # The display's live stream: the board at once, then each call.
            boards: list[dict] = []  # type: ignore[type-arg]
            stop = asyncio.Event()
            async with display.get(f"{base}/display/{STADHUIS}/events") as stream:
                assert stream.headers["Content-Type"].startswith("text/event-stream")
                reader = asyncio.create_task(read_events(stream, boards, stop))
                await _until(lambda: len(boards) >= 1)
                assert boards[0]["calls"] == [] and boards[0]["waiting"] == 2
                screen = f"{base}/staff/counter/{STADHUIS}/3"
                csrf = await csrf_of(staff, screen)

                async def press(action: str, **fields: str) -> None:
                    async with staff.post(f"{screen}/{action}", data={"csrf": csrf, **fields},
                                          allow_redirects=False) as r:
                        assert r.status == 303, await r.text()

                # The two walk-ins first (the appointment's time has not come), then the appointment.
                for label, number in (("1", NN), ("2", "")):
                    await press("call-next")
                    await _until(lambda label=label: any(  # type: ignore[misc]
                        c["label"] == label and c["calling"] for b in boards for c in b["calls"]))
                    await press("arrived")
                    await press("end", topic="ebox_activation", outcome="resolved", language="nl",
                                **({"ebox": "yes", "consent": "yes", "national_number": number} if number else {}))
                await press("call-next")
                await _until(lambda: any(re.fullmatch(r"\d\d:\d\d", c["label"]) for b in boards for c in b["calls"]))
                assert all(c["counter"] == "3" for b in boards for c in b["calls"])
                stop.set()
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                    await reader
            async with display.get(f"{base}/display/{STADHUIS}") as r:
                html = await r.text()
                assert r.status == 200 and "Content-Security-Policy" in r.headers
            assert '<td class="n">2</td><td>3</td>' in html
            assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html  # live without script too
            streamed = json.dumps(boards)
            for personal in (PHONE, PHONE.replace(" ", ""), "+32470987654", EMAIL, NN, "85.07.30", clerk, manager,
                             "Test staff"):
                assert personal not in html and personal not in streamed, personal

            # The dashboard of the day.
            async with staff.get(f"{base}/staff/dashboard/{STADHUIS}", allow_redirects=False) as r:
                assert r.status == 403
            async with boss.get(f"{base}/staff/dashboard/{STADHUIS}?lang=en") as r:
                dashboard = await r.text()
            assert re.search(r'id="served">2<', dashboard) and re.search(r'id="waiting-now">0<', dashboard)
            assert "Activate your eBox" in dashboard and "Test staff" in dashboard  # the helper, by name
            assert clerk not in dashboard  # not by account name
            today = dt.date.today().isoformat()
            async with boss.get(f"{base}/staff/dashboard/{STADHUIS}?lang=en&period=week&day={today}") as r:
                assert r.status == 200
                week = await r.text()
            # Another language shows the same week, not today's figures again.
            assert f'href="?period=week&amp;day={today}&amp;lang=fr" lang="fr"' in week, week[:3000]
        finally:
            for session in (boss, staff, display, kiosk):
                if session is not None:
                    await session.close()


async def _until(condition, ceiling_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll for a condition with a generous ceiling (the machine is shared; no timing asserted)."""
    for _ in range(int(ceiling_s / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")
