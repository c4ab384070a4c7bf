"""`/staff/dashboard/{point}`: the point manager's figures for a day or a week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from loket.infra.identity.principal import Principal
from loket.infra.runtime import Runtime
from services.booking.calendar.local_time import local_date
from services.booking.catalogue import CATALOGUE
from services.booking.rota.service import Rota
from services.booking.rota.texts import rota_texts
from services.booking.staff.directory import PointDirectory
from services.booking.workspace import access
from services.booking.workspace.dashboard_figures import Period, figures
from services.booking.workspace.people import names_of_people
from services.booking.workspace.point_settings_routes import label_without_certified_helper
from services.booking.workspace.rendering import language, message, render
from services.booking.workspace.rota_routes import tomorrows_gaps
from services.booking.workspace.texts import texts_for

DASHBOARD_PAGES = "/staff/dashboard"


def dashboard_routes(runtime: Runtime, points: PointDirectory, rota: Rota,
                     clock: Callable[[], dt.datetime]) -> list[Route]:
    db, schema = runtime.db, runtime.schema

    async def page(request: Request) -> Response:
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        if not access.manages(principal):
            return message(request, 403, t["not_manager_dashboard"])
        try:
            day = dt.date.fromisoformat(request.query_params.get("day", "")) if request.query_params.get("day") \
                else local_date(clock())
        except ValueError:
            day = local_date(clock())
        week = request.query_params.get("period") == "week"
        async with db().acquire() as conn:
            staffed = await access.reachable_staffed(conn, points, principal, request.path_params["point_id"])
            if staffed is None:
                return message(request, 404, t["not_here"])
            point, today = staffed.point, local_date(clock())
            found = await figures(conn, schema, point.point_id, Period.of(day, week))
            person = await names_of_people(conn, point.municipality, (helper for helper, _, _ in found.by_helper))
            # The rota's gaps of tomorrow (seen from today, whatever day the figures show).
            gaps = await tomorrows_gaps(conn, staffed, rota, today + dt.timedelta(days=1), lang)
        label_warning = label_without_certified_helper(staffed, today)
        return render(request, "dashboard.html.j2", lang=lang,
                      title=t["dashboard_title"].format(p=point.name_in(lang, *point.languages)), point=point,
                      f=found, day=day.isoformat(), gaps=gaps, r=rota_texts(lang), label_warning=label_warning, week=week, lang_query=f"?lang={lang}",
                      person=person, minutes=lambda s: "–" if s is None else t["minutes"].format(n=round(s / 60)),
                      topic_name=lambda slug: CATALOGUE[slug].names[lang] if slug in CATALOGUE else (slug or "–"))

    return [Route(DASHBOARD_PAGES + "/{point_id}", page, methods=["GET"])]
