"""The points an insert page names: the nearest offering eBox activation to the recipient's
postcode, ranked as booking's finder ranks them (loket/contracts/reference/geography.py). Pure."""

from __future__ import annotations

from loket.contracts.points import AssistancePointPublishedPayload
from loket.contracts.reference.geography import UnknownPostcode, distance_km, postcode_location

SHOWN = 3
ACTIVATION = "ebox_activation"
# Further than this is no help nearby (Eupen's third nearest would be a Digibank in the Kempen).
MAX_KM = 40.0


def nearest_for_insert(cards: list[AssistancePointPublishedPayload], postcode: str,
                       limit: int = SHOWN) -> list[tuple[AssistancePointPublishedPayload, float]]:
    """(card, km) nearest first, within MAX_KM; empty for an unknown postcode (the page then says
    where to ask)."""
    try:
        lat, lon = postcode_location(postcode)
    except UnknownPostcode:
        return []
    found = [(c, km) for c in cards if ACTIVATION in c.services
             if (km := distance_km(lat, lon, c.latitude, c.longitude)) <= MAX_KM]
    return sorted(found, key=lambda f: (f[1], f[0].point_id))[:limit]
