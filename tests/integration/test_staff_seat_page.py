"""The staff seat page in Chromium: at the Digibank in the afternoon, a citizen who booked a
computer is checked in and out, a walk-in gets a laptop for the current hour and it is cancelled
again; each step is in the database and the contact's booking on the audit trail. axe-core on the
page in every language; a form without the session's token, or for another point's booking,
changes nothing."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import asyncpg

from loket.infra.identity.roles import Role
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.seat_slots import open_hour
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    chromium_browser,
    new_page,
    sign_in_page,
    staff_account,
)

TABLET = {"width": 1280, "height": 800}


def seat(kind: str, slot: tuple[dt.datetime, dt.datetime]) -> dict[str, object]:
    return {"kind": kind, "starts_at": slot[0].isoformat(), "ends_at": slot[1].isoformat(), "language": "fr"}


async def test_staff_check_a_citizen_in_and_out_and_book_a_walk_in(database_url, bus_url, tmp_path, monkeypatch,
                                                                  pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK, days_ahead=3)
    now = [slot[0] + dt.timedelta(minutes=10)]  # the afternoon at the Digibank, ten minutes into the first hour
    clerk = await staff_account(pool, points=(DIGIBANK,))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        await pool.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        status, booked = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff",
                                            json=seat("workstation", slot))
        assert status == 201, booked
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, booking.base, f"/staff/seats/{DIGIBANK}?lang=en", clerk)
            today = await page.inner_text("#today-h + table")
            assert "Computer" in today and "French" in today and "Expected" in today, today
            await page.screenshot(path=str(artifact("staff-seats.png")), full_page=True)

            await page.get_by_role("button", name=re.compile(r"Check in seat Computer 1 at ")).click()
            await page.wait_for_url(re.compile(r".*done=check-in.*"))
            assert await page.inner_text("[role=status]") == "Checked in."
            assert await page.inner_text("#today-h + table tbody td:nth-child(5)") == "Present"
            now[0] += dt.timedelta(minutes=40)
            await page.get_by_role("button", name=re.compile(r"Check out seat Computer 1 at ")).click()
            assert await page.inner_text("#today-h + table tbody td:nth-child(5)") == "Left"

            # A walk-in: a laptop for the hour under way, with a mobile number (on the audit trail).
            await page.get_by_label("What").select_option("laptop")
            options = await page.locator("#starts_at option").all_inner_texts()
            # The computer left early, but its booking holds the seat until the hour ends (as the database does).
            assert options[0] == f"{_local(slot[0])}–{_local(slot[1])} (Computer: 9 free, Laptop: 5 free)", options
            assert options[1].endswith("(Computer: 10 free, Laptop: 5 free)"), options
            await page.locator("#language").select_option("nl")
            await page.get_by_label("Mobile number (optional)").fill("0470 12 34 56")
            await page.get_by_role("button", name="Book the seat").click()
            await page.wait_for_url(re.compile(r".*done=book.*"))
            assert await page.inner_text("[role=status]") == "Seat booked."
            assert "Laptop: 4 free" in await page.inner_text("#starts_at")
            await page.screenshot(path=str(artifact("staff-seats-walk-in.png")), full_page=True)
            await page.get_by_role("button", name=re.compile(r"Cancel seat Laptop 1 at ")).click()
            assert "Cancelled" in await page.inner_text("#today-h + table")
            assert await page.inner_text("[role=status]") == "Booking cancelled."
            assert "Laptop: 5 free" in await page.inner_text("#starts_at")
            await assert_accessible(page, "seats after the day's steps")
            assert not page.console_errors, page.console_errors

    rows = await pool.fetch("SELECT kind, language, contact, checked_in_at, checked_out_at, cancelled_at "
                            "FROM booking.seat_bookings WHERE point_id = $1 ORDER BY kind DESC", DIGIBANK)
    computer, laptop = rows
    assert computer["checked_in_at"] == slot[0] + dt.timedelta(minutes=10)
    assert computer["checked_out_at"] == slot[0] + dt.timedelta(minutes=50)
    assert laptop["cancelled_at"] is not None and laptop["checked_in_at"] is None
    assert (laptop["language"], laptop["contact"]["phone"]) == ("nl", "+32470123456")
    assert await pool.fetchval("SELECT count(*) FROM identity.audit_log WHERE principal = $1 AND action = $2",
                               clerk, "book a seat (contact details)") == 1


async def test_a_stale_form_or_another_points_booking_changes_nothing(database_url, bus_url, tmp_path, monkeypatch,
                                                                      pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK, days_ahead=3)
    now = [slot[0]]
    stadhuis_clerk = await staff_account(pool, points=(STADHUIS,))
    clerk = await staff_account(pool, points=(DIGIBANK,))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        _, booked = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat("laptop", slot))
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, booking.base, f"/staff/seats/{DIGIBANK}?lang=nl", clerk)
            csrf = await page.get_attribute("input[name=csrf]", "value")
            no_token = await page.request.post(f"{booking.base}/staff/seats/{DIGIBANK}/check-in",
                                               form={"id": booked["booking_id"]})
            assert no_token.status == 403
            other_point = await page.request.post(f"{booking.base}/staff/seats/{STADHUIS}/check-in",
                                                  form={"csrf": csrf, "id": booked["booking_id"]})
            assert other_point.status == 404  # not a point of this clerk
            unknown = await page.request.post(f"{booking.base}/staff/seats/{DIGIBANK}/check-in",
                                              form={"csrf": csrf, "id": str(uuid.uuid4())})
            assert unknown.status == 404
            stranger = await new_page(browser, TABLET)
            await sign_in_page(stranger, booking.base, f"/staff/seats/{STADHUIS}?lang=nl", stadhuis_clerk)
            assert "geen computers of laptops" in await stranger.inner_text("main")  # the city hall has none
            response = await stranger.goto(f"{booking.base}/staff/seats/{DIGIBANK}?lang=nl")
            assert response.status == 404
    assert await pool.fetchval("SELECT checked_in_at FROM booking.seat_bookings WHERE booking_id = $1",
                               uuid.UUID(booked["booking_id"])) is None


async def test_the_seat_page_in_every_language_passes_axe(database_url, bus_url, tmp_path, monkeypatch,
                                                          pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK, days_ahead=3)
    now = [slot[0]]
    manager = await staff_account(pool, role=Role.POINT_MANAGER, points=(DIGIBANK,))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        for kind in ("workstation", "laptop"):
            await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat(kind, slot))
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, booking.base, f"/staff/dashboard/{DIGIBANK}", manager)
            await page.get_by_role("link", name="Computers and laptops").click()  # linked from the dashboard
            await page.wait_for_url(re.compile(rf".*/staff/seats/{DIGIBANK}.*"))
            for lang in ("nl", "fr", "de", "en"):
                await page.goto(f"{booking.base}/staff/seats/{DIGIBANK}?lang={lang}")
                assert await page.get_attribute("html", "lang") == lang
                assert "workstation" not in await page.inner_text("main")  # human labels only
                await assert_accessible(page, f"seats ({lang})")
                await page.screenshot(path=str(artifact(f"staff-seats-{lang}.png")), full_page=True)


def _local(instant: dt.datetime) -> str:
    from services.booking.calendar.local_time import BRUSSELS

    return f"{instant.astimezone(BRUSSELS):%H:%M}"
