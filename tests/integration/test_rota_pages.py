"""The rota and point-settings pages in Chromium: the point manager changes the Digibank's hours
(a seat on the new hours is bookable at once, the change is on the audit trail, tomorrow's gap is
flagged on the dashboard), sees its Connectoo label flagged until a helper's certificate is recorded, offers an open shift; a volunteer signs up, a second finds it full; the manager
approves. axe-core on every page in NL, FR, DE and EN; screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re

import asyncpg

from loket.infra.identity.roles import Role
from services.booking.calendar.local_time import local_instant
from services.booking.staff.directory import PointDirectory
from services.booking.staff.model import Helper
from services.booking.staff.repository import upsert_staff
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import (
    DIGIBANK,
    chromium_browser,
    new_page,
    sign_in_page,
    staff_account,
)

TABLET = {"width": 1280, "height": 800}
NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)  # a Sunday: tomorrow is a Monday, when the Digibank is closed
MONDAY, TUESDAY = dt.date(2027, 1, 11), dt.date(2027, 1, 12)


async def _volunteer(pool: asyncpg.Pool, name: str) -> tuple[str, Helper]:
    username = await staff_account(pool, points=(DIGIBANK,), role=Role.VOLUNTEER)
    helper = Helper(helper_id=f"test-{username}", name=name, kind="volunteer", languages=["nl", "en"],
                    services=["ebox_activation"], account=username)
    async with pool.acquire() as conn:
        await upsert_staff(conn, "booking", [helper], [])
    return username, helper


async def _monday_seat(booking) -> int:  # type: ignore[no-untyped-def]
    starts = local_instant(MONDAY, dt.time(9))
    status, _ = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json={
        "kind": "laptop", "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "language": "nl"})
    return status


async def test_a_manager_runs_the_point_and_its_rota_and_volunteers_sign_up(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    manager = await staff_account(pool, points=(DIGIBANK,), role=Role.POINT_MANAGER)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: NOW) as booking:
        await pool.execute("DELETE FROM booking.shift_signups; DELETE FROM booking.open_shifts")
        anna, _ = await _volunteer(pool, "Anna Volunteer")
        bram, _ = await _volunteer(pool, "Bram Volunteer")
        base = booking.base
        assert await _monday_seat(booking) == 422  # closed on Mondays
        async with chromium_browser() as browser:
            boss = await new_page(browser, TABLET)
            await sign_in_page(boss, base, f"/staff/manage/{DIGIBANK}?lang=en", manager)
            for lang in ("nl", "fr", "de", "en"):
                await boss.goto(f"{base}/staff/manage/{DIGIBANK}?lang={lang}")
                await assert_accessible(boss, f"point settings ({lang})")
            await boss.screenshot(path=str(artifact("staff-point-settings.png")), full_page=True)
            # The seeded Digibank carries the Connectoo label, and none of its helpers holds a
            # certificate: flagged until one is recorded.
            assert await boss.locator("#label-warning").count() == 1

            # Open on Mondays: a mistake in the exceptions is named first.
            await boss.get_by_label("Mon", exact=True).fill("09:00-12:00")
            await boss.get_by_label("Exceptions and closures").fill("next week closed")
            await boss.get_by_role("button", name="Save", exact=True).click()
            assert "Line 1 of the exceptions cannot be read: next week closed" in await boss.inner_text("[role=alert]")
            assert await boss.get_by_label("Mon", exact=True).input_value() == "09:00-12:00"  # nothing typed is lost
            boss.console_errors.clear()  # the refused form was answered 400, as it should be
            await boss.get_by_label("Exceptions and closures").fill("2027-12-31 closed")
            await boss.get_by_role("button", name="Save", exact=True).click()
            await boss.wait_for_url(re.compile(r".*done=saved.*"))
            assert "New bookings follow the new settings at once." in await boss.inner_text("main")
            # The notice is said once: the page in another language does not say it again.
            await boss.get_by_role("link", name="Français").click()
            assert "done=" not in boss.url and "lang=fr" in boss.url
            assert "New bookings follow the new settings at once." not in await boss.inner_text("main")
            await boss.get_by_role("link", name="English").click()
            await boss.wait_for_url(re.compile(r".*lang=en.*"))
            assert "New bookings follow the new settings at once." not in await boss.inner_text("main")
            assert await _monday_seat(booking) == 201  # at once, no stale cache
            assert await boss.locator("#label-warning").count() == 1
            await boss.get_by_role("link", name="Marleen Janssens").click()
            for lang in ("nl", "fr", "de", "en"):
                await boss.goto(re.sub(r"lang=\w\w", f"lang={lang}", boss.url))
                await assert_accessible(boss, f"helper profile ({lang})")
            assert await boss.inner_text("#valid-today") == "No"
            await boss.get_by_label("Connectoo certificate since").fill("2026-06-01")
            await boss.get_by_label("Valid until").fill("2026-01-01")  # before the certificate: refused
            await boss.get_by_label("Deutsch").check()
            await boss.get_by_role("button", name="Save", exact=True).click()
            assert "Not saved: the certificate must expire after the date it was obtained" in \
                await boss.inner_text("[role=alert]")
            assert await boss.get_by_label("Deutsch").is_checked()  # nothing typed is lost
            # The model's refusal in the page's language, not the model's English.
            helper_url = boss.url
            await boss.goto(re.sub(r"lang=\w\w", "lang=nl", helper_url))
            await boss.fill("#since", "2026-06-01")
            await boss.fill("#until", "2026-01-01")
            await boss.get_by_role("button", name="Opslaan", exact=True).click()
            assert "Niet opgeslagen: het certificaat moet vervallen na de datum waarop het behaald werd" in \
                await boss.inner_text("[role=alert]")
            await boss.goto(re.sub(r"lang=\w\w", "lang=en", helper_url))
            await boss.get_by_label("Connectoo certificate since").fill("2026-06-01")
            await boss.get_by_label("Deutsch").check()
            boss.console_errors.clear()
            await boss.get_by_label("Valid until").fill("2029-06-01")
            await boss.screenshot(path=str(artifact("staff-helper-profile.png")), full_page=True)
            await boss.get_by_role("button", name="Save", exact=True).click()
            await boss.wait_for_url(re.compile(r".*/staff/manage/[^/]+\?.*done=saved.*"))
            assert await boss.locator("#label-warning").count() == 0
            # The certificate's dates as a person reads them, not as the date field stores them.
            helper_row = await boss.get_by_role("row", name=re.compile("Marleen Janssens")).inner_text()
            assert "1 Jun 2026" in helper_row and "1 Jun 2029" in helper_row and "2029-06-01" not in helper_row
            async with pool.acquire() as conn:
                staffed = await PointDirectory("booking", ttl_s=0).get(conn, DIGIBANK)
            marleen = next(h for h in staffed.helpers if h.name == "Marleen Janssens")  # type: ignore[union-attr]
            assert marleen.languages == ["nl", "fr", "de", "en"]
            assert marleen.connectoo_expires_on == dt.date(2029, 6, 1) and marleen.certified_on(NOW.date())
            audited = await pool.fetch("SELECT action, object_id FROM identity.audit_log WHERE principal = $1", manager)
            assert {(r["action"], r["object_id"]) for r in audited} >= {
                ("change the point's settings", DIGIBANK)}
            assert any(r["action"] == "change a helper's profile" for r in audited)

            # Tomorrow (Monday) is open now, and nobody is on the rota: the dashboard flags it.
            await boss.goto(f"{base}/staff/dashboard/{DIGIBANK}?lang=en")
            assert "Nobody from 09:00 to 12:00" in await boss.inner_text("#gaps")
            await boss.screenshot(path=str(artifact("staff-dashboard-gaps.png")), full_page=True)

            # An open shift on Tuesday with one place.
            await boss.get_by_role("link", name="Rota and open shifts").first.click()
            await boss.get_by_label("Date").fill(TUESDAY.isoformat())
            await boss.get_by_label("Starts at").fill("13:00")
            await boss.get_by_label("Ends at").fill("17:00")
            await boss.get_by_label("Number of places").fill("1")
            await boss.get_by_label("Note").fill("Tax-on-web evening")
            await boss.get_by_role("button", name="Offer", exact=True).click()
            assert "The shift is open to volunteers." in await boss.inner_text("main")
            # And one tomorrow morning, less than a day ahead: too late for volunteers to sign up.
            await boss.get_by_label("Date").fill(MONDAY.isoformat())
            await boss.get_by_label("Starts at").fill("09:00")
            await boss.get_by_label("Ends at").fill("12:00")
            await boss.get_by_role("button", name="Offer", exact=True).click()
            assert "Open shift 09:00–12:00: 0 of 1 places taken" in await boss.inner_text("#gaps")

            first = await new_page(browser, TABLET)
            await sign_in_page(first, base, "/staff/shifts?lang=en", anna)
            for lang in ("nl", "fr", "de", "en"):
                await first.goto(f"{base}/staff/shifts?lang={lang}")
                await assert_accessible(first, f"my shifts ({lang})")
            await first.get_by_role("button", name="Sign up for Tuesday 12 January, 13:00–17:00").click()
            assert "You are signed up." in await first.inner_text("main")
            assert "Requested" in await first.inner_text("main")
            await first.screenshot(path=str(artifact("staff-my-shifts.png")), full_page=True)

            second = await new_page(browser, TABLET)
            await sign_in_page(second, base, "/staff/shifts?lang=en", bram)
            row = second.get_by_role("row", name=re.compile("Tuesday 12 January"))
            assert "Full" in await row.inner_text() and await row.get_by_role("button").count() == 0
            await second.goto(f"{base}/staff/shifts?lang=nl")
            await second.get_by_role("button", name="Inschrijven voor maandag 11 januari, 09:00–12:00").click()
            assert "Inschrijven kan tot 24 uur voor het begin" in await second.inner_text("[role=alert]")
            second.console_errors.clear()  # the refusal was answered 409, as it should be

            await boss.goto(f"{base}/staff/rota/{DIGIBANK}?lang=en")
            for lang in ("nl", "fr", "de", "en"):
                await boss.goto(f"{base}/staff/rota/{DIGIBANK}?lang={lang}")
                await assert_accessible(boss, f"rota ({lang})")
            await boss.get_by_role("button", name=re.compile("Approve Anna Volunteer")).click()
            assert "Anna Volunteer – Approved" in await boss.inner_text("main")
            await boss.screenshot(path=str(artifact("staff-rota.png")), full_page=True)
            await first.goto(f"{base}/staff/shifts?lang=en")
            assert "Approved" in await first.inner_text("main")
            assert not boss.console_errors and not first.console_errors
    await pool.execute("DELETE FROM booking.shift_signups; DELETE FROM booking.open_shifts")


async def test_the_pages_answer_only_their_people(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    """A volunteer cannot open the manager's pages; a manager of another point gets the same 404 as
    for a point that does not exist; someone without a profile is told to ask for one."""
    volunteer = await staff_account(pool, points=(DIGIBANK,), role=Role.VOLUNTEER)
    elsewhere = await staff_account(pool, role=Role.POINT_MANAGER)  # manages the city hall only
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: NOW) as booking:
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, booking.base, "/staff/shifts?lang=en", volunteer)
            assert "not linked to a volunteer profile" in await page.inner_text("main")
            for path in (f"/staff/rota/{DIGIBANK}", f"/staff/manage/{DIGIBANK}"):
                response = await page.goto(f"{booking.base}{path}?lang=en")
                assert response is not None and response.status == 403, path
            other = await new_page(browser, TABLET)
            await sign_in_page(other, booking.base, "/staff/counter?lang=en", elsewhere)
            for path in (f"/staff/rota/{DIGIBANK}", f"/staff/manage/{DIGIBANK}", "/staff/manage/no-such-point"):
                response = await other.goto(f"{booking.base}{path}?lang=en")
                assert response is not None and response.status == 404, path
