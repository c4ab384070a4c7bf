"""The staff workspace in Chromium: a whole morning at one point with two counters (kiosk ticket →
a counter calls it → the display shows it → the visit ends → the dashboard counts it; an
appointment checked in and called in its turn), axe-core on every page in every language, and a
keyboard-only pass through the counter screen. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re

import asyncpg

from loket.infra.identity.roles import Role
from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    chromium_browser,
    new_page,
    outbox,
    sign_in_page,
    staff_account,
    tab_to,
)

TABLET = {"width": 1280, "height": 800}
TV = {"width": 1920, "height": 1080}
KIOSK = {"width": 800, "height": 1280}
CEILING_MS = 30_000  # a generous ceiling for live updates on a shared machine: no timing is asserted


def _at(slot: dict[str, str]) -> dt.datetime:
    return dt.datetime.fromisoformat(slot["starts_at"].replace("Z", "+00:00"))


async def _links(boss, base: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    await sign_in_page(boss, base, f"/staff/devices/{STADHUIS}", boss.username)
    await boss.get_by_role("button", name="Make a waiting-room display link").click()
    display_link = await boss.input_value("#device-link")
    await boss.get_by_role("button", name="Make a ticket kiosk link").click()
    kiosk_link = await boss.input_value("#device-link")
    return display_link, kiosk_link


async def _open_counter(page, base: str, username: str, counter: str, point_name: str | None) -> None:  # type: ignore[no-untyped-def]
    await sign_in_page(page, base, "/staff/", username)  # the short address: sign in, then the point picker
    await page.wait_for_url(re.compile(r".*/staff/counter(\?.*)?$"))
    if point_name:
        await page.get_by_label(point_name).check()
    await page.get_by_label("Counter number").fill(counter)
    await page.get_by_role("button", name="Open the counter").click()
    await page.wait_for_url(re.compile(rf".*/staff/counter/{STADHUIS}/{counter}.*"))


async def test_a_morning_at_one_point_with_two_counters(database_url, bus_url, tmp_path, monkeypatch,
                                                        pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    now = [dt.datetime.now(dt.UTC)]
    manager = await staff_account(pool, role=Role.POINT_MANAGER)
    an = await staff_account(pool, points=(STADHUIS, DIGIBANK), display_name="An Peeters")
    youssef = await staff_account(pool, display_name="Youssef El Amrani")
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        base = booking.base
        slot = (await free_slots(booking))[0]
        booked = (await booking.call("POST", "/public/appointments", json=wish(slot)))[1]
        now[0] = _at(slot) - dt.timedelta(minutes=10)  # the morning, ten minutes before the appointment
        async with chromium_browser() as browser:
            boss = await new_page(browser, TABLET)
            boss.username = manager
            display_link, kiosk_link = await _links(boss, base)
            await boss.screenshot(path=str(artifact("staff-devices.png")), full_page=True)
            await boss.goto(f"{base}/staff/devices/{STADHUIS}?lang=en")
            assert "lk_" not in await boss.content()  # a link is shown once

            display = await new_page(browser, TV)
            await display.goto(display_link + "&lang=en")
            assert display.url == f"{base}/display/{STADHUIS}?lang=en"  # the key left the address bar
            await display.wait_for_selector("#display[data-live='1']", timeout=CEILING_MS)
            # Nobody called yet: the banner says what it is for, no placeholder number or counter.
            await expect(display.locator("#now-idle")).to_have_text(
                "Your number or your appointment appears here when it is your turn.")
            await expect(display.locator("#now-number")).to_be_hidden()
            await expect(display.locator("#now-to")).to_be_hidden()

            kiosk = await new_page(browser, KIOSK)
            await kiosk.goto(kiosk_link + "&lang=en")
            await kiosk.screenshot(path=str(artifact("staff-kiosk.png")), full_page=True)
            await kiosk.get_by_label("eID card reader and PIN").check()
            await kiosk.get_by_label("English").check()
            await kiosk.get_by_role("button", name="Take a ticket").click()
            await kiosk.wait_for_url(re.compile(r".*/ticket/.*"))
            ticket = await kiosk.inner_text(".ticket")
            assert re.search(r"Your number\s+1\s", ticket) and "You are next" in ticket
            assert re.search(r"Waiting time: \d+ to \d+ minutes", ticket)
            await kiosk.screenshot(path=str(artifact("staff-kiosk-ticket.png")), full_page=True)
            await kiosk.emulate_media(media="print")
            await kiosk.screenshot(path=str(artifact("staff-kiosk-ticket-print.png")))
            await kiosk.emulate_media(media="screen")

            first = await new_page(browser, TABLET)
            await _open_counter(first, base, an, "1", "Mechelen City Hall - Digital Help")
            second = await new_page(browser, TABLET)
            await _open_counter(second, base, youssef, "2", None)

            # The appointment's citizen arrives: checked in at counter 2, and their time comes.
            check_in = second.get_by_role("button", name=re.compile(r"Check in the appointment at \d\d:\d\d"))
            await check_in.click()
            await second.wait_for_url(re.compile(r".*done=check-in.*"))
            # What was done, in words a screen reader announces (it said "Done." after every action).
            assert await second.inner_text("[role=status]") == "Checked in: the appointment is in the queue."
            now[0] = _at(slot) + dt.timedelta(minutes=1)

            # Counter 1 calls next: the appointment, in its turn before the walk-in who came earlier.
            await first.goto(first.url)
            await first.get_by_role("button", name="Call next").click()
            assert re.search(r"You are calling appointment at \d\d:\d\d", await first.inner_text("main"))
            # The display announces it as an appointment, by its time (it said "Number 15:00").
            await expect(display.locator("#announce")).to_have_text(
                re.compile(r"^Appointment at \d\d:\d\d, to counter 1$"), timeout=CEILING_MS)
            await second.goto(second.url)
            await second.get_by_role("button", name="Call next").click()
            assert "You are calling ticket 1 (1 of 3 times)." in await second.inner_text("main")
            assert await second.inner_text("[role=status]") == "Called."
            await second.screenshot(path=str(artifact("staff-counter-calling.png")), full_page=True)

            # The display shows ticket 1 at counter 2 (polled with a generous ceiling, not timed).
            await expect(display.locator("#now-number")).to_have_text("1", timeout=CEILING_MS)
            await expect(display.locator("#now-counter")).to_have_text("2", timeout=CEILING_MS)
            await expect(display.locator("#now-idle")).to_be_hidden()  # the live board left its idle state
            await expect(display.locator("#announce")).to_have_text("Number 1, to counter 2", timeout=CEILING_MS)
            await display.screenshot(path=str(artifact("staff-display.png")))
            assert not display.console_errors, display.console_errors

            now[0] += dt.timedelta(minutes=2)
            await second.get_by_role("button", name="Is at the counter: start the visit").click()
            assert "Visit with ticket 1, in English" in await second.inner_text("main")
            await second.screenshot(path=str(artifact("staff-counter-visit.png")), full_page=True)
            now[0] += dt.timedelta(minutes=15)
            await second.get_by_label("Topic").select_option("eid_setup")
            await second.get_by_label("Outcome").select_option("resolved")
            await second.get_by_role("button", name="End the visit").click()
            assert "Nobody. Call the next person." in await second.inner_text("main")

            await first.get_by_role("button", name="Is at the counter: start the visit").click()
            await first.get_by_label("Topic").select_option("ebox_activation")
            await first.get_by_role("button", name="End the visit").click()

            await boss.goto(f"{base}/staff/dashboard/{STADHUIS}?lang=en")
            assert await boss.inner_text("#served") == "2"
            assert await boss.inner_text("#waiting-now") == "0"
            figures = await boss.inner_text("main")
            assert "eID card reader and PIN" in figures and "Activate your eBox" in figures
            # The helpers by their names, as a manager knows them, not by their accounts'.
            helpers = await boss.locator("h2:has-text('By helper') + table tbody td:first-child").all_inner_texts()
            assert sorted(helpers) == ["An Peeters", "Youssef El Amrani"] and an not in figures
            await boss.screenshot(path=str(artifact("staff-dashboard.png")), full_page=True)
    started = await outbox(pool, "VisitStarted")
    walk_in = next(s for s in started if s["appointment_id"] is None)
    assert {s["appointment_id"] for s in started} == {booked["appointment_id"], None}
    assert walk_in["waited_seconds"] == 11 * 60  # from the kiosk ticket to its call
    assert {e["topic"] for e in await outbox(pool, "VisitEnded")} == {"eid_setup", "ebox_activation"}


async def test_every_page_in_every_language_passes_axe(database_url, bus_url, tmp_path, monkeypatch,
                                                        pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    manager = await staff_account(pool, role=Role.POINT_MANAGER, points=(STADHUIS, DIGIBANK))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        slot = (await free_slots(booking))[0]
        await booking.call("POST", "/public/appointments", json=wish(slot))
        for _ in range(2):
            await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff", json={"language": "nl"})
        async with chromium_browser() as browser:
            boss = await new_page(browser, TABLET)
            boss.username = manager
            display_link, kiosk_link = await _links(boss, base)
            display = await new_page(browser, TV)
            await display.goto(display_link)
            kiosk = await new_page(browser, KIOSK)
            await kiosk.goto(kiosk_link)
            await kiosk.get_by_role("button").last.click()
            ticket_path = kiosk.url.split("?")[0]
            counter = f"{base}/staff/counter/{STADHUIS}/1"
            pages = [(boss, f"{base}/staff/counter", "picker"), (boss, counter, "counter"),
                     (boss, f"{base}/staff/devices/{STADHUIS}", "devices"),
                     (boss, f"{base}/staff/dashboard/{STADHUIS}", "dashboard"),
                     (display, f"{base}/display/{STADHUIS}", "display"), (kiosk, f"{base}/kiosk/{STADHUIS}", "kiosk"),
                     (kiosk, ticket_path, "ticket")]
            for lang in ("nl", "fr", "de", "en"):
                for page, url, name in pages:
                    await page.goto(f"{url}?lang={lang}")
                    assert await page.get_attribute("html", "lang") == lang
                    await assert_accessible(page, f"{name} ({lang})")
                    await page.screenshot(path=str(artifact(f"staff-{name}-{lang}.png")), full_page=True)
            # The counter's other states: calling someone, and a visit under way.
            await boss.goto(f"{counter}?lang=fr")
            await boss.get_by_role("button", name="Appeler le suivant").click()
            await assert_accessible(boss, "counter calling (fr)")
            await boss.get_by_role("button", name="Est au guichet : commencer la visite").click()
            await assert_accessible(boss, "counter visit (fr)")
            await boss.screenshot(path=str(artifact("staff-counter-visit-fr.png")), full_page=True)
            # The refusal page (a stranger's screen) too.
            stranger = await new_page(browser, TV)
            await stranger.goto(f"{base}/display/{STADHUIS}?lang=de")
            await assert_accessible(stranger, "refused display (de)")
            await stranger.screenshot(path=str(artifact("staff-display-refused-de.png")))
            for page in (boss, display, kiosk):
                assert not page.console_errors, page.console_errors


async def test_the_counter_screen_works_with_the_keyboard_alone(database_url, bus_url, tmp_path, monkeypatch,
                                                                pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerk = await staff_account(pool)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff", json={"language": "en"})
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await page.goto(f"{base}/staff/counter")
            await tab_to(page, "Username")
            await page.keyboard.type(clerk)
            await page.keyboard.press("Tab")
            await page.keyboard.type("counter tablet in the hall")
            await page.keyboard.press("Enter")
            await page.wait_for_url(re.compile(rf"{re.escape(base)}/staff/counter(\?.*)?$"))
            await tab_to(page, "Counter number")
            await page.keyboard.press("Control+A")
            await page.keyboard.type("4")
            await page.keyboard.press("Enter")
            await page.wait_for_url(re.compile(rf".*/staff/counter/{STADHUIS}/4.*"))
            await tab_to(page, "Call next")
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            await tab_to(page, "Is at the counter: start the visit")
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            await tab_to(page, "Topic")
            await page.keyboard.press("End")  # the last topic in the list
            await tab_to(page, "Outcome")
            await page.keyboard.press("ArrowDown")  # "Referred"
            await tab_to(page, "End the visit")
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            await page.wait_for_selector("text=Nobody. Call the next person.")
            await page.screenshot(path=str(artifact("staff-counter-keyboard.png")), full_page=True)
    ended = await outbox(pool, "VisitEnded")
    assert ended and ended[0]["outcome"] == "referred" and ended[0]["topic"] == "online_forms"


async def test_the_display_reconnects_by_itself(database_url, bus_url, tmp_path, monkeypatch,
                                                pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    from services.booking.workspace import display_routes

    monkeypatch.setattr(display_routes, "STREAM_LIFETIME_S", 1.0)  # the server ends every stream after 1 s
    manager = await staff_account(pool, role=Role.POINT_MANAGER)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff", json={"language": "nl"})
        async with chromium_browser() as browser:
            boss = await new_page(browser, TABLET)
            boss.username = manager
            display_link, _ = await _links(boss, booking.base)
            display = await new_page(browser, TV)
            streams: list[str] = []
            display.on("request", lambda r: streams.append(r.url) if r.url.endswith("/events") else None)
            await display.goto(display_link)
            await expect(display.locator("#display")).to_have_attribute("data-live", "1", timeout=CEILING_MS)
            for _ in range(600):  # the stream ended and the page opened it again (a generous ceiling)
                if len(streams) >= 3:
                    break
                await display.wait_for_timeout(50)
            assert len(streams) >= 3, streams
            await boss.goto(f"{booking.base}/staff/counter/{STADHUIS}/5?lang=en")
            await boss.get_by_role("button", name="Call next").click()
            await expect(display.locator("#now-number")).to_have_text("1", timeout=CEILING_MS)
            await expect(display.locator("#now-counter")).to_have_text("5", timeout=CEILING_MS)
