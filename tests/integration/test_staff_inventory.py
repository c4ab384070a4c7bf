"""The inventory page in Chromium: a point's devices with their state in words, the loan rules
and who waits; renewing a loan by keyboard alone (a plain form: POST, redirect, a notice), a
refused renewal saying why in the page's language, a device's history; axe-core on every page
in every language; another point's device or loan answers like an unknown one. Screenshots go
to test-artifacts/."""

from __future__ import annotations

import re

import asyncpg

from loket.infra.identity.roles import Role
from tests.integration.test_loan_rules import join_waitlist
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    chromium_browser,
    csrf_of,
    new_page,
    outbox,
    sign_in_page,
    signed_in_session,
    staff_account,
    tab_to,
)

TABLET = {"width": 1280, "height": 800}
PAGE = f"/staff/inventory/{DIGIBANK}"


async def test_the_inventory_page_shows_states_renews_by_keyboard_and_says_why_not(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerk = await staff_account(pool, points=(DIGIBANK,))
    elsewhere = await staff_account(pool, points=(STADHUIS,))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        for device_id, label in (("inv-lap-01", "Laptop 1"), ("inv-tab-01", "Tablet 1")):
            assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
                "device_id": device_id, "kind": "laptop" if "lap" in device_id else "tablet", "label": label}))[0] == 201
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice", json={
            "loan_period_days": 14, "max_renewals": 1, "max_active_loans": 2, "hard_due_date": None}))[0] == 200
        status, loan = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "inv-lap-01", "language": "nl", "contact": {"phone": "0470 12 34 56", "language": "nl"}})
        assert status == 201, loan
        assert (await booking.call("POST", f"/staff/points/{DIGIBANK}/device-waitlist", "staff", json={
            "kind": "tablet", "contact": {"email": "wacht@example.org", "language": "nl"}}))[0] == 201

        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, base, PAGE, clerk)
            for lang, on_loan, available in (("nl", "Uitgeleend", "Beschikbaar"), ("fr", "Prêté", "Disponible"),
                                             ("de", "Verliehen", "Verfügbar"), ("en", "On loan", "Available")):
                await page.goto(f"{base}{PAGE}?lang={lang}")
                assert await page.locator("#device-inv-lap-01 td").nth(1).inner_text() == on_loan
                assert await page.locator("#device-inv-tab-01 td").nth(1).inner_text() == available
                await assert_accessible(page, f"inventory ({lang})")
            content = await page.content()
            assert "Loan period 14 days, 1 renewal, at most 2 devices per borrower." in content and "Tablet: 1 waiting" in content
            assert "on_loan" not in await page.locator("main").inner_text()  # human labels, not enum names
            await page.screenshot(path=str(artifact("staff-inventory.png")), full_page=True)

            # Renew by keyboard alone: the form posts, the page comes back with a notice.
            await tab_to(page, "Renew the loan of Laptop 1")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("[role=status]")
            assert "The loan is renewed until" in await page.locator("[role=status]").inner_text()
            assert [r["renewals"] for r in await outbox(pool, "DeviceLoanRenewed")] == [1]
            assert await page.locator("#device-inv-lap-01 td").nth(3).inner_text() == "Once"

            # Once is all the rules allow: refused, saying why, nothing published.
            await page.get_by_role("button", name="Renew the loan of Laptop 1").click()
            alert = page.get_by_role("alert")
            assert "renewed as often as the help point allows" in await alert.inner_text()
            assert len(await outbox(pool, "DeviceLoanRenewed")) == 1
            await assert_accessible(page, "inventory with a refusal")

            await page.get_by_role("link", name="History of Laptop 1").click()
            await page.wait_for_url(f"{base}{PAGE}/devices/inv-lap-01*")
            rows = await page.locator("tbody tr td:nth-child(2)").all_inner_texts()
            assert rows == ["Registered", "Lent", "Renewed"]
            # Who, as colleagues know each other: the clerk's name, not the account's; the
            # back-office systems by their keys' names.
            assert await page.locator("tbody tr td:nth-child(4)").all_inner_texts() == [
                "test-backoffice", "test-staff", "Test staff"]
            # When, as a person reads a date in a history that spans years: "7 Dec 2026 10:44".
            for when in await page.locator("tbody tr td:nth-child(1)").all_inner_texts():
                assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d", when), when
            await assert_accessible(page, "device history")
            await page.screenshot(path=str(artifact("staff-device-history.png")), full_page=True)
            # The refusal's page came with its status (409); nothing else went wrong (the page has no script).
            assert [e for e in page.console_errors if "409 (Conflict)" not in e] == []

        # Without the session's token nothing happens; at another point the page and the loan are unknown.
        http = await signed_in_session(base, clerk)
        other = await signed_in_session(base, elsewhere)
        try:
            async with http.post(f"{base}{PAGE}/renew", data={"csrf": "forged", "loan_id": loan["loan_id"]},
                                 allow_redirects=False) as r:
                assert r.status == 403
            token = await csrf_of(other, f"{base}/staff/counter/{STADHUIS}/1")  # the session's own token
            async with other.post(f"{base}{PAGE}/renew", data={"csrf": token, "loan_id": loan["loan_id"]},
                                  allow_redirects=False) as r:
                assert r.status == 404
            async with other.post(f"{base}/staff/inventory/{STADHUIS}/renew",
                                  data={"csrf": token, "loan_id": loan["loan_id"]}, allow_redirects=False) as r:
                assert r.status == 404  # the loan is not one of this point's
            async with other.get(f"{base}/staff/inventory/{STADHUIS}/devices/inv-lap-01") as r:
                assert r.status == 404
        finally:
            await http.close()
            await other.close()
        assert len(await outbox(pool, "DeviceLoanRenewed")) == 1


