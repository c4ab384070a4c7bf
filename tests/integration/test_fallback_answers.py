"""What no route answers, answered as the rest of Loket is: a mistyped path (404), a method a
path does not take (405), a failure outside a route's own error handling (500) and a NUL
character in a query string or a form (400, nul_refusal.py) are problem+json for a program and
a page in the person's language for a browser (axe-core checked, screenshots), where they were
Starlette's bare line of plain English, or a 500 from PostgreSQL refusing the NUL."""

from __future__ import annotations

import pytest

from services.booking.page import routes as booking_pages
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import chromium_browser, new_page

pytestmark = pytest.mark.slow
TABLET = {"width": 820, "height": 1180}
NOT_FOUND = {"nl": "Pagina niet gevonden", "fr": "Page introuvable", "de": "Seite nicht gefunden", "en": "Page not found"}
START = {"nl": "Naar de beginpagina", "fr": "Aller à la page d'accueil", "de": "Zur Startseite", "en": "Go to the start page"}


async def test_programs_get_problems_for_what_no_route_answers(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        for path, role in [("/public/nowhere", None), ("/staff/points/x/nowhere", "staff")]:
            async with booking.http.get(f"{booking.base}{path}", headers=booking.auth(role) if role else {}) as r:
                assert r.status == 404 and r.content_type == "application/problem+json", path
                assert await r.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                                          "detail": f"nothing is served at GET {path}"}
        async with booking.http.delete(f"{booking.base}/public/points") as r:
            assert r.status == 405 and r.content_type == "application/problem+json"
            assert "GET" in r.headers["Allow"]
            assert (await r.json())["detail"] == f"/public/points does not take DELETE; it takes {r.headers['Allow']}"

        # A NUL reached PostgreSQL from a query parameter or a form field (a 500), now refused first.
        async with booking.http.get(f"{booking.base}/public/points?postcode=28%0000") as r:
            assert r.status == 400 and r.content_type == "application/problem+json"
            assert (await r.json())["detail"].startswith("the query string holds a NUL character (%00)")
        for path in ("/public/book/points/ab%00c", "/staff/rota/ab%00c"):  # an id in the path (a 500 too)
            async with booking.http.get(f"{booking.base}{path}", headers={"Accept": "application/json"}) as r:
                assert r.status == 400 and (await r.json())["detail"].startswith("the address holds a NUL"), path
        async with booking.http.post(f"{booking.base}/signin", data=b"username=a%00&password=b",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
            assert r.status == 400 and (await r.json())["detail"].startswith("the form holds a NUL character")
        async with booking.http.post(f"{booking.base}/signin", data=b"username=%2500&password=b",  # the text "%00"
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
            assert r.status != 400  # handed on to the sign-in form, which answers it as any other

        # A form longer than ours can be was read as empty: "this form has expired" (403).
        async with booking.http.post(f"{booking.base}/signin", data=b"username=" + b"a" * 9_000 + b"&password=b",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
            assert r.status == 413 and r.content_type == "application/problem+json"
            assert (await r.json())["detail"].startswith("the form is larger than the 8192 bytes a form of ours can be")

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug in a page")

        monkeypatch.setattr(booking_pages, "render_page", broken)
        async with booking.http.get(f"{booking.base}/public/book?lang=nl") as r:
            assert r.status == 500 and r.content_type == "application/problem+json"
            body = await r.json()
            assert body["title"] == "Internal error" and "a bug" not in str(body)  # nothing of the cause leaks


async def test_people_get_a_page_in_their_language(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, chromium_browser() as browser:
        page = await new_page(browser, TABLET)
        for lang, words in NOT_FOUND.items():
            response = await page.goto(f"{booking.base}/public/boek?lang={lang}")  # a mistyped address
            assert response is not None and response.status == 404
            assert await page.get_attribute("html", "lang") == lang
            assert await page.inner_text("h1") == words
            # Not a dead end: the citizens' start page, the point finder, in the same language.
            assert await page.get_by_role("link", name=START[lang]).get_attribute("href") == f"/public/find?lang={lang}"
            await assert_accessible(page, f"not found ({lang})")
            await page.screenshot(path=str(artifact(f"not-found-{lang}.png")), full_page=True)
        await page.get_by_role("link", name=START["en"]).click()
        await page.wait_for_url(f"{booking.base}/public/find?lang=en")
        # The browser's own language when the address names none.
        french = await (await browser.new_context(locale="fr-BE")).new_page()
        assert (await french.goto(f"{booking.base}/public/nergens")).status == 404  # type: ignore[union-attr]
        assert await french.inner_text("h1") == NOT_FOUND["fr"]

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug in a page")

        working = booking_pages.render_page
        monkeypatch.setattr(booking_pages, "render_page", broken)
        response = await page.goto(f"{booking.base}/public/book?lang=de")
        assert response is not None and response.status == 500
        assert await page.inner_text("h1") == "Etwas ist schiefgegangen"
        assert "RuntimeError" not in await page.content()
        await assert_accessible(page, "server error (de)")
        await page.screenshot(path=str(artifact("server-error-de.png")), full_page=True)
        # The way back: the button asks for the same page again.
        monkeypatch.setattr(booking_pages, "render_page", working)
        await page.get_by_role("link", name="Erneut versuchen").click()
        await page.wait_for_url(f"{booking.base}/public/book?lang=de")
        assert await page.get_attribute("html", "lang") == "de"

        # A form sent with a NUL in a field (a broken client, a probe: nobody types one).
        await page.goto(f"{booking.base}/signin?lang=fr")
        await page.evaluate("document.getElementById('username').value = 'agent\\u0000'")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Se connecter").click()
        assert await page.inner_text("h1") == "Illisible"
        await assert_accessible(page, "unreadable form (fr)")
        await page.screenshot(path=str(artifact("unreadable-form-fr.png")), full_page=True)

        # A long text pasted into a form: the reason to shorten it, not "this form has expired".
        await page.goto(f"{booking.base}/signin?lang=nl")
        await page.evaluate("document.getElementById('username').value = 'lang '.repeat(2000)")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Aanmelden").click()
        assert await page.inner_text("h1") == "Te lang"
        assert "maak de tekst korter" in await page.inner_text("main")
        await assert_accessible(page, "form too long (nl)")
        await page.screenshot(path=str(artifact("form-too-long-nl.png")), full_page=True)
