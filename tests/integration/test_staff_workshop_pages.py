"""The staff workshop desk in Chromium (tablet): counter staff open a point's workshops from the
counter screen, see who registered (placed, waiting, cancelled), record who came on the day and
cancel on a citizen's behalf (the place goes to the first waiting); axe-core on every page in
every language; another point's workshop is not found; screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.identity.roles import Role
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
)

TABLET = {"width": 1280, "height": 800}


async def test_staff_record_attendance_and_cancel_on_the_workshop_desk(database_url, bus_url, tmp_path, monkeypatch,
                                                                       pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerk = await staff_account(pool, points=(DIGIBANK,))
    now = [dt.datetime.now(dt.UTC)]
    starts = (now[0] + dt.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    plan = {"title": "Veilig internetbankieren", "language": "nl", "capacity": 2, "trainer": "An Peeters",
            "partner_school": "Atheneum Mechelen", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        base = booking.base
        status, planned = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "backoffice", json=plan)
        assert status == 201, planned
        register = f"/public/workshops/{planned['workshop_id']}/registrations"
        for who in ({"phone": "0470 12 34 56", "language": "nl"}, {"email": "an@example.be", "language": "fr"},
                    {"email": "jan@example.be", "language": "en"}):
            assert (await booking.call("POST", register, json={"contact": who}))[0] == 201
        status, elsewhere = await booking.call("POST", f"/staff/points/{STADHUIS}/workshops", "backoffice",
                                               json={**plan, "title": "Elders"})
        assert status == 201, elsewhere
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, base, f"/staff/counter/{DIGIBANK}/1", clerk)
            await page.get_by_role("link", name="Workshops").click()
            await page.wait_for_url(f"{base}/staff/workshop-desk/{DIGIBANK}*")
            assert "2 / 2" in await page.inner_text("main")  # two placed, one waiting
            await page.get_by_role("link", name="Veilig internetbankieren").click()
            desk = page.url.split("?")[0]
            main = await page.inner_text("main")
            assert "+32470123456" in main and "jan@example.be" in main and "Waiting" in main
            # Every column's header is drawn alike: the cancel column's was a small grey hint.
            header_sizes = await page.eval_on_selector_all(
                "main thead th", "ths => ths.map(th => getComputedStyle(th.firstElementChild || th).fontSize)")
            assert len(set(header_sizes)) == 1, header_sizes
            # Before the workshop's day nobody can be marked as came; a cancellation promotes the one waiting.
            assert await page.get_by_role("button", name="Mark as came").count() == 0
            await page.get_by_role("button", name="Cancel: +32470123456").click()
            await page.wait_for_selector("[role=status]")
            assert await page.inner_text("[role=status]") == "Registration cancelled."  # not "Saved."
            assert [p["contact"]["email"] for p in await outbox(pool, "WorkshopPlaceOffered")] == ["jan@example.be"]
            for lang in ("nl", "fr", "de", "en"):
                for url, name in ((f"{base}/staff/workshop-desk/{DIGIBANK}", "list"), (desk, "registrations")):
                    await page.goto(f"{url}?lang={lang}")
                    assert await page.get_attribute("html", "lang") == lang
                    await assert_accessible(page, f"workshop desk {name} ({lang})")
                    await page.screenshot(path=str(artifact(f"staff-workshop-{name}-{lang}.png")), full_page=True)

            # On the day: who came is recorded, once.
            now[0] = starts + dt.timedelta(minutes=5)
            await page.goto(f"{desk}?lang=en")
            await page.get_by_role("button", name="Mark as came").first.click()
            await page.wait_for_selector("[role=status]")
            assert await page.inner_text("[role=status]") == "Attendance noted."
            await assert_accessible(page, "workshop desk after attendance")
            await page.screenshot(path=str(artifact("staff-workshop-attended-en.png")), full_page=True)
            assert len(await outbox(pool, "WorkshopAttended")) == 1
            assert await page.get_by_role("button", name="Cancel: an@example.be").count() == 0  # it has begun

            # Another point's workshop, and a point the clerk does not work at, are not found.
            response = await page.goto(f"{base}/staff/workshop-desk/{DIGIBANK}/{elsewhere['workshop_id']}")
            assert response.status == 404
            response = await page.goto(f"{base}/staff/workshop-desk/{STADHUIS}")
            assert response.status == 404
            await assert_accessible(page, "workshop desk refused")
    # Every look at the contact details is on the audit trail, as through the API.
    seen = await pool.fetchval("SELECT count(*) FROM identity.audit_log WHERE object_id = $1 AND principal = $2",
                               planned["workshop_id"], clerk)
    assert seen == 8  # each showing of the registrations page: 2 + 4 languages + 2 on the day


async def test_a_manager_plans_a_workshop_on_the_desk_and_citizens_see_it(database_url, bus_url, tmp_path,
                                                                          monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    """The planning form is the manager's (counter staff do not see it); a mistake keeps what was
    typed; the planned workshop is on the public list at once."""
    manager = await staff_account(pool, points=(DIGIBANK,), role=Role.POINT_MANAGER)
    clerk = await staff_account(pool, points=(DIGIBANK,))
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).date()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        async with chromium_browser() as browser:
            staff = await new_page(browser, TABLET)
            await sign_in_page(staff, base, f"/staff/workshop-desk/{DIGIBANK}?lang=en", clerk)
            assert await staff.get_by_role("button", name="Plan", exact=True).count() == 0

            page = await new_page(browser, TABLET)
            await sign_in_page(page, base, f"/staff/workshop-desk/{DIGIBANK}?lang=en", manager)
            await page.get_by_label("Title").fill("Tablet voor beginners")
            await page.get_by_label("Trainer").fill("Marleen Janssens")
            await page.get_by_label("Partner school (optional)").fill("Atheneum Mechelen")
            await page.get_by_label("Language of the workshop").select_option("nl")
            await page.get_by_label("Date").fill(day.isoformat())
            await page.get_by_label("From").fill("16:00")
            await page.get_by_label("Until").fill("14:00")  # before it starts: refused, nothing lost
            await page.get_by_label("Number of places").fill("6")
            await page.get_by_role("button", name="Plan", exact=True).click()
            assert "The workshop must end after it starts." in await page.inner_text("[role=alert]")
            assert await page.get_by_label("Title").input_value() == "Tablet voor beginners"
            await assert_accessible(page, "workshop planning refused")
            await page.get_by_label("From").fill("14:00")
            await page.get_by_label("Until").fill("16:00")
            await page.get_by_role("button", name="Plan", exact=True).click()
            await page.wait_for_selector("[role=status]")
            assert "Tablet voor beginners" in await page.inner_text("main")
            await assert_accessible(page, "workshop planned")
            await page.screenshot(path=str(artifact("staff-workshop-planned-en.png")), full_page=True)
            await page.get_by_role("link", name="Tablet voor beginners").click()
            await page.get_by_label("Number of places").fill("9")
            await page.get_by_role("button", name="Change the number of places").click()
            await page.wait_for_selector("[role=status]")
            assert await page.inner_text("[role=status]") == "Number of places changed."
            assert await page.get_by_label("Number of places").input_value() == "9"
            await assert_accessible(page, "workshop places changed")
        status, listed = await booking.call("GET", f"/public/points/{DIGIBANK}/workshops")
        assert status == 200, listed
        (planned,) = [w for w in listed["workshops"] if w["title"] == "Tablet voor beginners"]
        assert planned["capacity"] == 9 and planned["language"] == "nl"
        assert planned["starts_at"].startswith(day.isoformat())
