"""`GET /public/find`: the finder page. `?postcode=2800` or `?lat=51.03&lon=4.48`, optional
`service` and `lang`. Server-rendered with the booking page's look; no map tiles, no script."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from loket.infra.http.language_links import language_links
from loket.infra.runtime import Runtime
from services.booking.catalogue import CATALOGUE, SERVICES
from services.booking.finder.listing import Listed, Origin, list_points
from services.booking.finder.texts import ACCESSIBILITY, KINDS, WEEKDAY_NAMES, finder_texts
from services.booking.http.rate_limit import RateLimit
from services.booking.page.rendering import page_language, render_from, too_many_requests
from services.booking.page.texts import LANGUAGES, texts_for
from services.booking.points.model import LAT_RANGE, LON_RANGE, WEEKDAYS
from services.booking.points.nearest import UnknownPostcode
from services.booking.points.repository import all_points

TEMPLATES = Path(__file__).parent / "templates"
FINDER = "/public/find"
WEEKDAY_INDEX = {day: i for i, day in enumerate(WEEKDAYS)}


def finder_routes(runtime: Runtime, limiter: RateLimit, clock: Callable[[], dt.datetime]) -> list[Route]:
    async def find(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        q, lang = request.query_params, page_language(request)
        service = q.get("service") if q.get("service") in SERVICES else None
        postcode = q.get("postcode", "").strip()[:10] or None
        kept = {k: v for k, v in (("postcode", postcode), ("lat", q.get("lat")), ("lon", q.get("lon")),
                                  ("service", service)) if v}
        texts = {**texts_for(lang), **finder_texts(lang)}
        context: dict[str, object] = {
            "t": texts, "postcode": postcode or "", "service": service,
            "services": sorted(((s, CATALOGUE[s].names[lang]) for s in SERVICES), key=lambda s: s[1]),
            "kinds": {k: v[lang] for k, v in KINDS.items()}, "weekday_names": WEEKDAY_NAMES[lang],
            "accessibility_names": {k: v[lang] for k, v in ACCESSIBILITY.items()},
            "service_names": {s: CATALOGUE[s].names[lang] for s in SERVICES},
            "language_links": language_links(FINDER, kept.items(), LANGUAGES),
            "weekday_index": WEEKDAY_INDEX, "searched": bool(kept.keys() - {"service"}), "booking_url": booking_url,
        }
        try:
            origin = _origin(postcode, q.get("lat"), q.get("lon"))
        except ValueError:
            return render_from((TEMPLATES,), lang, "find.html.j2", 400, error=texts["bad_place"], listed=[], **context)
        async with runtime.db().acquire() as conn:
            points = await all_points(conn, runtime.schema)
        try:
            listed = list_points(points, origin, clock(), lang, service)
        except UnknownPostcode:
            return render_from((TEMPLATES,), lang, "find.html.j2", 400, error=texts["unknown_postcode"], listed=[], **context)
        return render_from((TEMPLATES,), lang, "find.html.j2", 200, listed=listed, by_postcode=origin.postcode is not None, **context)

    return [Route(FINDER, find, methods=["GET"])]


def _origin(postcode: str | None, lat: str | None, lon: str | None) -> Origin:
    if postcode is not None:
        return Origin(postcode=postcode)
    if lat is None and lon is None:
        return Origin()
    latitude, longitude = float(lat or "x"), float(lon or "x")  # ValueError: not numbers, or one missing
    if not (LAT_RANGE[0] <= latitude <= LAT_RANGE[1] and LON_RANGE[0] <= longitude <= LON_RANGE[1]):
        raise ValueError("outside Belgium")
    return Origin(latitude=latitude, longitude=longitude)


def booking_url(listed: Listed, lang: str) -> str | None:
    """The booking flow's second step for this point (choose a time), or None: nothing to book."""
    if listed.booking_service is None:
        return None
    query = urlencode({"lang": lang, "service": listed.booking_service, "help_language": listed.booking_language})
    return f"/public/book/points/{listed.point.point_id}?{query}"

