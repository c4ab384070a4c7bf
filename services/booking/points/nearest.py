"""Nearest assistance points offering a service in a language, from coordinates or a postcode.

Postcodes stand for the centre of their municipality (loket/contracts/reference/geography.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.contracts.reference.geography import UnknownPostcode, distance_km, postcode_location
from services.booking.points.model import AssistancePoint

__all__ = ["Found", "UnknownPostcode", "distance_km", "nearest_to", "nearest_to_postcode"]



@dataclass(frozen=True)
class Found:
    point: AssistancePoint
    distance_km: float | None


def nearest_to(points: list[AssistancePoint], lat: float, lon: float, *, service: str | None = None,
               language: str | None = None, limit: int = 5) -> list[Found]:
    found = [Found(p, distance_km(lat, lon, p.latitude, p.longitude)) for p in points if p.offers(service, language)]
    return sorted(found, key=lambda f: (f.distance_km, f.point.point_id))[:limit]


def nearest_to_postcode(points: list[AssistancePoint], postcode: str, *, service: str | None = None,
                        language: str | None = None, limit: int = 5) -> list[Found]:
    """Raises UnknownPostcode."""
    return nearest_to(points, *postcode_location(postcode), service=service, language=language, limit=limit)
