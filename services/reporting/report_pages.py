"""Two pages beside the dashboard:

- `GET /report/monthly?month=2026-05` (signed in, the analyst's own municipality): the month a
  council discusses, with the year before it as trend, laid out to print on A4 (or save as PDF
  from the browser's print dialog).
- `GET /public/performance` (open to anyone): the platform's own figures, every count below the
  small-cell threshold suppressed, as GOV.UK Notify publishes its performance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from loket.contracts.values import utc_now
from loket.infra.date_words import month_words
from loket.infra.http.auth import problem
from loket.infra.http.fallback_answers import bad_link
from loket.infra.number_words import decimal_words, integer_words, percent_words
from loket.infra.runtime import Runtime
from services.reporting.dashboard import section
from services.reporting.kpis import BY_NAME, compute, suppress
from services.reporting.month_choices import month_choices, months_before, this_month
from services.reporting.page_context import page_language, render, town_name
from services.reporting.routes import bad_municipality, filters
from services.reporting.settings import ReportingSettings
from services.reporting.texts import TEXTS

MONTHLY = "/report/monthly"
PERFORMANCE = "/public/performance"
MONTHLY_KPIS = ("ebox_share_by_department", "cost_avoided_by_department", "visits_by_topic", "visits_by_point_kind",
                "no_show_by_reminder", "adoption_funnel", "campaign_funnel", "insert_campaign", "fallback_reasons")
PUBLIC_KPIS = ("ebox_share", "ebox_share_by_department", "visits_by_point_kind", "visits_by_topic",
               "appointments_by_outcome", "notifications", "cost_avoided_by_department")
TREND_MONTHS = 12
_MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")


def report_page_routes(runtime: Runtime, settings: ReportingSettings) -> list[Route]:
    cost = settings.reporting_stamp_eur + settings.reporting_print_handling_eur

    async def raw(municipality: str | None, name: str) -> list[list[Any]]:
        async with runtime.db().acquire() as conn:
            return await compute(conn, runtime.schema, BY_NAME[name], municipality, "month", cost,
                                 handling_eur=settings.reporting_print_handling_eur)

    async def figures(municipality: str | None, name: str, public: bool = False) -> list[list[Any]]:
        kpi = BY_NAME[name]
        # On the public page every figure counts people (letters are citizens' letters).
        return suppress(dataclasses.replace(kpi, counts_people=True) if public else kpi,
                        await raw(municipality, name), settings.reporting_small_cell)

    async def monthly(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return bad_link(request, chosen, MONTHLY)
        municipality = chosen[0]
        current = this_month(utc_now())
        asked = request.query_params.get("month") or current.strftime("%Y-%m")
        if not (match := _MONTH.match(asked)):
            return bad_link(request, problem(400, "Bad month", "month is YYYY-MM, e.g. 2026-05"), MONTHLY)
        month = dt.date(int(match[1]), int(match[2]), 1)
        first = months_before(month, TREND_MONTHS - 1)
        lang = page_language(request)
        sections, headline = [], {}
        # The twelve months the report covers: its rows, and its trends' axes whether a month has figures or not.
        span = (first.isoformat(), month.isoformat())
        for name in MONTHLY_KPIS:
            rows = [r for r in await figures(municipality, name) if span[0] <= r[0] <= span[1]]
            sections.append(section(BY_NAME[name], rows, lang, TEXTS[lang], span=span))
            headline[name] = [r for r in rows if r[0] == span[1]]
        row = {r[0]: r for r in await figures(municipality, "ebox_share")}.get(month.isoformat())
        summary = {
            "letters": "0" if row is None else "<5" if row[2] is None else integer_words(row[2], lang),
            "ebox_share": percent_words(row[1], lang) if row is not None and isinstance(row[1], float) else "-",
            "eur": decimal_words(sum(r[5] for r in headline["cost_avoided_by_department"] if isinstance(r[5], float)),
                                 lang, 2),
            # The month's total is one cell of its own: shown unless it is itself small (the
            # breakdown's complementary suppression keeps a hidden kind from being subtracted out).
            "visits": _total([r for r in await raw(municipality, "visits_by_point_kind") if r[0] == month.isoformat()],
                             settings.reporting_small_cell, lang),
        }
        html = render(request, "monthly.html.j2", lang, month=month.strftime("%Y-%m"), summary=summary,
                      sections=sections, place=town_name(municipality) if municipality else TEXTS[lang]["all"],
                      municipality=municipality, month_name=month_words(month, lang),
                      first_name=month_words(first, lang), month_choices=month_choices(current, month, lang))
        return HTMLResponse(html)

    async def performance(request: Request) -> Response:
        municipality = request.query_params.get("municipality") or None
        if refused := bad_municipality(municipality):
            return bad_link(request, refused, PERFORMANCE)
        lang = page_language(request)
        sections = [section(BY_NAME[name], await figures(municipality, name, public=True), lang, TEXTS[lang])
                    for name in PUBLIC_KPIS]
        async with runtime.db().acquire() as conn:
            codes = [r[0] for r in await conn.fetch(
                f"SELECT DISTINCT municipality FROM {runtime.schema}.letters WHERE municipality IS NOT NULL UNION "
                f"SELECT DISTINCT municipality FROM {runtime.schema}.visits WHERE municipality IS NOT NULL ORDER BY 1")]
        html = render(request, "performance.html.j2", lang, sections=sections, municipality=municipality,
                      municipalities=[(c, town_name(c)) for c in codes])
        return HTMLResponse(html)

    return [Route(MONTHLY, monthly, methods=["GET"]), Route(PERFORMANCE, performance, methods=["GET"])]


def _total(rows: list[list[Any]], threshold: int, lang: str) -> str:
    total = sum(r[-1] for r in rows)
    return integer_words(total, lang) if total == 0 or total >= threshold else f"<{threshold}"
