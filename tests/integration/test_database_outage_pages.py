"""A service cut off from its database answers 503 with Retry-After, not a bare 500: a page in
the person's language for a browser (axe-core checked, screenshot), problem+json for a program;
and it serves again once the database is back. The cut is real: a TCP proxy between the booking
service and PostgreSQL drops every connection and refuses new ones."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from loket.infra.http import unavailable
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import DIGIBANK, chromium_browser, new_page
from tests.support.tcp_cut import CuttableProxy
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
PHONE = {"width": 412, "height": 915}
WORDS = {"nl": "Even niet beschikbaar", "fr": "Momentanément indisponible", "de": "Kurz nicht verfügbar",
         "en": "Unavailable for a moment"}


def through(proxy: CuttableProxy, database_url: str) -> str:
    parts = urlsplit(database_url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


async def test_pages_and_the_api_say_unavailable_while_the_database_is_cut_off(
    database_url, bus_url, tmp_path, monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    target = urlsplit(database_url)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    try:
        async with running_booking(through(proxy, database_url), bus_url, tmp_path, monkeypatch) as booking:
            workshops = f"/public/points/{DIGIBANK}/workshops"
            assert (await booking.call("GET", workshops))[0] == 200

            await proxy.cut()
            status, problem = await booking.call("GET", workshops)
            assert status == 503
            assert problem["title"] == "Service Unavailable" and "database" in problem["detail"]
            async with booking.http.get(f"{booking.base}/public/book?lang=fr", headers={"Accept": "text/html"}) as r:
                assert r.status == 503 and r.headers["Retry-After"] == "10"
                assert WORDS["fr"] in await r.text()

            async with chromium_browser() as browser:
                page = await new_page(browser, PHONE)
                for lang, words in WORDS.items():
                    response = await page.goto(f"{booking.base}/public/book?lang={lang}")
                    assert response is not None and response.status == 503
                    assert await page.get_attribute("html", "lang") == lang
                    assert words in await page.inner_text("h1")
                    await assert_accessible(page, f"unavailable ({lang})")
                    await page.screenshot(path=str(artifact(f"database-unavailable-{lang}.png")), full_page=True)
                # The way back: the button reloads the page the person was on.
                await page.get_by_role("link", name="Try again").click()
                await page.wait_for_url(f"{booking.base}/public/book?lang=en")
                # A screen without scripts (a waiting-room display) asks again by itself.
                monkeypatch.setattr(unavailable, "SELF_RETRY_S", 1)
                screen = await (await browser.new_context(java_script_enabled=False)).new_page()
                assert (await screen.goto(f"{booking.base}/public/book?lang=nl")).status == 503  # type: ignore[union-attr]

                await proxy.restore()
                await _until_served(booking, workshops)
                await screen.wait_for_function("!document.title.includes('Even niet beschikbaar')", timeout=30_000)
    finally:
        await proxy.close()


async def _until_served(booking, path: str) -> None:  # type: ignore[no-untyped-def]
    async def served() -> bool:
        status = (await booking.call("GET", path))[0]
        assert status in (200, 503), f"while reconnecting the service answered {status}"
        return status == 200

    await eventually(served, 30, "the service to serve again after the database came back", interval=0.2)
