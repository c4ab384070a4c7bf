"""The citizen booking page books a slot end to end in headless Chromium (on a phone-sized
screen, with the keyboard for the last step), every form field has a label, axe-core finds no
serious or critical violation on any step, and a refusal is said in the page's language."""

from __future__ import annotations

from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.signin_harness import assert_accessible


async def test_a_citizen_books_a_slot_on_the_page(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    require_chromium()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page() as page:
        await page.goto(f"{booking.base}/public/book?lang=fr")
        assert await page.get_attribute("html", "lang") == "fr"
        assert await page.inner_text("h1") == "Rendez-vous pour une aide numérique"
        await assert_accessible(page, "start")
        await page.get_by_label("Votre code postal").fill("2800")
        await page.get_by_label("Pour quoi avez-vous besoin d'aide ?").select_option("ebox_activation")
        await page.get_by_label("Dans quelle langue ?").select_option("nl")
        await page.get_by_role("button", name="Chercher un lieu").click()
        await assert_accessible(page, "points")
        await page.screenshot(path=str(artifact("booking-page-points.png")), full_page=True)
        await page.get_by_role("link", name="Stadhuis Mechelen - Digitale Hulp").click()
        assert "3. Choisissez un moment" in await page.inner_text("main")
        await assert_accessible(page, "slots")
        # Every input and select is announced by a label (screen readers).
        unlabeled = await page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)""")
        assert unlabeled == []
        first_slot = page.locator("input[name=starts_at]").first
        chosen = await first_slot.get_attribute("value")
        await first_slot.check()
        await page.get_by_label("Numéro de GSM").fill("0470 12 34 56")
        await page.screenshot(path=str(artifact("booking-page-slots.png")), full_page=True)
        await page.get_by_label("Numéro de GSM").press("Enter")  # the keyboard submits the form
        await page.wait_for_selector("#booked-when")
        assert "Votre rendez-vous est confirmé" in await page.inner_text("main")
        await assert_accessible(page, "confirmed")
        await page.screenshot(path=str(artifact("booking-page-confirmed.png")), full_page=True)
        manage_url = await page.get_attribute("#manage-link", "href")
        # The link says what it does (a screen reader read out its 100-character address); the
        # address stays on the page beneath it, to photograph or copy.
        assert await page.get_by_role("link", name="Déplacer ou annuler ce rendez-vous").get_attribute("href") == manage_url
        assert await page.inner_text("#manage-address") == manage_url
        assert page.console_errors == []
        row = await pool.fetchrow("SELECT starts_at, booked_via, contact FROM booking.appointments")
        assert row["starts_at"].isoformat() == chosen and row["booked_via"] == "citizen"
        assert row["contact"]["phone"] == "+32470123456" and row["contact"]["language"] == "nl"
        # The link in the confirmation manages (here: cancels) the booking, once.
        await page.goto(manage_url)
        await assert_accessible(page, "manage")
        assert "confirmé" in await page.inner_text("main")  # the status in words, not "booked"
        await page.screenshot(path=str(artifact("booking-page-manage.png")), full_page=True)
        await page.get_by_role("button", name="Annuler le rendez-vous").click()
        assert await pool.fetchval("SELECT status FROM booking.appointments") == "cancelled"
        response = await page.goto(manage_url)
        assert response.status == 410


async def test_a_bad_phone_number_is_explained_and_the_choice_kept(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    require_chromium()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page() as page:
        await page.goto(f"{booking.base}/public/book/points/mechelen-stadhuis?lang=nl&service=ebox_activation&help_language=nl")
        # Another language keeps the chosen service and help language (a bare ?lang= was a 422 page).
        await page.get_by_role("link", name="Français").click()
        await page.wait_for_url("**/public/book/points/mechelen-stadhuis?service=ebox_activation&help_language=nl&lang=fr")
        assert await page.get_attribute("html", "lang") == "fr" and await page.locator("input[name=starts_at]").count()
        await page.get_by_role("link", name="Nederlands").click()
        await page.wait_for_url("**&lang=nl")
        slot = page.locator("input[name=starts_at]").first
        value = await slot.get_attribute("value")
        await slot.check()
        await page.get_by_label("GSM-nummer").fill("12")
        await page.get_by_role("button", name="Afspraak bevestigen").click()
        alert = page.get_by_role("alert")
        # In the page's language (Dutch here), not in the validator's English.
        assert "Dit is geen geldig gsm-nummer" in await alert.inner_text()
        await assert_accessible(page, "refused")
        await page.screenshot(path=str(artifact("booking-page-refused-nl.png")), full_page=True)
        assert await page.locator(f"input[name=starts_at][value='{value}']").is_checked()
