"""Contract events for workshop registrations (what notify and reporting learn)."""

from __future__ import annotations

import datetime as dt

from loket.contracts.values import ContactDetails
from loket.contracts.workshops import (
    WorkshopAttended,
    WorkshopAttendedPayload,
    WorkshopCancelledBy,
    WorkshopPlaceOffered,
    WorkshopPlaceOfferedPayload,
    WorkshopRegistered,
    WorkshopRegisteredPayload,
    WorkshopRegistrationCancelled,
    WorkshopRegistrationCancelledPayload,
)
from services.booking.points.model import AssistancePoint
from services.booking.workshops.model import Registration, Workshop

PRODUCER = "booking"


def _ref(w: Workshop, r: Registration, point: AssistancePoint) -> dict[str, object]:
    return {"registration_id": r.registration_id, "workshop_id": w.workshop_id, "point_id": w.point_id,
            "municipality": point.municipality, "starts_at": w.starts_at,
            "point_name": point.name_in(r.language, w.language)}


def _placed(w: Workshop, r: Registration, point: AssistancePoint, contact: ContactDetails) -> dict[str, object]:
    return {**_ref(w, r, point), "title": w.title, "ends_at": w.ends_at, "workshop_language": w.language,
            "language": r.language, "contact": contact}


def registered(w: Workshop, r: Registration, point: AssistancePoint, contact: ContactDetails,
               place_in_line: int | None) -> WorkshopRegistered:
    return WorkshopRegistered(producer=PRODUCER, payload=WorkshopRegisteredPayload(
        **_placed(w, r, point, contact), waiting=r.place_no is None, place_in_line=place_in_line))


def place_offered(w: Workshop, r: Registration, point: AssistancePoint, contact: ContactDetails) -> WorkshopPlaceOffered:
    return WorkshopPlaceOffered(producer=PRODUCER, payload=WorkshopPlaceOfferedPayload(
        **_placed(w, r, point, contact)))


def cancelled(w: Workshop, r: Registration, point: AssistancePoint, contact: ContactDetails,
              by: WorkshopCancelledBy) -> WorkshopRegistrationCancelled:
    return WorkshopRegistrationCancelled(producer=PRODUCER, payload=WorkshopRegistrationCancelledPayload(
        **_ref(w, r, point), cancelled_by=by, was_waiting=r.place_no is None, language=r.language, contact=contact))


def attended(w: Workshop, r: Registration, point: AssistancePoint, now: dt.datetime) -> WorkshopAttended:
    return WorkshopAttended(producer=PRODUCER, payload=WorkshopAttendedPayload(**_ref(w, r, point), attended_at=now))
