"""reporting as a service on real NATS and PostgreSQL: events on every topic are projected by
the live consumers; `rebuild` replays the streams into a fresh schema and swaps it in with the
same figures; the outputs need a token, exports suppress small cells, and nothing shows a
national number. The dashboard renders in headless Chromium with its charts."""

from __future__ import annotations

import csv
import io
import json
import re

import aiohttp
import pytest

from loket.contracts import topics
from loket.infra.http.auth import hash_token
from services.reporting.app import NAME, TOPICS, create_app
from services.reporting.kpis import KPIS
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings
from tests.integration.test_reporting_figures import national_numbers_in
from tests.support.bus_harness import purge_streams
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.reporting_figures import figures_shown
from tests.support.reporting_stream import project, stream
from tests.support.served_app import served

SECRET, TOKEN = "a-test-secret-of-enough-length", "reporting-test-token"


# Principals besides the operator: Mechelen's analyst, and Mechelen's counter staff.
SCOPED = {"analyst-12025": {"role": "analyst", "municipality": "12025"},
          "staff-12025": {"role": "staff", "municipality": "12025", "points": ["mechelen-stadhuis"]}}


@pytest.fixture
async def reporting(database_url, bus_url, pool, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", TOKEN)
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps([{"name": name, **entry, "sha256": hash_token(name)} for name, entry in SCOPED.items()]))
    monkeypatch.setenv("LOKET_API_TOKENS_FILE", str(tokens))
    await purge_streams(bus_url, tuple(topics.NATS_STREAMS))  # reporting reads every stream
    await pool.execute(f"DROP SCHEMA IF EXISTS {NAME} CASCADE")
    events, truth = stream()
    settings = ReportingSettings(database_url=database_url, bus_url=bus_url, reporting_pseudonym_secret=SECRET)
    async with served(create_app(settings)) as base, aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        await project(pool, bus_url, events)
        yield base, http, events, truth


async def kpis(http: aiohttp.ClientSession, base: str) -> dict:  # type: ignore[type-arg]
    async with http.get(f"{base}/kpis", params={"period": "month"}) as r:
        assert r.status == 200
        return await r.json()


async def test_live_projection_equals_a_rebuild_from_the_streams(reporting, database_url, bus_url, pool) -> None:  # type: ignore[no-untyped-def]
    base, http, _, truth = reporting
    live = await kpis(http, base)
    assert {r[3]: r[4] for r in live["letters_by_channel"]["rows"]} == {
        c: truth.letter_channels.count(c) for c in set(truth.letter_channels)}
    done: list[tuple[str, int]] = []
    result = await rebuild(database_url, bus_url, Pseudonymizer(SECRET.encode()), NAME, TOPICS,
                           lambda topic, n, _: done.append((topic, n)))
    assert sum(result.events.values()) > 0 and done
    assert await kpis(http, base) == live  # the service now reads the rebuilt schema
    assert await pool.fetchval("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'reporting_%'") == 0


async def test_outputs_need_a_token_suppress_small_cells_and_hold_no_national_number(reporting) -> None:  # type: ignore[no-untyped-def]
    base, http, _, truth = reporting
    async with aiohttp.ClientSession() as anonymous, anonymous.get(f"{base}/dashboard") as r:
        assert r.status == 401
    async with http.get(f"{base}/kpis", params={"period": "fortnight"}) as r:
        assert r.status == 400 and "period must be one of" in (await r.json())["detail"]
    # Unknown names are named back, a few and cut short, whatever the query held.
    asked = [("name", "ebox_share"), ("name", "ebox_sahre"), ("name", "x" * 3000), ("name", "a"), ("name", "b")]
    async with http.get(f"{base}/kpis", params=asked) as r:
        detail = (await r.json())["detail"]
        assert r.status == 404 and detail.startswith(f"no KPI is named 'ebox_sahre', '{'x' * 40}…', 'a' and 1 more;")
        assert "ebox_share" in detail and len(detail) < 2000
    everything = ""
    for kpi in KPIS:
        async with http.get(f"{base}/exports/{kpi.name}.csv", params={"period": "month"}) as r:
            assert r.status == 200 and r.content_type == "text/csv"
            text = await r.text()
        everything += text
        rows = list(csv.reader(io.StringIO(text)))
        assert tuple(rows[0]) == kpi.columns
        if kpi.counts_people:
            cells = [c for row in rows[1:] for c in row[1:]]
            assert not [c for c in cells if c.isdigit() and 0 < int(c) < 5], kpi.name
    assert "<5" in everything
    async with http.get(f"{base}/dashboard", params={"lang": "fr"}) as r:
        page = await r.text()
    everything += page + str(await kpis(http, base))
    assert not national_numbers_in(everything)
    assert all(n not in everything for n in truth.national_numbers)


async def test_the_dashboard_renders_with_charts_in_chromium(reporting) -> None:  # type: ignore[no-untyped-def]
    require_chromium()
    base, _, _, _ = reporting
    async with chromium_page({"width": 1280, "height": 900}) as page:
        await page.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
        await page.goto(f"{base}/dashboard?lang=nl&period=month")
        assert await page.inner_text("h1") == "Digitale inclusie in cijfers"
        assert await page.get_attribute("html", "lang") == "nl"
        charts = page.locator("figure svg")
        assert await charts.count() >= 8
        box = await charts.first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
        # Every figure has its table, and a chart or, when each of its counts is hidden, a sentence.
        shown = await figures_shown(page, "nl")
        assert shown.tables == shown.charts + shown.all_hidden and shown.charts == await charts.count()
        # Periods in words, in the page's language: "maart 2026", not the ISO date of its first day.
        periods = await page.locator("tbody th[scope=row]").all_inner_texts()
        assert periods and not any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p) for p in periods)
        assert any(re.fullmatch(r"[a-z]+ \d{4}", p) for p in periods), periods
        unlabeled = await page.evaluate("""() => [...document.querySelectorAll('select')]
            .filter(e => !e.labels || e.labels.length === 0).length""")
        assert unlabeled == 0
        await page.screenshot(path=str(artifact("reporting-dashboard.png")), full_page=True)
        assert page.console_errors == []


async def test_an_analyst_sees_and_exports_only_their_municipalitys_figures(reporting) -> None:  # type: ignore[no-untyped-def]
    base, operator, _, _ = reporting
    analyst = {"Authorization": "Bearer analyst-12025"}
    async with aiohttp.ClientSession(headers=analyst) as http:
        async with http.get(f"{base}/kpis", params={"period": "month", "name": "letters_by_channel"}) as r:
            assert r.status == 200
            rows = (await r.json())["letters_by_channel"]["rows"]
        async with http.get(f"{base}/kpis", params={"period": "month", "municipality": "21005"}) as r:
            assert r.status == 404 and (await r.json())["title"] == "No figures"
        async with http.get(f"{base}/exports/letters_by_channel.csv", params={"municipality": "21005"}) as r:
            assert r.status == 404
    async with operator.get(f"{base}/kpis", params={"period": "month", "name": "letters_by_channel",
                                                     "municipality": "12025"}) as r:
        mechelen_only = (await r.json())["letters_by_channel"]["rows"]
    assert rows and rows == mechelen_only  # the analyst's default is their own municipality
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer staff-12025"}) as http, \
            http.get(f"{base}/kpis", params={"period": "month"}) as r:
        assert r.status == 403
