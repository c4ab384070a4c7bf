"""The public finder in headless Chromium on a tablet-sized screen: the seeded points nearest to
a postcode, in NL/FR/DE/EN, with open-now at a fixed Brussels time, axe-core without serious or
critical violations, the language switch keeping the search, and the way into the booking flow
from both sides."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.calendar.local_time import BRUSSELS
from services.booking.finder.texts import TEXTS
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.signin_harness import assert_accessible

TABLET = {"width": 820, "height": 1180}
# Tuesday 5 May 2026, 10:00 in Brussels: the Mechelen town hall is open, its Digibank is not.
TUESDAY_10H = dt.datetime(2026, 5, 5, 10, 0, tzinfo=BRUSSELS).astimezone(dt.UTC)

# postcode, language, the names of the first places listed (nearest first, ties by id)
SEARCHES = [
    ("2800", "nl", {"Stadhuis Mechelen - Digitale Hulp", "Digibank Mechelen (bibliotheek Het Predikheren)",
                    "bpost Mechelen Centrum"}),
    ("1040", "fr", {"Maison communale d'Etterbeek - Guichet numérique", "Espace Public Numérique d'Etterbeek",
                    "Etterbeek - Service Population"}),
    ("4700", "de", {"Stadt Eupen - Bürgerdienst", "Digibank Eupen (Bibliothek)"}),
    ("7050", "en", {"bpost Jurbise", "Administration communale de Jurbise"}),
]


@pytest.fixture
async def booking(database_url, bus_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    require_chromium()
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: TUESDAY_10H) as running:
        yield running


async def test_the_finder_lists_the_nearest_points_in_every_language(booking) -> None:  # type: ignore[no-untyped-def]
    async with chromium_page(TABLET) as page:
        for postcode, lang, nearest in SEARCHES:
            response = await page.goto(f"{booking.base}/public/find?postcode={postcode}&lang={lang}")
            assert response.status == 200
            assert await page.get_attribute("html", "lang") == lang
            assert await page.inner_text("h1") == TEXTS["title"][lang]
            names = await page.locator("li.place h3").all_inner_texts()
            assert set(names[:len(nearest)]) == nearest, (postcode, names)
            assert await page.locator("li.place").count() == 8  # then the next nearest elsewhere
            await assert_accessible(page, f"finder {postcode} {lang}")
            await page.screenshot(path=str(artifact(f"finder-{postcode}-{lang}.png")), full_page=True)
        assert page.console_errors == []


async def test_open_now_services_and_labels_as_a_citizen_reads_them(booking) -> None:  # type: ignore[no-untyped-def]
    async with chromium_page(TABLET) as page:
        await page.goto(f"{booking.base}/public/find?postcode=2800&lang=en")
        town_hall = page.locator("li.place", has=page.get_by_role("heading", name="Mechelen City Hall - Digital Help"))
        text = await town_hall.inner_text()
        assert "Open now, until 12:30" in text
        assert "Municipal counter" in text and "Connectoo label" in text
        assert "step-free access, accessible toilet, hearing loop" in text
        assert "Activate your eBox" in text and "Nederlands, English" in text
        digibank = await page.locator("li.place", has_text="Digibank Mechelen").inner_text()
        assert "Closed now; opens Tuesday 13:00" in digibank
        assert "Without appointment" in digibank and "Borrow a device" in digibank and "25 devices to borrow" in digibank
        bpost = await page.locator("li.place", has_text="bpost Mechelen Centrum").inner_text()
        assert "Post office (bpost)" in bpost and "Ask on site or call ahead." in bpost
        # No enum names on the page: kinds, services and languages are shown in words.
        main = await page.inner_text("main")
        for code in ("municipal_counter", "post_office", "digibank_", "ebox_activation", "device_lending", "step_free"):
            assert code not in main
        # Nothing loads from elsewhere: no map tiles, no scripts.
        assert await page.locator("script, iframe, img[src^=http]").count() == 0


async def test_language_switch_keeps_the_search_and_errors_are_explained(booking) -> None:  # type: ignore[no-untyped-def]
    async with chromium_page(TABLET) as page:
        await page.goto(f"{booking.base}/public/find?postcode=4700&lang=fr")
        await page.get_by_role("link", name="Deutsch").click()
        assert "postcode=4700" in page.url and "lang=de" in page.url
        assert "Jetzt geöffnet" in await page.inner_text("main")
        response = await page.goto(f"{booking.base}/public/find?postcode=0999&lang=nl")
        assert response.status == 400
        assert "Deze postcode kennen we niet" in await page.get_by_role("alert").inner_text()
        await assert_accessible(page, "finder error")
        response = await page.goto(f"{booking.base}/public/find?lat=north&lon=4.4&lang=en")
        assert response.status == 400 and "coordinates are not valid" in await page.get_by_role("alert").inner_text()
        await page.goto(f"{booking.base}/public/find?lat=50.8339&lon=4.3884&lang=fr")
        first = await page.locator("li.place").first.inner_text()
        assert "Maison communale d'Etterbeek" in first and "km du lieu choisi" in first


async def test_the_booking_flow_starts_from_the_finder_and_links_to_it(booking) -> None:  # type: ignore[no-untyped-def]
    async with chromium_page(TABLET) as page:
        await page.goto(f"{booking.base}/public/book?lang=nl")
        await page.get_by_role("link", name="Alle hulppunten in de buurt").click()
        assert "/public/find" in page.url
        await page.get_by_label("Uw postcode").fill("7050")
        await page.get_by_label("Waarmee wilt u hulp?").select_option("ebox_activation")
        await page.get_by_role("button", name="Zoeken").click()
        await page.screenshot(path=str(artifact("finder-7050-nl-searched.png")), full_page=True)
        await page.get_by_role("link", name="Afspraak maken bij bpost Jurbise").click()
        assert "/public/book/points/jurbise-bpost" in page.url
        main = await page.inner_text("main")
        assert "3. Kies een moment" in main and "eBox activeren" in main
        assert await page.locator("input[name=starts_at]").count() > 0  # the point has free times to book
        assert page.console_errors == []
