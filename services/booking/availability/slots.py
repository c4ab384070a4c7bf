"""Free appointment slots for one service in one language at one point.

slots = opening hours ∩ helper shifts (helpers who offer the service in the language)
        − existing bookings (with their buffers) − minimum notice − beyond the booking window.

Walking happens in UTC between the UTC instants of the local span ends, so on the DST change
days a 09:00–12:00 span is still three hours of slots starting at 09:00 local time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.booking.availability.opening import intersect, opening_spans
from services.booking.calendar.local_time import local_date, local_instant
from services.booking.catalogue import CatalogueService
from services.booking.points.model import AssistancePoint
from services.booking.staff.model import Helper, Shift


@dataclass(frozen=True)
class BookingRules:
    min_notice: dt.timedelta = dt.timedelta(hours=2)
    window: dt.timedelta = dt.timedelta(days=60)
    step: dt.timedelta = dt.timedelta(minutes=15)
    # Citizens may change or cancel until this long before the appointment.
    change_notice: dt.timedelta = dt.timedelta(hours=2)


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: dt.datetime
    helper_id: str
    ends_at: dt.datetime


@dataclass(frozen=True)
class Busy:
    helper_id: str
    start: dt.datetime
    end: dt.datetime


def blocked_range(service: CatalogueService, starts_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """What a booking takes out of a helper's time: the appointment and its buffers. The
    database's exclusion constraint forbids two overlapping ranges for one helper."""
    return (starts_at - dt.timedelta(minutes=service.buffer_before),
            starts_at + dt.timedelta(minutes=service.minutes + service.buffer_after))


def free_slots(point: AssistancePoint, service: CatalogueService, language: str, helpers: Iterable[Helper],
               shifts: Iterable[Shift], busy: Iterable[Busy], days: Iterable[dt.date], now: dt.datetime,
               rules: BookingRules) -> list[Slot]:
    if service.slug not in point.services or not service.bookable or language not in point.languages:
        return []
    able = {h.helper_id for h in helpers if h.can_help(service.slug, language)}
    shifts_by_helper: dict[str, list[Shift]] = defaultdict(list)
    for shift in shifts:
        if shift.point_id == point.point_id and shift.helper_id in able:
            shifts_by_helper[shift.helper_id].append(shift)
    busy_by_helper: dict[str, list[Busy]] = defaultdict(list)
    for b in busy:
        busy_by_helper[b.helper_id].append(b)
    duration = dt.timedelta(minutes=service.minutes)
    earliest, latest = now + rules.min_notice, now + rules.window
    slots = []
    for day in days:
        open_spans = opening_spans(point, day)
        if not open_spans:
            continue
        for helper_id, own in shifts_by_helper.items():
            worked = [(s.starts, s.ends) for s in own if s.works_on(day)]
            for lo, hi in intersect(open_spans, worked):
                t, end = local_instant(day, lo), local_instant(day, hi)
                while t + duration <= end:
                    if earliest <= t <= latest and _free(busy_by_helper[helper_id], *blocked_range(service, t)):
                        slots.append(Slot(t, helper_id, t + duration))
                    t += rules.step
    return sorted(set(slots))


def _free(busy: list[Busy], start: dt.datetime, end: dt.datetime) -> bool:
    return all(b.end <= start or b.start >= end for b in busy)


def helpers_offering(point: AssistancePoint, service: CatalogueService, language: str, helpers: Iterable[Helper],
                     shifts: Iterable[Shift], starts_at: dt.datetime, now: dt.datetime,
                     rules: BookingRules) -> list[str]:
    """Helpers for whom `starts_at` is one of the slots `free_slots` would list, bookings aside
    (the exclusion constraint decides those). The booking path asks about one start time, so it
    checks that time instead of generating the whole day."""
    if (service.slug not in point.services or not service.bookable or language not in point.languages
            or not now + rules.min_notice <= starts_at <= now + rules.window):
        return []
    day = local_date(starts_at)
    open_spans = opening_spans(point, day)
    able = {h.helper_id for h in helpers if h.can_help(service.slug, language)}
    duration, found = dt.timedelta(minutes=service.minutes), []
    for shift in shifts:
        if shift.point_id != point.point_id or shift.helper_id not in able or not shift.works_on(day):
            continue
        for lo, hi in intersect(open_spans, [(shift.starts, shift.ends)]):
            first, end = local_instant(day, lo), local_instant(day, hi)
            on_grid = (starts_at - first) % rules.step == dt.timedelta(0)
            if first <= starts_at and starts_at + duration <= end and on_grid and shift.helper_id not in found:
                found.append(shift.helper_id)
    return sorted(found)
