"""Whether a point is open at an instant, when it closes and when it next opens, in Brussels
wall-clock time (the opening-hours code decides exceptions and public holidays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.booking.availability.opening import opening_spans
from services.booking.calendar.local_time import BRUSSELS
from services.booking.points.model import AssistancePoint

# Far enough for a point open one morning a fortnight; beyond it the week's hours say enough.
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class OpeningState:
    open_now: bool
    closes_at: dt.time | None  # while open
    next_opening: dt.datetime | None  # local (Brussels) start of the next span, while closed
    today: list[tuple[dt.time, dt.time]]


def opening_state(point: AssistancePoint, instant: dt.datetime) -> OpeningState:
    local = instant.astimezone(BRUSSELS)
    now = local.time().replace(tzinfo=None)
    today = opening_spans(point, local.date())
    for start, end in today:
        if start <= now < end:
            return OpeningState(True, end, None, today)
    return OpeningState(False, None, _next_opening(point, local), today)


def _next_opening(point: AssistancePoint, local: dt.datetime) -> dt.datetime | None:
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        for start, _ in opening_spans(point, day):
            if offset > 0 or start > local.time().replace(tzinfo=None):
                return dt.datetime.combine(day, start)
    return None
