"""The public seat booking page in headless Chromium: a citizen books a laptop at the Digibank for
an hour (with the mouse, then once more with the keyboard alone), the free seats per hour come from
the bookings (a full hour is shown full and cannot be chosen), axe-core finds no serious or
critical violation on any step in NL, FR, DE or EN, and a refusal is said in the page's language."""

from __future__ import annotations

import datetime as dt
import re

from services.booking.calendar.local_time import BRUSSELS, local_date
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page
from tests.support.seat_slots import open_hour
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import DIGIBANK, tab_to

PHONE = {"width": 412, "height": 915}


def seat(kind: str, slot, **extra):  # type: ignore[no-untyped-def]
    return {"kind": kind, "starts_at": slot[0].isoformat(), "ends_at": slot[1].isoformat(), "language": "nl", **extra}


async def test_a_citizen_books_a_laptop_for_an_hour(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK)
    day = local_date(slot[0]).isoformat()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page(PHONE) as page:
        await pool.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        # Two laptops of the five are taken for that hour by staff bookings.
        for _ in range(2):
            assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat("laptop", slot)))[0] == 201
        await page.goto(f"{booking.base}/public/book?lang=fr")  # linked from the appointment page's first step
        await page.get_by_role("link", name="Travailler vous-même sur un ordinateur ? Réservez une place").click()
        assert await page.inner_text("h1") == "Réserver un ordinateur"
        await assert_accessible(page, "seats start")
        await page.get_by_label("Point d'aide").select_option(DIGIBANK)
        await page.get_by_label("Ordinateur portable").check()
        await page.get_by_role("button", name="Voir les heures libres").click()
        await page.wait_for_url(re.compile(rf".*/public/seats/{DIGIBANK}\?.*kind=laptop.*"))
        await page.goto(f"{page.url}&day={day}")
        await assert_accessible(page, "seats slots")
        hour = f"{slot[0].astimezone(BRUSSELS):%H:%M}–{slot[1].astimezone(BRUSSELS):%H:%M}"
        chosen = page.get_by_label(f"{hour} · 3 libres")  # 5 laptops, 2 taken
        await chosen.check()
        unlabeled = await page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)""")
        assert unlabeled == []
        await page.get_by_label("Numéro de GSM (facultatif)").fill("0470 12 34 56")
        await page.get_by_label("Votre langue").select_option("nl")
        await page.screenshot(path=str(artifact("seats-page-slots.png")), full_page=True)
        await page.get_by_role("button", name="Réserver").click()
        await page.wait_for_selector("#booked-what")
        main = await page.inner_text("main")
        assert "Votre place est réservée" in main and "Ordinateur portable · Place 3" in main, main
        await assert_accessible(page, "seats booked")
        await page.screenshot(path=str(artifact("seats-page-booked.png")), full_page=True)
        # The citizen's own link: the booking, and cancelling it frees the seat for someone else.
        assert await page.inner_text("#manage-address") == await page.get_attribute("#manage-link", "href")
        await page.get_by_role("link", name="Voir ou annuler cette réservation").click()
        assert "Place 3" in await page.inner_text("main")
        await page.get_by_role("link", name="Nederlands").click()  # another language keeps the link working
        assert "Reservatie annuleren" in await page.inner_text("main")
        await page.get_by_role("link", name="Français").click()
        await assert_accessible(page, "seat booking link")
        await page.get_by_role("button", name="Annuler la réservation").click()
        assert "Cette réservation est annulée" in await page.inner_text("#seat-cancelled")
        assert await page.get_by_role("button", name="Annuler la réservation").count() == 0
        await assert_accessible(page, "seat booking cancelled")
        await page.screenshot(path=str(artifact("seats-page-cancelled.png")), full_page=True)
        assert page.console_errors == []
    row = await pool.fetchrow("SELECT kind, seat_no, lower(during) AS starts_at, language, contact, cancelled_at "
                              "FROM booking.seat_bookings WHERE contact IS NOT NULL")
    assert (row["kind"], row["seat_no"], row["starts_at"], row["language"]) == ("laptop", 3, slot[0], "nl")
    assert row["cancelled_at"] is not None
    assert row["contact"]["phone"] == "+32470123456"


async def test_a_full_hour_cannot_be_chosen_and_a_bad_number_is_explained(database_url, bus_url, tmp_path, monkeypatch,
                                                                          pool) -> None:  # type: ignore[no-untyped-def]
    slot, later = open_hour(DIGIBANK, days_ahead=4), open_hour(DIGIBANK, days_ahead=4, offset_hours=1)
    day = local_date(slot[0]).isoformat()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page(PHONE) as page:
        await pool.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        for _ in range(5):
            assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "staff", json=seat("laptop", slot)))[0] == 201
        await page.goto(f"{booking.base}/public/seats/{DIGIBANK}?lang=nl&kind=laptop&day={day}")
        hour = f"{slot[0].astimezone(BRUSSELS):%H:%M}–{slot[1].astimezone(BRUSSELS):%H:%M}"
        assert await page.get_by_label(f"{hour} · volzet").is_disabled()
        next_hour = f"{later[0].astimezone(BRUSSELS):%H:%M}–{later[1].astimezone(BRUSSELS):%H:%M}"
        await page.get_by_label(f"{next_hour} · 5 vrij").check()
        await page.get_by_label("GSM-nummer (mag leeg)").fill("12")
        await page.get_by_role("button", name="Reserveren").click()
        alert = page.get_by_role("alert")
        assert "Dit is geen geldig gsm-nummer" in await alert.inner_text()
        assert await page.get_by_label(f"{next_hour} · 5 vrij").is_checked()  # the choice is kept
        await assert_accessible(page, "seats refused")
        await page.screenshot(path=str(artifact("seats-page-refused-nl.png")), full_page=True)
        # A form sent for the full hour anyway (an old page) is refused in words, and nothing is booked.
        response = await page.request.post(f"{booking.base}/public/seats/{DIGIBANK}?lang=de",
                                           form={"kind": "laptop", "day": day, "starts_at": slot[0].isoformat()})
        assert response.status == 409 and "Alle Plätze sind" in await response.text()
        # An address with a point or a kind not to book goes back to the first step, saying why.
        for path, status, said in (("/public/seats?lang=en&point=herselt-digibank&kind=laptop", 400,
                                    "This help point has no such seats to book."),
                                   ("/public/seats/no-such-point?lang=en&kind=laptop", 404,
                                    "This help point does not exist (any more)."),
                                   ("/public/seats/mechelen-stadhuis?lang=en&kind=workstation", 404,
                                    "Choose a help point and what you would like to use."),
                                   (f"/public/seats/{DIGIBANK}?lang=en&kind=printer", 404,
                                    "Choose a help point and what you would like to use.")):
            response = await page.goto(f"{booking.base}{path}")
            assert response.status == status and said in await page.inner_text("[role=alert]"), path
            assert await page.locator("select#point option").count() >= 2  # the points to choose from
    assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK) == 5


async def test_every_step_in_every_language_passes_axe(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slot = open_hour(DIGIBANK, days_ahead=5)
    day = local_date(slot[0]).isoformat()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page(PHONE) as page:
        for lang in ("nl", "fr", "de", "en"):
            await page.goto(f"{booking.base}/public/seats?lang={lang}")
            assert await page.get_attribute("html", "lang") == lang
            await assert_accessible(page, f"seats start ({lang})")
            await page.screenshot(path=str(artifact(f"seats-page-start-{lang}.png")), full_page=True)
            await page.goto(f"{booking.base}/public/seats/{DIGIBANK}?lang={lang}&kind=workstation&day={day}")
            await assert_accessible(page, f"seats slots ({lang})")
            await page.screenshot(path=str(artifact(f"seats-page-slots-{lang}.png")), full_page=True)
            await page.locator("input[name=starts_at]:not([disabled])").first.check()
            await page.locator("form button[type=submit]").click()
            await page.wait_for_selector("#booked-what")
            assert "workstation" not in await page.inner_text("main")  # a human label, never the stored word
            await assert_accessible(page, f"seats booked ({lang})")
            await page.screenshot(path=str(artifact(f"seats-page-booked-{lang}.png")), full_page=True)


async def test_a_seat_is_booked_with_the_keyboard_alone(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page(PHONE) as page:
        await pool.execute("DELETE FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK)
        await page.goto(f"{booking.base}/public/seats?lang=en")
        await tab_to(page, "Help point")
        await page.keyboard.type("Digibank M")  # a select jumps to the option typed: the one in Mechelen
        await tab_to(page, "Computer")
        await page.keyboard.press("ArrowDown")  # the next radio: Laptop
        async with page.expect_navigation():
            await page.keyboard.press("Enter")  # submits the form
        await page.wait_for_url(re.compile(r".*kind=laptop.*"))
        first_hour = await page.locator("input[name=starts_at]:not([disabled])").first.evaluate(
            "e => e.labels[0].textContent.trim()")
        await tab_to(page, first_hour)
        await page.keyboard.press("Space")
        await tab_to(page, "Mobile number (optional)")
        await page.keyboard.type("0470 12 34 56")
        await tab_to(page, "Book")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        await page.wait_for_selector("#booked-what")
        assert "Laptop · Seat 1" in await page.inner_text("main")
        await page.screenshot(path=str(artifact("seats-page-keyboard.png")), full_page=True)
    assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1 AND kind = 'laptop'",
                               DIGIBANK) == 1


async def test_online_only_hours_still_to_come_are_offered(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slot, later = open_hour(DIGIBANK, days_ahead=2), open_hour(DIGIBANK, days_ahead=2, offset_hours=1)
    now = slot[0] + dt.timedelta(minutes=10)  # ten minutes into the day's first hour
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now) as booking, \
            chromium_page(PHONE) as page:
        await page.goto(f"{booking.base}/public/seats/{DIGIBANK}?lang=en&kind=workstation")
        hours = await page.locator("input[name=starts_at]").evaluate_all("es => es.map(e => e.value)")
        assert hours[0] == later[0].isoformat() and slot[0].isoformat() not in hours, hours
        assert await page.get_attribute("a[aria-current=date]", "href") == \
            f"/public/seats/{DIGIBANK}?lang=en&kind=workstation&day={local_date(now).isoformat()}"
