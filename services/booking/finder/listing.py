"""What the finder lists for a place: the points nearest to it with their distance, opening
state, services (bookable or not) and the booking-flow entry for each. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from loket.infra.number_words import decimal_words
from services.booking.catalogue import BOOKABLE, CATALOGUE
from services.booking.finder.opening_state import OpeningState, opening_state
from services.booking.points.model import WEEKDAYS, AssistancePoint, Weekday
from services.booking.points.nearest import nearest_to, nearest_to_postcode

# Enough to compare a few places; a longer list is hard to take in by ear.
SHOWN = 8
# What most people come to the finder for, so the booking link starts there when the point offers it.
PREFERRED_SERVICE = "ebox_activation"


@dataclass(frozen=True)
class Origin:
    """Where the citizen is: a postcode, or coordinates (a kiosk or a link from a map)."""

    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Listed:
    point: AssistancePoint
    distance_km: float | None
    opening: OpeningState
    week: list[tuple[Weekday, list[str]]]  # weekday → its walk-in spans, open days only
    bookable: list[str]  # service slugs, in catalogue order
    other_services: list[str]  # offered at the point without an appointment (printing, lending)
    booking_service: str | None  # where the booking link starts; None: nothing to book here
    booking_language: str
    accessible: list[str]  # the accessibility facts known true (step_free, …); empty: unknown
    distance_words: str = ""  # "2,3" in Dutch, "2.3" in English; "" when no distance is known


def list_points(points: list[AssistancePoint], origin: Origin, now: dt.datetime, lang: str,
                service: str | None = None, limit: int = SHOWN) -> list[Listed]:
    """The nearest points (offering `service`, if given), nearest first. Raises UnknownPostcode."""
    if origin.postcode is not None:
        found = nearest_to_postcode(points, origin.postcode, service=service, limit=limit)
    elif origin.latitude is not None and origin.longitude is not None:
        found = nearest_to(points, origin.latitude, origin.longitude, service=service, limit=limit)
    else:
        return []
    return [_listed(f.point, f.distance_km, now, lang, service) for f in found]


def _listed(point: AssistancePoint, distance: float | None, now: dt.datetime, lang: str,
            service: str | None) -> Listed:
    order = list(CATALOGUE)
    offered = sorted(point.services, key=order.index)
    bookable = [s for s in offered if s in BOOKABLE]
    start = next((s for s in (service, PREFERRED_SERVICE) if s in bookable), bookable[0] if bookable else None)
    return Listed(point, distance, opening_state(point, now),
                  [(day, point.opening_hours[day]) for day in WEEKDAYS if point.opening_hours.get(day)],
                  bookable, [s for s in offered if s not in BOOKABLE], start,
                  lang if lang in point.languages else point.languages[0],
                  [k for k, v in point.accessibility.model_dump().items() if v] if point.accessibility else [],
                  decimal_words(distance, lang, 1) if distance is not None else "")
