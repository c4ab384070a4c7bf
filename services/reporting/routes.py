"""Outputs: `GET /kpis` (JSON, exact figures for the back-office) and `GET /exports/{kpi}.csv` need a
bearer token; `GET /dashboard` (public figures: small cells suppressed) is a page for people,
opened after signing in (a bearer token works too), in the person's language.

The page shows words (labels, value_labels); the JSON and the CSV keep the machine codes
(`municipal_counter`, `no_show_rate`): they are read by spreadsheets and back-office programs,
which need keys that do not change with the reader's language or a reworded label."""

from __future__ import annotations

import io
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from loket.infra.csv_cells import SafeCsvWriter
from loket.infra.http.auth import problem
from loket.infra.http.fallback_answers import bad_link
from loket.infra.runtime import Runtime
from services.reporting.dashboard import in_council_order, section
from services.reporting.kpis import BY_NAME, KPIS, PERIODS, compute, suppress
from services.reporting.page_context import page_language, render, town_name
from services.reporting.scope import figures_scope, may_choose
from services.reporting.settings import ReportingSettings
from services.reporting.texts import TEXTS

DASHBOARD = "/dashboard"
_REFNIS = re.compile(r"[0-9]{5}")


def bad_municipality(municipality: str | None) -> Response | None:
    """A REFNIS code is five ASCII digits (`str.isdigit` would also take "١٢٠٢٥" or "²²²²²")."""
    if municipality is not None and not _REFNIS.fullmatch(municipality):
        return problem(400, "Bad municipality", "municipality is a 5-digit REFNIS code, e.g. 12025")
    return None


def filters(request: Request) -> tuple[str | None, str] | Response:
    """(municipality, period) the principal asked for and may see, or the refusal."""
    municipality = request.query_params.get("municipality") or None
    period = request.query_params.get("period", "month")
    if period not in PERIODS:
        return problem(400, "Unknown period", f"period must be one of {', '.join(PERIODS)}")
    if refused := bad_municipality(municipality):
        return refused
    return figures_scope(request.state.principal, municipality, period)


def _quoted(names: list[str], shown: int = 3, length: int = 40) -> str:
    """The first few unknown names, each cut short: the answer says what was wrong without
    repeating whatever a query string held, however long."""
    quoted = ", ".join(f"'{n[:length]}…'" if len(n) > length else f"'{n}'" for n in names[:shown])
    return quoted + (f" and {len(names) - shown} more" if len(names) > shown else "")


def report_routes(runtime: Runtime, settings: ReportingSettings) -> list[Route]:
    cost = settings.reporting_stamp_eur + settings.reporting_print_handling_eur

    async def kpis(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return chosen
        names = request.query_params.getlist("name") or [k.name for k in KPIS]
        if unknown := [n for n in names if n not in BY_NAME]:
            return problem(404, "Unknown KPI", f"no KPI is named {_quoted(unknown)}; known: {', '.join(BY_NAME)}")
        async with runtime.db().acquire() as conn:
            body = {n: {"columns": list(BY_NAME[n].columns),
                        "rows": await compute(conn, runtime.schema, BY_NAME[n], *chosen, cost,
                                              handling_eur=settings.reporting_print_handling_eur)} for n in names}
        return JSONResponse(body)

    async def export(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return chosen
        kpi = BY_NAME.get(request.path_params["name"])
        if kpi is None:
            return problem(404, "Unknown KPI", f"known: {', '.join(BY_NAME)}")
        async with runtime.db().acquire() as conn:
            rows = suppress(kpi, await compute(conn, runtime.schema, kpi, *chosen, cost,
                                               handling_eur=settings.reporting_print_handling_eur),
                            settings.reporting_small_cell)
        buffer = io.StringIO()
        writer = SafeCsvWriter(buffer)  # departments and other values come from back-offices' events
        writer.writerow(kpi.columns)
        writer.writerows(["<5" if v is None else v for v in row] for row in rows)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{kpi.name}.csv"'})

    async def dashboard(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return bad_link(request, chosen, DASHBOARD)
        lang = page_language(request)
        sections = []
        async with runtime.db().acquire() as conn:
            for kpi in in_council_order(KPIS):
                rows = suppress(kpi, await compute(conn, runtime.schema, kpi, *chosen, cost,
                                                   handling_eur=settings.reporting_print_handling_eur),
                                settings.reporting_small_cell)
                sections.append(section(kpi, rows, lang, TEXTS[lang], period=chosen[1]))
            codes = [r[0] for r in await conn.fetch(
                f"SELECT DISTINCT municipality FROM {runtime.schema}.letters WHERE municipality IS NOT NULL UNION "
                f"SELECT DISTINCT municipality FROM {runtime.schema}.visits WHERE municipality IS NOT NULL ORDER BY 1")]
        html = render(request, "dashboard.html.j2", lang, periods=PERIODS, period=chosen[1], municipality=chosen[0],
                      sections=sections,
                      municipalities=[(c, town_name(c)) for c in codes if may_choose(request.state.principal, c)])
        return HTMLResponse(html)

    return [Route("/kpis", kpis, methods=["GET"]), Route("/exports/{name}.csv", export, methods=["GET"]),
            Route(DASHBOARD, dashboard, methods=["GET"])]
