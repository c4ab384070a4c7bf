"""Device links: a point manager makes a link for the point's waiting-room display or ticket
kiosk (`/staff/devices/{point}`); opened once on the device (`/device/enter`), it leaves the
device key in an HttpOnly cookie and redirects, so the key does not stay in the address bar.

The key is an ordinary API key with the device role bound to that one point: it is listed, and
revoked, on the administrators' key page like any other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.http.signin.cookies import CookiePolicy
from loket.infra.http.signin.forms import read_form
from loket.infra.http.signin.person_pages import form_is_fresh
from loket.infra.identity import api_keys, repository
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from loket.infra.runtime import Runtime
from services.booking.staff.directory import PointDirectory
from services.booking.workspace import access
from services.booking.workspace.device_access import DEVICE_COOKIE, DeviceAccess
from services.booking.workspace.rendering import language, message, render
from services.booking.workspace.texts import texts_for

DEVICE_PAGES = "/staff/devices"
SCREENS = {"display": "/display/", "kiosk": "/kiosk/"}
VALID_FOR = dt.timedelta(days=365)
ONE_YEAR_S = 365 * 24 * 3600


def device_link_routes(runtime: Runtime, points: PointDirectory, devices: DeviceAccess, cookies: CookiePolicy,
                       clock: Callable[[], dt.datetime]) -> list[Route]:
    db = runtime.db

    async def page(request: Request) -> Response:
        return await _page(request)

    async def _page(request: Request, link: str | None = None) -> Response:
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        if not access.manages(principal):
            return message(request, 403, t["not_manager"])
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, points, principal, request.path_params["point_id"])
        if point is None:
            return message(request, 404, t["not_here"])
        lang = language(request)
        return render(request, "devices.html.j2", lang=lang,
                      title=t["devices_title"].format(p=point.name_in(lang, *point.languages)), point=point,
                      lang_query=f"?lang={lang}", link=link)

    async def make(request: Request) -> Response:
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        form = await read_form(request)
        if not access.manages(principal):
            return message(request, 403, t["not_manager"])
        if not form_is_fresh(request, form):
            return message(request, 403, t["expired_form"])
        screen = form.get("screen", "")
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, points, principal, request.path_params["point_id"])
            if point is None or screen not in SCREENS:
                return message(request, 404, t["not_here"])
            key = api_keys.new_key()
            await repository.insert_key(conn, key.prefix, key.secret_sha256, f"{screen} · {point.point_id}",
                                        point.municipality, Role.DEVICE.value, [point.point_id],
                                        f"web:{principal.name}", clock() + VALID_FOR)
        query = urlencode({"key": key.token, "screen": screen, "point": point.point_id})
        return await _page(request, link=f"{request.base_url}device/enter?{query}")

    async def enter(request: Request) -> Response:
        """The device's first visit: keep the key in a cookie, then go to the screen without it."""
        token, screen = request.query_params.get("key", ""), request.query_params.get("screen", "")
        point_id = request.query_params.get("point", "")
        lang = request.query_params.get("lang", "")
        found = await devices.verifier.authenticate(token)
        async with db().acquire() as conn:
            staffed = await points.get(conn, point_id)
        point = staffed.point if staffed else None
        if screen not in SCREENS or point is None or not DeviceAccess.may_serve(
                found if isinstance(found, Principal) else None, point):
            return message(request, 403, texts_for(lang if lang in ("nl", "fr", "de", "en") else "nl")["no_device"])
        # The screen's own options survive the redirect: its language, and the display's chime.
        kept = {k: v for k, v in (("lang", lang), ("chime", request.query_params.get("chime", ""))) if v}
        response = RedirectResponse(SCREENS[screen] + point_id + (f"?{urlencode(kept)}" if kept else ""), 303)
        cookies.write(response, DEVICE_COOKIE, token, request, max_age=ONE_YEAR_S)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return [Route(DEVICE_PAGES + "/{point_id}", page, methods=["GET"]),
            Route(DEVICE_PAGES + "/{point_id}", make, methods=["POST"]),
            Route("/device/enter", enter, methods=["GET"])]
