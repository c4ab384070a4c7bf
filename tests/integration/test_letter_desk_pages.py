"""The letter desk in Chromium: a clerk of Mechelen signs in, finds a letter by reference and by a
national number typed in full, reads its timeline, opens the print batches and one batch with a
returned letter, sends a refused letter in again and looks at the webhooks; every page passes
axe-core (nothing serious or critical) on a tablet and is photographed into test-artifacts/. The
address bar never holds the national number."""

from __future__ import annotations

import re
import uuid

import asyncpg

from tests.support.bridge_harness import simulator
from tests.support.chromium import artifact, chromium_page
from tests.support.desk_harness import (
    admitted,
    citizen,
    confirmed_batch,
    drain,
    refuse,
    running_desk,
    send_letter,
    spellings,
    webhook_with_deliveries,
)
from tests.support.letters_api import MECHELEN
from tests.support.signin_harness import PASSWORD, assert_accessible

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 412, "height": 915}


async def test_every_desk_page_in_chromium(database_url, bus_url, pool: asyncpg.Pool, keys,  # type: ignore[no-untyped-def]
                                           tmp_path) -> None:
    async with simulator(keys.cert) as sim, \
            running_desk(database_url, bus_url, pool, sim, keys.key, keys.cert, tmp_path) as desk:
        base = desk.base
        number = citizen(40)
        reference = f"PERMIT-{uuid.uuid4().hex[:6]}"
        await drain(desk)
        ids = [await send_letter(desk, number, MECHELEN, reference=reference),
               await send_letter(desk, citizen(41), MECHELEN)]
        await admitted(desk, ids, "queued_for_print")
        batch_id = await confirmed_batch(desk, ids)
        waiting = await send_letter(desk, number, MECHELEN, reference=reference)
        await admitted(desk, [waiting], "queued_for_print")
        refused = await refuse(desk.bus_url, citizen(42), MECHELEN)
        await webhook_with_deliveries(desk, ids[1])

        async with chromium_page(TABLET) as page:
            shots: list[str] = []

            async def check(name: str) -> None:
                await assert_accessible(page, name)
                for spelled in spellings(number):
                    assert spelled not in page.url and spelled not in await page.content(), name
                await page.screenshot(path=str(artifact(f"desk-{name}.png")), full_page=True)
                shots.append(name)

            await page.goto(f"{base}/desk/letters?lang=en")
            assert page.url.startswith(f"{base}/signin?next=/desk/letters")
            await page.get_by_label("Username").fill(desk.people["mechelen"])
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(re.compile(r".*/desk/letters.*"))
            assert await page.title() == "Find a letter · Letter desk · Loket"
            await check("find")

            # By reference (GET: a reference may sit in the address bar).
            await page.get_by_label("Letter id or sender reference").fill(reference)
            await page.get_by_role("button", name="Search", exact=True).click()
            await page.wait_for_url(re.compile(r".*q=PERMIT.*"))
            results = await page.inner_text("main")
            assert "Waiting for the print run" in results and "Posted" in results
            await check("by-reference")

            # By national number (POST: the address bar shows no number, the page neither).
            await page.get_by_label("Recipient's national register number").fill(spellings(number)[1])
            await page.get_by_role("button", name="Find this person's letters").click()
            await page.wait_for_url(re.compile(r".*/desk/letters/by-recipient.*"))
            results = await page.inner_text("main")
            assert "Letters to the number you typed (not shown)" in results and str(waiting)[:8] in results
            await check("by-recipient")
            # A wrong number: the error is announced and linked to the field, which comes back empty.
            await page.get_by_label("Recipient's national register number").fill("12345678901")
            await page.get_by_role("button", name="Find this person's letters").click()
            assert "not a valid national register" in await page.inner_text(".error-summary")
            assert await page.input_value("#recipient") == ""
            await check("by-recipient-error")

            # The timeline of the letter that was posted.
            await page.goto(f"{base}/desk/letters/{ids[0]}")
            text = await page.inner_text("main")
            assert "Posted" in text and "Route chosen" in text and batch_id in text
            assert "Not used for this letter." in text  # its eBox card: a sentence, not a lower-case fragment
            await check("letter-posted")
            await page.goto(f"{base}/desk/letters/{ids[1]}?lang=nl")
            text = await page.inner_text("main")
            assert "Teruggekomen naar de afzender" in text and "addressee unknown" in text
            await check("letter-returned-nl")

            await page.goto(f"{base}/desk/batches")
            await page.get_by_role("link", name=f"Open batch {batch_id}").click()
            await page.wait_for_url(f"{base}/desk/batches/{batch_id}")
            text = await page.inner_text("main")
            assert "Fully confirmed" in text and "addressee unknown" in text
            await check("batch")
            await page.goto(f"{base}/desk/batches")
            assert "Fully confirmed" in await page.inner_text("main")
            # A batch's progress lists the states its letters are in, not the empty ones.
            progress = await page.locator(f"tr:has(a[href*='{batch_id}']) td[data-label=Progress]").inner_text()
            assert "Posted: 1" in progress and "Returned: 1" in progress and ": 0" not in progress, progress
            await check("batches")

            await page.goto(f"{base}/desk/refused")
            assert str(refused) in await page.inner_text("main")
            await check("refused")
            await page.get_by_role("button", name=f"Send letter {str(refused)[:8]} in again").click()
            await page.wait_for_url(re.compile(r".*/desk/refused\?done=1.*"))
            assert "The letter is sent in again" in await page.inner_text("main")
            await check("refused-replayed")

            await page.goto(f"{base}/desk/webhooks")
            text = await page.inner_text("main")
            assert "Failed (given up after 24 hours)" in text and "HTTP 503 from the receiver" in text
            await check("webhooks")

            # The returned letter is a task: check its address, then mark it done (audited).
            await page.goto(f"{base}/desk/returned")
            text = await page.inner_text("main")
            assert "addressee unknown" in text and str(ids[1])[:8] in text and str(ids[0])[:8] not in text
            await check("returned")
            await page.get_by_role("button", name=f"Address of letter {str(ids[1])[:8]} checked").click()
            await page.wait_for_url(re.compile(r".*/desk/returned\?done=1.*"))
            text = await page.inner_text("main")
            assert "Marked as checked." in text and str(ids[1])[:8] not in text
            await check("returned-checked")
            checked_by = await pool.fetchval("SELECT address_checked_by FROM ebox_bridge.letters WHERE letter_id = $1",
                                             ids[1])
            assert checked_by, "who checked it is kept for the audit trail"

            # Keyboard: the skip link is the first stop and leads to the page's content.
            await page.goto(f"{base}/desk/letters")
            await page.keyboard.press("Tab")
            assert await page.evaluate("document.activeElement.className") == "skip"
            # No script errors; the one failed load is the refused number's page (400, on purpose).
            assert [e for e in page.console_errors if "status of 400" not in e] == []  # type: ignore[attr-defined]

        async with chromium_page(PHONE) as phone:
            await phone.context.add_cookies(await page_cookies(desk, base))
            await phone.goto(f"{base}/desk/letters/{ids[1]}?lang=fr")
            assert "Revenue à l'expéditeur" in await phone.inner_text("main")
            await assert_accessible(phone, "letter on a phone")
            await phone.screenshot(path=str(artifact("desk-letter-phone-fr.png")), full_page=True)
            await phone.goto(f"{base}/desk/batches/{batch_id}?lang=de")
            assert "Vollständig bestätigt" in await phone.inner_text("main")
            await assert_accessible(phone, "batch on a phone")
            await phone.screenshot(path=str(artifact("desk-batch-phone-de.png")), full_page=True)
        assert len(shots) == 13


async def page_cookies(desk, base: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """A fresh session of the clerk, as cookies a second browser can take."""
    from tests.support.desk_harness import signed_in

    async with signed_in(desk, "mechelen") as http:
        return [{"name": c.key, "value": c.value, "url": base} for c in http.cookie_jar]
