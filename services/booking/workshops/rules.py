"""Pure rules for workshops: a session's times, when registration closes, when attendance may be
recorded, which place a registration takes. Local dates are Brussels dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.booking.calendar.local_time import BRUSSELS

LONGEST = dt.timedelta(hours=8)  # a session, not a course: a longer one is several workshops


def session_problem(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a workshop cannot be planned for these times, or None."""
    if ends_at <= starts_at:
        return "ends_at must come after starts_at"
    if ends_at - starts_at > LONGEST:
        return f"a workshop lasts {LONGEST.seconds // 3600} hours at most; plan a longer one as several"
    if starts_at <= now:
        return "a workshop is planned ahead: starts_at is past"
    if starts_at.astimezone(BRUSSELS).date() != ends_at.astimezone(BRUSSELS).date():
        return "a workshop starts and ends on the same day"
    return None


def registration_open(starts_at: dt.datetime, now: dt.datetime) -> bool:
    """Citizens register (and cancel) until the workshop begins."""
    return now < starts_at


def attendance_problem(starts_at: dt.datetime, now: dt.datetime) -> str | None:
    """Attendance is recorded on the workshop's day or later, never ahead of it."""
    if now.astimezone(BRUSSELS).date() < starts_at.astimezone(BRUSSELS).date():
        return "attendance is recorded on the day of the workshop or later"
    return None


def free_place(taken: Iterable[int], capacity: int) -> int | None:
    """The lowest place number not taken, or None: the workshop is full."""
    held = set(taken)
    return next((n for n in range(1, capacity + 1) if n not in held), None)