async def test_a_volunteer_lends_takes_back_wipes_and_keeps_a_waitlist_on_the_page(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    """Every step of a Digibank's loans on the page, with the events the API publishes: a donated
    laptop's wipe is recorded, then it is lent (a contact that is no contact is explained and
    what was typed kept), the borrower's limit refuses a third device, it comes back; someone is
    put on the tablet waitlist, once."""
    volunteer = await staff_account(pool, points=(DIGIBANK,), role=Role.VOLUNTEER)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/donations", "backoffice", json={
            "device_id": "don-lap-01", "kind": "laptop", "label": "Donated laptop", "donor": "Bakkerij Peeters"}))[0] == 201
        for n in (1, 2):
            assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
                "device_id": f"pg-lap-0{n}", "kind": "laptop", "label": f"Laptop {n}"}))[0] == 201
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice", json={
            "loan_period_days": 14, "max_renewals": 1, "max_active_loans": 2, "hard_due_date": None}))[0] == 200
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, base, f"{PAGE}?lang=en", volunteer)
            assert await page.get_by_role("link", name="Lend Donated laptop").count() == 0  # not wiped yet
            await page.get_by_label("How Donated laptop was wiped").select_option("factory_reset")
            await page.get_by_role("button", name="Record the wipe of Donated laptop").click()
            assert "The wipe is recorded" in await page.inner_text("[role=status]")

            for label in ("Donated laptop", "Laptop 1", "Laptop 2"):
                await page.goto(f"{base}{PAGE}?lang=en")
                await page.get_by_role("link", name=f"Lend {label}").click()
                if label == "Donated laptop":
                    lend_page = page.url.split("?")[0]
                    for lang in ("nl", "fr", "de", "en"):  # English last: the steps below read English
                        await page.goto(f"{lend_page}?lang={lang}")
                        await assert_accessible(page, f"lend page ({lang})")
                    await page.get_by_label("Mobile number").fill("12")
                    await page.get_by_role("button", name="Lend", exact=True).click()
                    assert "Give a valid mobile number" in await page.inner_text("[role=alert]")
                    assert await page.get_by_label("Mobile number").input_value() == "12"
                    page.console_errors.clear()  # answered 400, as it should be
                    await page.screenshot(path=str(artifact("staff-lend.png")), full_page=True)
                await page.get_by_label("Mobile number").fill("0470 99 88 77")
                await page.get_by_role("button", name="Lend", exact=True).click()
                text = await page.inner_text("main")
                if label == "Laptop 2":  # the borrower has two devices already: the most the point allows
                    assert "this borrower has as many devices as the help point allows" in text
                    page.console_errors.clear()
                else:
                    assert "Lent until" in text
            lent = await outbox(pool, "DeviceLent")
            assert sorted(p["device_id"] for p in lent) == ["don-lap-01", "pg-lap-01"]
            assert all(p["contact"]["phone"] == "+32470998877" for p in lent)  # reminders were left on

            await page.goto(f"{base}{PAGE}?lang=en")
            await page.get_by_label("Condition of Laptop 1").select_option("damaged")
            await page.get_by_role("button", name="Take back Laptop 1").click()
            assert "The device is back." in await page.inner_text("[role=status]")
            (returned,) = await outbox(pool, "DeviceReturned")
            assert returned["device_id"] == "pg-lap-01" and returned["condition"] == "damaged"

            for attempt in (1, 2):
                await page.goto(f"{base}{PAGE}?lang=en")
                await page.get_by_text("Put someone on the waitlist").click()
                await page.get_by_label("Waits for").select_option("tablet")
                await page.get_by_label("E-mail address").fill("wacht@example.org")
                await page.get_by_role("button", name="Add to the waitlist").click()
                if attempt == 1:
                    assert "Added to the waitlist" in await page.inner_text("[role=status]")
                else:
                    assert "This person is on that waitlist already." in await page.inner_text("[role=alert]")
            await assert_accessible(page, "inventory after the actions")
            await page.screenshot(path=str(artifact("staff-inventory-actions.png")), full_page=True)
            assert await pool.fetchval("SELECT count(*) FROM booking.device_waitlist WHERE point_id = $1 "
                                       "AND kind = 'tablet'", DIGIBANK) == 1
            history = await pool.fetch("SELECT what, by_whom FROM booking.device_history WHERE device_id = 'pg-lap-01' "
                                       "ORDER BY at")
            assert [(r["what"], r["by_whom"]) for r in history][-2:] == [("lent", volunteer), ("returned", volunteer)]


