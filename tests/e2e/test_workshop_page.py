"""The public workshop pages in headless Chromium (phone-sized screen): a point's coming workshops,
registration with a phone number in French (the keyboard submits), the waiting list once full,
the cancel link that frees the place for the first waiting; axe-core finds no serious or
critical violation on any page, every field has a label, refusals are said in the page's language."""

from __future__ import annotations

import datetime as dt

from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.signin_harness import assert_accessible

DIGIBANK = "mechelen-digibank-predikheren"


async def test_a_citizen_registers_joins_the_waiting_list_and_cancels_on_the_page(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    require_chromium()
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(hour=13, minute=0, second=0, microsecond=0)
    plan = {"title": "Veilig internetbankieren", "language": "nl", "capacity": 1, "trainer": "An Peeters",
            "partner_school": "Atheneum Mechelen", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_page() as page:
        status, planned = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "backoffice", json=plan)
        assert status == 201, planned
        await page.goto(f"{booking.base}/public/book/workshops/{DIGIBANK}?lang=fr")
        assert await page.get_attribute("html", "lang") == "fr"
        assert await page.inner_text("h1") == "Ateliers de compétences numériques"
        main = await page.inner_text("main")
        assert "Veilig internetbankieren" in main and "Atheneum Mechelen" in main and "Nederlands" in main
        assert "An Peeters" not in main  # the trainer is not published
        await assert_accessible(page, "workshops")
        await page.screenshot(path=str(artifact("workshop-page-list.png")), full_page=True)

        await page.get_by_role("link", name="S'inscrire").click()
        await assert_accessible(page, "workshop-register")
        unlabeled = await page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)""")
        assert unlabeled == []
        # Nothing typed: the refusal says why, in French.
        await page.get_by_role("button", name="S'inscrire").click()
        assert "numéro" in (await page.get_by_role("alert").inner_text()).lower()
        await assert_accessible(page, "workshop-refused")
        await page.get_by_label("Numéro de GSM").fill("0470 12 34 56")
        await page.get_by_label("Numéro de GSM").press("Enter")  # the keyboard submits the form
        await page.wait_for_selector("#cancel-link")
        assert "Vous êtes inscrit" in await page.inner_text("main")
        await assert_accessible(page, "workshop-registered")
        await page.screenshot(path=str(artifact("workshop-page-registered.png")), full_page=True)
        cancel_url = await page.get_attribute("#cancel-link", "href")

        # The one place is taken: the next citizen joins the waiting list (in Dutch).
        await page.goto(f"{booking.base}/public/book/workshops/{DIGIBANK}?lang=nl")
        assert "Volzet" in await page.inner_text("main")
        await page.get_by_role("link", name="Op de wachtlijst").click()
        await page.get_by_label("E-mailadres").fill("jan@example.be")
        await page.get_by_label("In welke taal sturen we berichten?").select_option("en")
        await page.get_by_role("button", name="Op de wachtlijst").click()
        await page.wait_for_selector("#cancel-link")
        assert "U staat op de wachtlijst, plaats 1" in await page.inner_text("main")
        await assert_accessible(page, "workshop-waiting")
        await page.screenshot(path=str(artifact("workshop-page-waiting.png")), full_page=True)

        # The first citizen cancels by their link: the place goes to the one waiting.
        await page.goto(cancel_url)
        await assert_accessible(page, "workshop-manage")
        await page.get_by_role("button", name="Me désinscrire").click()
        assert "Vous êtes désinscrit" in await page.inner_text("main")
        await assert_accessible(page, "workshop-cancelled")
        await page.screenshot(path=str(artifact("workshop-page-cancelled.png")), full_page=True)
        # The link again: nothing left to cancel, no button; a wrong token is refused in words.
        await page.goto(cancel_url)
        assert await page.get_by_role("button", name="Me désinscrire").count() == 0
        response = await page.goto(cancel_url.replace("token=", "token=x"))
        assert response.status == 403 and "Ce lien ne fonctionne pas" in await page.inner_text("main")
        await assert_accessible(page, "workshop-refused-link")
        response = await page.goto(f"{booking.base}/public/book/workshops/nowhere?lang=de")
        assert response.status == 404 and "Diese Hilfestelle gibt es nicht" in await page.inner_text("main")
        await assert_accessible(page, "workshop-unknown-point")
        await page.screenshot(path=str(artifact("workshop-page-unknown-point-de.png")), full_page=True)
        # The errors the browser saw are the refusals above, answered 422, 403 and 404 on purpose.
        assert [e.split("status of ")[-1] for e in page.console_errors] == [
            "422 (Unprocessable Entity)", "403 (Forbidden)", "404 (Not Found)"], page.console_errors
    rows = await pool.fetch("SELECT contact, place_no, cancelled_at FROM booking.workshop_registrations ORDER BY line")
    assert [(r["contact"]["language"], r["place_no"], r["cancelled_at"] is not None) for r in rows] == [
        ("fr", None, True), ("en", 1, False)]
    assert rows[0]["contact"]["phone"] == "+32470123456" and rows[1]["contact"]["email"] == "jan@example.be"
