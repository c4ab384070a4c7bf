"""Outputs: `GET /kpis` (JSON, exact figures for the back-office) and `GET /exports/{kpi}.csv` need a
bearer token; `GET /dashboard` (public figures: small cells suppressed) is a page for people,
opened after signing in (a bearer token works too)."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from loket.contracts.reference.language_regime import UnknownMunicipality, municipality_name
from loket.infra.http.auth import problem
from loket.infra.http.signin.person_pages import signed_in
from loket.infra.runtime import Runtime
from services.reporting.charts import chart_svg
from services.reporting.kpis import BY_NAME, KPIS, PERIODS, compute, suppress
from services.reporting.scope import figures_scope, may_choose
from services.reporting.settings import ReportingSettings

TEXTS = {
    "nl": {"title": "Digitale inclusie in cijfers", "period": "Periode", "day": "dag", "week": "week",
           "month": "maand", "municipality": "Gemeente", "all": "Alle gemeenten", "show": "Tonen",
           "skip": "Naar de inhoud", "signed_in_as": "Aangemeld als", "signout": "Afmelden", "no_data": "Nog geen gegevens.", "table_below": "De cijfers staan in de tabel hieronder.",
           "suppressed": "Aantallen onder 5 personen worden niet getoond (<5), om niemand herkenbaar te maken; "
                         "x: verborgen zodat een <5 niet uit de totalen kan worden afgeleid."},
    "fr": {"title": "L'inclusion numérique en chiffres", "period": "Période", "day": "jour", "week": "semaine",
           "month": "mois", "municipality": "Commune", "all": "Toutes les communes", "show": "Afficher",
           "skip": "Aller au contenu", "signed_in_as": "Connecté en tant que", "signout": "Se déconnecter",
           "no_data": "Pas encore de données.", "table_below": "Les chiffres figurent dans le tableau ci-dessous.",
           "suppressed": "Les effectifs de moins de 5 personnes ne sont pas affichés (<5), pour que personne ne soit "
                         "reconnaissable ; x : masqué pour qu'un <5 ne puisse pas se déduire des totaux."},
}

DASHBOARD = "/dashboard"


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def report_routes(runtime: Runtime, settings: ReportingSettings) -> list[Route]:
    cost = settings.reporting_stamp_eur + settings.reporting_print_handling_eur

    def filters(request: Request) -> tuple[str | None, str] | Response:
        municipality = request.query_params.get("municipality") or None
        period = request.query_params.get("period", "month")
        if period not in PERIODS:
            return problem(400, "Unknown period", f"period must be one of {', '.join(PERIODS)}")
        if municipality is not None and not (len(municipality) == 5 and municipality.isdigit()):
            return problem(400, "Bad municipality", "municipality is a 5-digit REFNIS code, e.g. 12025")
        return figures_scope(request.state.principal, municipality, period)

    async def kpis(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return chosen
        names = request.query_params.getlist("name") or [k.name for k in KPIS]
        if unknown := [n for n in names if n not in BY_NAME]:
            return problem(404, "Unknown KPI", f"{', '.join(unknown)}; known: {', '.join(BY_NAME)}")
        async with runtime.db().acquire() as conn:
            body = {n: {"columns": list(BY_NAME[n].columns),
                        "rows": await compute(conn, runtime.schema, BY_NAME[n], *chosen, cost)} for n in names}
        return JSONResponse(body)

    async def export(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return chosen
        kpi = BY_NAME.get(request.path_params["name"])
        if kpi is None:
            return problem(404, "Unknown KPI", f"known: {', '.join(BY_NAME)}")
        async with runtime.db().acquire() as conn:
            rows = suppress(kpi, await compute(conn, runtime.schema, kpi, *chosen, cost), settings.reporting_small_cell)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(kpi.columns)
        writer.writerows(["<5" if v is None else v for v in row] for row in rows)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{kpi.name}.csv"'})

    async def dashboard(request: Request) -> Response:
        chosen = filters(request)
        if isinstance(chosen, Response):
            return chosen
        lang = request.query_params.get("lang", "nl")
        lang = lang if lang in TEXTS else "nl"
        sections = []
        async with runtime.db().acquire() as conn:
            for kpi in KPIS:
                rows = suppress(kpi, await compute(conn, runtime.schema, kpi, *chosen, cost),
                                settings.reporting_small_cell)
                sections.append({"name": kpi.name, "title": kpi.title[lang], "columns": kpi.columns, "rows": rows,
                                 "svg": chart_svg(kpi.title[lang], kpi.columns, rows)})
            codes = [r[0] for r in await conn.fetch(
                f"SELECT DISTINCT municipality FROM {runtime.schema}.letters WHERE municipality IS NOT NULL UNION "
                f"SELECT DISTINCT municipality FROM {runtime.schema}.visits WHERE municipality IS NOT NULL ORDER BY 1")]
        html = _templates().get_template("dashboard.html.j2").render(
            lang=lang, t=TEXTS[lang], periods=PERIODS, period=chosen[1], municipality=chosen[0], sections=sections,
            municipalities=[(c, _name(c)) for c in codes if may_choose(request.state.principal, c)],
            person=signed_in(request))
        return HTMLResponse(html)

    return [Route("/kpis", kpis, methods=["GET"]), Route("/exports/{name}.csv", export, methods=["GET"]),
            Route(DASHBOARD, dashboard, methods=["GET"])]


def _name(code: str) -> str:
    try:
        return municipality_name(code)
    except UnknownMunicipality:
        return code
