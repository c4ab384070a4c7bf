"""Contract events for appointment changes (what notify and reporting learn)."""

from __future__ import annotations

import datetime as dt

from loket.contracts.appointments import (
    AppointmentAttended,
    AppointmentAttendedPayload,
    AppointmentBooked,
    AppointmentBookedPayload,
    AppointmentCancelled,
    AppointmentCancelledPayload,
    AppointmentNoShow,
    AppointmentNoShowPayload,
    AppointmentRescheduled,
    AppointmentRescheduledPayload,
    CancelReason,
)
from services.booking.appointments.repository import Appointment
from services.booking.points.model import AssistancePoint

PRODUCER = "booking"


def ref(a: Appointment, point: AssistancePoint) -> dict[str, object]:
    return {"appointment_id": a.appointment_id, "point_id": a.point_id, "municipality": point.municipality,
            "point_name": point.name_in(a.contact.language, a.language)}


def booked(a: Appointment, point: AssistancePoint, now: dt.datetime, campaign: str | None = None) -> AppointmentBooked:
    return AppointmentBooked(producer=PRODUCER, payload=AppointmentBookedPayload(
        **ref(a, point), starts_at=a.starts_at, ends_at=a.ends_at, point_kind=point.kind, service=a.service,
        helper_id=a.helper_id, language=a.language, contact=a.contact, booked_via=a.booked_via,
        lead_time_seconds=max(0, int((a.starts_at - now).total_seconds())), campaign=campaign))


def rescheduled(a: Appointment, point: AssistancePoint, old_starts_at: dt.datetime) -> AppointmentRescheduled:
    return AppointmentRescheduled(producer=PRODUCER, payload=AppointmentRescheduledPayload(
        **ref(a, point), starts_at=a.starts_at, ends_at=a.ends_at, old_starts_at=old_starts_at,
        language=a.language, contact=a.contact))


def cancelled(a: Appointment, point: AssistancePoint, reason: CancelReason) -> AppointmentCancelled:
    return AppointmentCancelled(producer=PRODUCER, payload=AppointmentCancelledPayload(
        **ref(a, point), starts_at=a.starts_at, reason=reason, language=a.language, contact=a.contact))


def attended(a: Appointment, point: AssistancePoint, now: dt.datetime) -> AppointmentAttended:
    return AppointmentAttended(producer=PRODUCER, payload=AppointmentAttendedPayload(**ref(a, point), attended_at=now))


def no_show(a: Appointment, point: AssistancePoint) -> AppointmentNoShow:
    return AppointmentNoShow(producer=PRODUCER, payload=AppointmentNoShowPayload(
        **ref(a, point), service=a.service, starts_at=a.starts_at, language=a.language, contact=a.contact))
