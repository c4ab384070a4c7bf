"""`GET /public/points`: the nearest assistance points for citizens (no token needed).

Query: `postcode=2800` or `lat=…&lon=…`, optional `service`, `language`, `limit` (≤ 20).
Errors are RFC 9457 problem+json with a precise message.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from loket.infra.runtime import Runtime
from services.booking.catalogue import SERVICES
from services.booking.http.endpoint import Endpoint
from services.booking.http.problem import ProblemError
from services.booking.http.scopes import OPEN
from services.booking.points.nearest import UnknownPostcode, nearest_to, nearest_to_postcode
from services.booking.points.repository import all_points


class PointQuery(BaseModel):
    # Plain strings, checked by hand: citizens' front-ends get one precise sentence per mistake.
    model_config = ConfigDict(extra="forbid")
    postcode: str | None = Field(default=None, max_length=10)
    lat: str | None = Field(default=None, max_length=20)
    lon: str | None = Field(default=None, max_length=20)
    service: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=2)
    limit: str | None = Field(default=None, max_length=4)


class PointView(BaseModel):
    point_id: str
    kind: str
    name: dict[str, str]
    address: dict[str, str]
    languages: list[str]
    services: list[str]
    opening_hours: dict[str, list[str]]
    connectoo_label: bool
    distance_km: float | None


class PointList(BaseModel):
    points: list[PointView]


def point_endpoints(runtime: Runtime) -> list[Endpoint]:
    async def find_points(request: Request, query: PointQuery) -> BaseModel:
        service, language = query.service, query.language
        if service is not None and service not in SERVICES:
            raise ProblemError(400, "Unknown service", f"service must be one of {', '.join(sorted(SERVICES))}")
        if language is not None and language not in ("nl", "fr", "de", "en"):
            raise ProblemError(400, "Unknown language", "language must be nl, fr, de or en")
        try:
            limit = int(query.limit or "5")
            if not 1 <= limit <= 20:
                raise ValueError
        except ValueError:
            raise ProblemError(400, "Bad limit", "limit must be a whole number from 1 to 20") from None
        async with runtime.db().acquire() as conn:
            points = await all_points(conn, runtime.schema)
        try:
            if query.postcode is not None:
                found = nearest_to_postcode(points, query.postcode, service=service, language=language, limit=limit)
            elif query.lat is not None and query.lon is not None:
                found = nearest_to(points, float(query.lat), float(query.lon), service=service, language=language,
                                   limit=limit)
            else:
                raise ProblemError(400, "Where?", "give postcode=NNNN or lat=…&lon=…")
        except UnknownPostcode as exc:
            raise ProblemError(404, "Unknown postcode", str(exc)) from None
        except ValueError:
            raise ProblemError(400, "Bad coordinates", "lat and lon must be decimal numbers") from None
        return PointList(points=[
            PointView(**f.point.model_dump(mode="json", include={"point_id", "kind", "name", "languages", "services",
                                                                 "opening_hours", "connectoo_label"}),
                      address=f.point.address.model_dump(),
                      distance_km=round(f.distance_km, 2) if f.distance_km is not None else None)
            for f in found])

    return [Endpoint("GET", "/public/points", find_points, "Nearest assistance points", None, query=PointQuery,
                     response=PointList, errors=(400, 404), scope=OPEN)]
