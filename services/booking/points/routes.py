"""`GET /public/points`: the nearest assistance points for citizens (no token needed).

Query: `postcode=2800` or `lat=…&lon=…`, optional `service`, `language`, `limit` (≤ 20).
Errors are RFC 9457 problem+json with a precise message.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.booking.points.model import SERVICES
from services.booking.points.nearest import UnknownPostcode, nearest_to, nearest_to_postcode
from services.booking.points.repository import all_points
from services.infra.runtime import Runtime


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status, media_type="application/problem+json")


def point_routes(runtime: Runtime) -> list[Route]:
    async def nearest(request: Request) -> JSONResponse:
        q = request.query_params
        service, language = q.get("service"), q.get("language")
        if service is not None and service not in SERVICES:
            return problem(400, "Unknown service", f"service must be one of {', '.join(sorted(SERVICES))}")
        if language is not None and language not in ("nl", "fr", "de", "en"):
            return problem(400, "Unknown language", "language must be nl, fr, de or en")
        try:
            limit = int(q.get("limit", "5"))
            if not 1 <= limit <= 20:
                raise ValueError
        except ValueError:
            return problem(400, "Bad limit", "limit must be a whole number from 1 to 20")
        async with runtime.db().acquire() as conn:
            points = await all_points(conn, runtime.schema)
        try:
            if "postcode" in q:
                found = nearest_to_postcode(points, q["postcode"], service=service, language=language, limit=limit)
            elif "lat" in q and "lon" in q:
                found = nearest_to(points, float(q["lat"]), float(q["lon"]), service=service, language=language, limit=limit)
            else:
                return problem(400, "Where?", "give postcode=NNNN or lat=…&lon=…")
        except UnknownPostcode as exc:
            return problem(404, "Unknown postcode", str(exc))
        except ValueError:
            return problem(400, "Bad coordinates", "lat and lon must be decimal numbers")
        return JSONResponse({"points": [
            {**f.point.model_dump(mode="json", include={"point_id", "kind", "name", "address", "languages", "services",
                                                         "opening_hours", "connectoo_label"}),
             "distance_km": round(f.distance_km, 2) if f.distance_km is not None else None}
            for f in found
        ]})

    return [Route("/public/points", nearest, methods=["GET"])]