async def test_a_device_kept_for_someone_waiting_is_shown_refused_to_others_and_released_by_keyboard(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    """A tablet that came back is kept for the first person waiting: the page says until when in
    every language, refuses to lend it to someone else saying why, and a volunteer releases it by
    keyboard alone, after which the next person waiting is offered it."""
    volunteer = await staff_account(pool, points=(DIGIBANK,), role=Role.VOLUNTEER)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        assert (await booking.call("PUT", f"/backoffice/points/{DIGIBANK}/loan-rules", "backoffice",
                                   json={"offer_hold_days": 3}))[0] == 200
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json={
            "device_id": "held-tab-01", "kind": "tablet", "label": "Tablet 7"}))[0] == 201
        status, loan = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "held-tab-01", "language": "nl", "contact": {"phone": "0470 12 00 01", "language": "nl"}})
        assert status == 201, loan
        entries = await join_waitlist(booking, "tablet", ["eerst@example.org", "daarna@example.org"])
        assert (await booking.call("POST", f"/staff/loans/{loan['loan_id']}/return", "staff",
                                   json={"condition": "good"}))[0] == 200

        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            await sign_in_page(page, base, f"{PAGE}?lang=en", volunteer)
            for lang, kept in (("nl", "Bewaard voor wie wacht, tot"), ("fr", "Réservé à la personne en attente"),
                               ("de", "Für die wartende Person zurückgelegt bis zum"),
                               ("en", "Kept for the person waiting until")):
                await page.goto(f"{base}{PAGE}?lang={lang}")
                assert (await page.locator("#device-held-tab-01 td").nth(1).inner_text()).startswith(kept)
                await assert_accessible(page, f"inventory with a kept device ({lang})")
            assert "kept 3 days for the first person waiting" in await page.inner_text("main")
            await page.screenshot(path=str(artifact("staff-inventory-held.png")), full_page=True)
            # On a tablet the row's links are finger-sized targets with room between them, not two
            # words a space apart (WCAG 2.5.8 asks 24 px; the buttons beside them are 44+).
            history = await page.get_by_role("link", name="History of Tablet 7").bounding_box()
            lend = await page.get_by_role("link", name="Lend Tablet 7").bounding_box()
            assert history and lend and history["height"] >= 40 and lend["height"] >= 40, (history, lend)
            assert lend["x"] - (history["x"] + history["width"]) >= 12, (history, lend)

            # Someone else at the counter: refused, saying why, in the page's language.
            await page.get_by_role("link", name="Lend Tablet 7").click()
            await page.get_by_label("Mobile number").fill("0470 12 00 09")
            await page.get_by_role("button", name="Lend", exact=True).click()
            assert "this device is kept for someone on the waitlist" in await page.inner_text("[role=alert]")
            lent = [p["loan_id"] for p in await outbox(pool, "DeviceLent") if p["device_id"] == "held-tab-01"]
            assert lent == [loan["loan_id"]]  # only the loan before it came back
            page.console_errors.clear()  # answered 409, as it should be

            # The first one does not want it: released by keyboard; the next person is offered it.
            await page.goto(f"{base}{PAGE}?lang=en")
            await tab_to(page, "Release Tablet 7 to the next person waiting")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("[role=status]")
            assert "Released: the device goes to the next person waiting." in await page.inner_text("[role=status]")
            await assert_accessible(page, "inventory after a release")
            offers = [p["entry_id"] for p in await outbox(pool, "DeviceAvailable") if p["entry_id"] in entries]
            assert offers == entries  # the first when it came back, the second after the release
            assert (await page.locator("#device-held-tab-01 td").nth(1).inner_text()).startswith(
                "Kept for the person waiting until")
            await page.get_by_role("link", name="History of Tablet 7").click()
            rows = await page.locator("tbody tr td:nth-child(2)").all_inner_texts()
            assert rows == ["Registered", "Lent", "Returned", "Offered to the person waiting", "Released",
                            "Offered to the person waiting"]
            assert [e for e in page.console_errors if "409 (Conflict)" not in e] == []
