"""The KPI dashboard as a council member sees it, in headless Chromium: signed in, the page
speaks the person's own language (and `?lang=` overrides it), shows NL/FR/DE/EN with human words
only (no enum value in any text, table or chart), every chart an accessible image with its own
table, axe-core without serious or critical violations, and a screenshot per language."""

from __future__ import annotations

import secrets
import typing

import pytest

from loket.contracts.letter_status import PostageClass, PrintReason
from loket.contracts.notifications import FailureStatus
from loket.contracts.values import Channel, PointKind
from loket.contracts.visits import VisitOutcome
from loket.infra.identity.roles import Role
from services.reporting.app import NAME
from services.reporting.kpis import KPIS
from services.reporting.labels import COLUMNS, TITLES
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.texts import TEXTS
from services.reporting.value_labels import VALUES
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.reporting_figures import figures_shown
from tests.support.reporting_stream import campaign_stream, stream, trend_stream
from tests.support.signin_harness import PASSWORD, assert_accessible, new_account, running_reporting

TABLET = {"width": 1024, "height": 1366}
# Every code the figures can carry: the contracts' closed sets, what the queries compute, the
# departments and document types of the rollout policy, column and KPI names.
CODES = ({v for closed in (PointKind, VisitOutcome, PrintReason, PostageClass, FailureStatus, Channel)
          for v in typing.get_args(closed)}
         | {"attended", "no_show", "cancelled", "booked", "ebox", "paper", "both", "failed", "pending", "delivered",
            "sending", "True", "False", "true", "false"}
         | {code for values in VALUES.values() for code, words in values.items() if code not in words.values()}
         | set(COLUMNS) | set(TITLES))


@pytest.fixture
async def dashboard(database_url, bus_url, pool):  # type: ignore[no-untyped-def]
    require_chromium()
    async with running_reporting(database_url, bus_url) as base:
        # The figures go straight into the service's read models (the bus path is tested elsewhere).
        events = stream()[0] + trend_stream()[0] + campaign_stream()
        async with pool.acquire() as conn, conn.transaction():
            # Only this stream's figures (a test before may have projected its own).
            await conn.execute(f"TRUNCATE {NAME}.letters, {NAME}.visits, {NAME}.appointments, {NAME}.notifications, "
                               f"{NAME}.activations, {NAME}.loans")
            await project(conn, NAME, events, Pseudonymizer(secrets.token_bytes(32)))
        yield base


async def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}/dashboard?period=month")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(f"{base}/dashboard?period=month")


async def shown_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What a person can read or hear: the page's text, each table cell, each chart's words."""
    return await page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('td, th, caption, h2')].map(e => e.textContent.trim()),
        ...[...document.querySelectorAll('svg text, svg > title, svg > desc')].map(e => e.textContent.trim())]""")


async def test_the_dashboard_in_every_language_has_words_not_codes(dashboard, pool) -> None:  # type: ignore[no-untyped-def]
    username, _ = await new_account(pool, language="de", role=Role.ANALYST, name="Gerda Schmitz")
    async with chromium_page(TABLET) as page:
        await sign_in(page, dashboard, username)
        # No ?lang=: the person's own language.
        assert await page.get_attribute("html", "lang") == "de"
        assert await page.inner_text("h1") == TEXTS["de"]["title"]
        for lang in ("nl", "fr", "de", "en"):
            await page.goto(f"{dashboard}/dashboard?lang={lang}&period=month")
            assert await page.get_attribute("html", "lang") == lang
            assert await page.inner_text("h1") == TEXTS[lang]["title"]
            for kpi in ("ebox_share_by_department", "visits_by_topic", "visits_by_point_kind",
                        "cost_avoided_by_department", "no_show_by_reminder"):
                assert await page.inner_text(f"#h-{kpi}") == TITLES[kpi][lang]
            texts = await shown_texts(page)
            underscored = {c for c in CODES if "_" in c or "-" in c}
            leaked = {c for c in underscored if any(c in text for text in texts)}
            leaked |= {t for t in texts[1:] if t in CODES}
            assert not leaked, (lang, sorted(leaked))
            # A figure whose every count is hidden (small cells) has its table and a sentence, no chart.
            shown = await figures_shown(page, lang)
            assert shown.all_hidden >= 1  # the fixture's few visits hide whole figures
            assert shown.charts + shown.all_hidden == shown.tables >= len(KPIS) - 2
            assert await page.locator("svg text", has_text="No data").count() == 0  # pygal's own, in English
            first = page.locator("figure svg[role=img]").first
            title_id = await first.get_attribute("aria-labelledby")
            assert await page.locator(f"svg > title#{title_id}").count() == 1
            assert await page.locator("table:not(:has(caption))").count() == 0
            assert await page.locator("th:not([scope])").count() == 0
            await assert_accessible(page, f"dashboard {lang}")
            await page.screenshot(path=str(artifact(f"dashboard-{lang}.png")), full_page=True)
        # An old or edited link (a period that does not exist, another municipality's figures): a
        # page, not the problem+json the figures API answers programs with.
        for query, status in (("period=quarter", 400), ("municipality=21005", 404)):
            response = await page.goto(f"{dashboard}/dashboard?lang=fr&{query}")
            assert response is not None and response.status == status
            assert await page.inner_text("h1") == "Ce lien n'est pas valable"
        await assert_accessible(page, "dashboard, a bad link (fr)")
        await page.get_by_role("link", name="Aller à la page").click()
        await page.wait_for_url(f"{dashboard}/dashboard?lang=fr")
        assert await page.inner_text("h1") == TEXTS["fr"]["title"]
        assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


async def test_trend_lines_and_labelled_reminder_groups(dashboard, pool) -> None:  # type: ignore[no-untyped-def]
    username, _ = await new_account(pool, language="en", role=Role.ANALYST)
    async with chromium_page(TABLET) as page:
        await sign_in(page, dashboard, username)
        trend = page.locator("section[aria-labelledby=h-ebox_share_by_department]")
        assert await trend.locator("svg .line").count() >= 2  # one line per department
        table = await trend.locator("table").inner_text()
        assert "Finance" in table and "Administrative sanctions" in table and "%" in table
        assert "\t50.0\u00a0%\t10" in table  # finance in January 2026: 5 of its 10 letters in the eBox
        reminder = await page.locator("section[aria-labelledby=h-no_show_by_reminder] table").inner_text()
        assert "With a delivered reminder" in reminder and "Without a delivered reminder" in reminder
        cost = await page.locator("section[aria-labelledby=h-cost_avoided_by_department] table").inner_text()
        assert "Registered" in cost and "Non-prior" in cost and "2025" in cost
        kinds = await page.locator("section[aria-labelledby=h-visits_by_point_kind] table").inner_text()
        assert "Digibank" in kinds and "Post office (bpost)" in kinds
        await page.locator("section[aria-labelledby=h-ebox_share_by_department]").screenshot(
            path=str(artifact("dashboard-trend-en.png")))
