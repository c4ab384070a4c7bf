"""The monthly report for a council (signed in, printable: print CSS and a PDF from Chromium)
and the public performance page (anyone, small cells suppressed), in NL/FR/DE/EN with axe-core
and screenshots; the figures come from the synthetic streams with their known truth."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest

from loket.infra.date_words import month_words
from loket.infra.identity.roles import Role
from services.reporting.app import NAME
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.tariffs import TARIFFS
from services.reporting.texts import TEXTS
from tests.e2e.test_reporting_dashboard_page import sign_in
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.reporting_figures import figures_shown
from tests.support.reporting_stream import TREND_DEPARTMENTS, stream, trend_stream
from tests.support.signin_harness import assert_accessible, new_account, running_reporting

TABLET = {"width": 1024, "height": 1366}
HANDLING = 0.35  # ReportingSettings' default print and handling cost per letter


@pytest.fixture
async def reporting(database_url, bus_url, pool):  # type: ignore[no-untyped-def]
    require_chromium()
    async with running_reporting(database_url, bus_url) as base:
        trend_events, truth = trend_stream()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"TRUNCATE {NAME}.letters, {NAME}.visits, {NAME}.appointments, {NAME}.notifications, "
                               f"{NAME}.activations, {NAME}.loans")
            await project(conn, NAME, stream()[0] + trend_events, Pseudonymizer(secrets.token_bytes(32)))
        yield base, truth


async def test_the_monthly_report_has_the_months_key_figures_and_prints(reporting, pool) -> None:  # type: ignore[no-untyped-def]
    base, truth = reporting
    username, _ = await new_account(pool, language="fr", role=Role.ANALYST, name="Claire Dubois")
    month = "2026-01"
    letters = {d: truth.letters[(f"{month}-01", d)] for d in TREND_DEPARTMENTS}
    total = sum(len(c) for c in letters.values())
    digital = sum(c.count("ebox") for c in letters.values())
    rate = {t.postage_class: t.stamp_eur for t in TARIFFS if t.year == 2025}
    eur = sum(c.count("ebox") * (rate["registered" if TREND_DEPARTMENTS[d][0] else "non_prior"] + HANDLING)
              for d, c in letters.items())
    visits = {k: n for (m, k), n in truth.kinds.items() if m == f"{month}-01"}
    async with chromium_page(TABLET) as page:
        await sign_in(page, base, username)
        for lang in ("fr", "nl", "de", "en"):
            await page.goto(f"{base}/report/monthly?month={month}&lang={lang}")
            assert await page.get_attribute("html", "lang") == lang
            assert TEXTS[lang]["monthly_title"] in await page.inner_text("h1")
            assert await page.inner_text("#sum-letters") == str(total)
            # Figures in the page's language: a decimal comma but in English (below a thousand,
            # where no thousands separator comes in), the sign after a no-break space.
            comma = "." if lang == "en" else ","
            assert await page.inner_text("#sum-share") == f"{digital / total * 100:.1f}\u00a0%".replace(".", comma)
            assert eur < 1000 and await page.inner_text("#sum-eur") == f"{eur:.2f}".replace(".", comma)
            assert sum(visits.values()) >= 5  # the stream's truth: the total is not a small cell
            assert await page.inner_text("#sum-visits") == str(sum(visits.values()))
            # The month in words, in the page's language (its first day read like a date).
            assert month_words(dt.date(2026, 1, 1), lang) in await page.inner_text("h1")
            # The month picker names the months in the page's language, the one on show chosen.
            assert await page.locator("#month option:checked").inner_text() == month_words(dt.date(2026, 1, 1), lang)
            periods = set(await page.locator("tbody th[scope=row]").all_inner_texts())
            assert {month_words(dt.date(2025, 12, 1), lang), month_words(dt.date(2026, 1, 1), lang)} <= periods
            trend = {month_words(day, lang) for day in [*(dt.date(2025, m, 1) for m in range(2, 13)), dt.date(2026, 1, 1)]}
            assert periods <= trend, periods - trend  # the twelve months up to the one reported, none after
            # The trend's axis shows all twelve, those without letters too, as the page says it covers.
            axis = set(await page.locator("section[aria-labelledby=h-ebox_share_by_department] svg .axis.x text")
                       .all_text_contents())
            assert trend <= axis, trend - axis
            await assert_accessible(page, f"monthly report {lang}")
            await page.screenshot(path=str(artifact(f"report-monthly-{lang}.png")), full_page=True)
        # Printed: no controls, the figures only; Chromium makes the PDF a council gets.
        await page.emulate_media(media="print")
        assert not await page.locator("header.top").is_visible()
        assert not await page.locator("form").first.is_visible()
        assert await page.locator("#sum-letters").is_visible()
        await page.screenshot(path=str(artifact("report-monthly-print.png")), full_page=True)
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
        artifact("report-monthly-en.pdf").write_bytes(pdf)
        # Another month, picked by its name with the keyboard (no date typed in any format).
        await page.emulate_media(media="screen")
        await page.get_by_label(TEXTS["en"]["month_label"], exact=True).select_option(label="December 2025")
        await page.get_by_role("button", name=TEXTS["en"]["show"]).press("Enter")
        await page.wait_for_url(re.compile(r"month=2025-12"))
        assert "December 2025" in await page.inner_text("h1")
        assert await page.locator("#month option:checked").get_attribute("value") == "2025-12"


async def test_the_public_performance_page_needs_no_sign_in_and_hides_small_cells(reporting) -> None:  # type: ignore[no-untyped-def]
    base, _ = reporting
    async with chromium_page(TABLET) as page:
        for lang in ("nl", "fr", "de", "en"):
            response = await page.goto(f"{base}/public/performance?lang={lang}")
            assert response.status == 200 and page.url.startswith(f"{base}/public/performance")  # not sent to sign in
            assert await page.inner_text("h1") == TEXTS[lang]["performance_title"]
            cells = await page.locator("td").all_inner_texts()
            assert cells and "<5" in cells
            small = [c for c in cells if re.fullmatch(r"[1-4]", c.strip())]
            assert not small, small
            periods = await page.locator("tbody th[scope=row]").all_inner_texts()
            assert month_words(dt.date(2026, 1, 1), lang) in periods
            assert not [p for p in periods if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p)]
            shown = await figures_shown(page, lang)
            assert shown.charts > 0 and shown.charts + shown.all_hidden == shown.tables
            await assert_accessible(page, f"performance {lang}")
            await page.screenshot(path=str(artifact(f"performance-{lang}.png")), full_page=True)
        # A link with a choice that does not exist: a page in the person's language (it was the
        # problem+json meant for programs), and the way to the page itself.
        response = await page.goto(f"{base}/public/performance?municipality=12x&lang=de")
        assert response.status == 400
        assert await page.inner_text("h1") == "Dieser Link stimmt nicht"
        await assert_accessible(page, "performance, a bad link (de)")
        await page.screenshot(path=str(artifact("performance-bad-link-de.png")), full_page=True)
        await page.get_by_role("link", name="Zur Seite").click()
        await page.wait_for_url(f"{base}/public/performance?lang=de")
        assert await page.inner_text("h1") == TEXTS["de"]["performance_title"]
        # The monthly report stays behind the sign-in.
        await page.goto(f"{base}/report/monthly?month=2026-01")
        assert "/signin" in page.url
