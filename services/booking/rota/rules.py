"""Pure rules of the volunteer rota: when a volunteer may still sign up or cancel, how many
shifts a week they may take, and where tomorrow's rota leaves a point's opening hours uncovered.

Times are Brussels wall-clock times on a date (like every shift), so the notice is measured
between real instants (`local_instant`): on a DST change day 09:00 is another UTC instant than
the day before, and a 24-hour notice is still 24 real hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.booking.availability.opening import Span, opening_spans
from services.booking.calendar.local_time import local_instant
from services.booking.points.model import AssistancePoint
from services.booking.staff.model import Shift


@dataclass(frozen=True)
class RotaRules:
    signup_notice: dt.timedelta  # sign-ups close this long before the shift: the manager must approve
    cancel_notice: dt.timedelta  # a volunteer cancels themselves until this long before; later, they call
    max_per_week: int  # shifts requested or approved per volunteer per ISO week (Monday to Sunday)


def starts_at(on_date: dt.date, starts: dt.time) -> dt.datetime:
    return local_instant(on_date, starts)


@dataclass(frozen=True)
class RotaRefusal:
    title: str  # stable: the pages translate by it
    detail: str


STARTED = "Shift started"
SIGNUPS_CLOSED = "Sign-ups closed"
WEEK_FULL = "Weekly maximum reached"
TOO_LATE_TO_CANCEL = "Too late to cancel"


def signup_problem(rules: RotaRules, on_date: dt.date, starts: dt.time, now: dt.datetime,
                   taken_that_week: int) -> RotaRefusal | None:
    """Why a volunteer may not sign up for this shift now, or None. `taken_that_week`: their
    requested or approved shifts in the shift's ISO week."""
    begins = starts_at(on_date, starts)
    if (started := _started(begins, now)) is not None:
        return started
    if begins - now < rules.signup_notice:
        return RotaRefusal(SIGNUPS_CLOSED, f"sign-ups close {_hours(rules.signup_notice)} before a shift starts, "
                                           "so the point manager can approve them; call the point instead")
    if taken_that_week >= rules.max_per_week:
        return RotaRefusal(WEEK_FULL, f"you have {taken_that_week} shifts that week already; "
                                      f"the most is {rules.max_per_week}")
    return None


def cancel_problem(rules: RotaRules, on_date: dt.date, starts: dt.time, now: dt.datetime) -> RotaRefusal | None:
    """Why a volunteer may not cancel their own sign-up now, or None."""
    begins = starts_at(on_date, starts)
    if (started := _started(begins, now)) is not None:
        return started
    if begins - now < rules.cancel_notice:
        return RotaRefusal(TOO_LATE_TO_CANCEL, f"a shift can be cancelled here until {_hours(rules.cancel_notice)} "
                                               "before it starts; call the point manager, who can find someone else")
    return None


def _started(begins: dt.datetime, now: dt.datetime) -> RotaRefusal | None:
    return RotaRefusal(STARTED, "this shift has started already") if begins <= now else None


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The ISO week (Monday, Sunday) a day falls in."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def uncovered(point: AssistancePoint, day: dt.date, shifts: list[Shift]) -> list[Span]:
    """The parts of the point's opening hours on `day` that no shift covers: a gap in the rota."""
    covered = sorted((s.starts, s.ends) for s in shifts if s.point_id == point.point_id and s.works_on(day))
    gaps: list[Span] = []
    for open_from, open_until in opening_spans(point, day):
        cursor = open_from
        for start, end in covered:
            if end <= cursor or start >= open_until:
                continue
            if start > cursor:
                gaps.append((cursor, start))
            cursor = max(cursor, end)
            if cursor >= open_until:
                break
        if cursor < open_until:
            gaps.append((cursor, open_until))
    return gaps


def _hours(span: dt.timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hours"
