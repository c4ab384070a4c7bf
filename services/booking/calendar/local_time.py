"""Local (Europe/Brussels) wall-clock times ↔ UTC instants.

Everything is stored in UTC; opening hours and shifts are wall-clock times, so on the two
DST change days a day is 23 or 25 hours long and 09:00 is a different UTC instant than the
day before.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def local_instant(day: dt.date, clock: dt.time) -> dt.datetime:
    """The UTC instant of a wall-clock time on a day. A time inside the spring-forward gap
    (02:00–03:00 on the last Sunday of March) does not exist; it maps to the instant the
    clocks jumped, so spans starting there simply start at 03:00."""
    naive = dt.datetime.combine(day, clock)
    aware = naive.replace(tzinfo=BRUSSELS)
    back = aware.astimezone(dt.UTC).astimezone(BRUSSELS).replace(tzinfo=None)
    if back != naive:  # in the gap: the clocks read 03:00 right after 01:59:59
        aware = dt.datetime.combine(day, dt.time(3, 0), tzinfo=BRUSSELS)
    return aware.astimezone(dt.UTC)


def parse_clock(text: str) -> dt.time:
    """`09:30` → time; `24:00` means the end of the day."""
    if text == "24:00":
        return dt.time(23, 59, 59)
    return dt.time.fromisoformat(text)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(BRUSSELS).date()


def local_text(instant: dt.datetime) -> str:
    """`2026-03-29 09:00` in Brussels time, for people."""
    return instant.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M")
