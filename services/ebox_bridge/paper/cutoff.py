"""The daily print cut-off in local time (default 17:30 Europe/Brussels), as UTC instants.

Local wall-clock times are turned into instants with zoneinfo, so the cut-off stays at 17:30
local on both DST change days (15:30 UTC in summer, 16:30 UTC in winter). A cut-off inside the
spring-forward gap (e.g. 02:30 on the last Sunday of March) moves forward with the clocks
(03:30 local, the PEP 495 "fold=0" reading); in the autumn fold the first occurrence counts.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def cutoff_on(day: dt.date, cutoff: dt.time, tz: str) -> dt.datetime:
    """The cut-off instant (UTC) of one local calendar day."""
    # fold=0: a time in the spring gap is read with the offset before the change (so it lands
    # an hour later on the new clock); a time in the autumn fold is its first occurrence.
    local = dt.datetime.combine(day, cutoff.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC)


def latest_cutoff(now_utc: dt.datetime, cutoff: dt.time, tz: str) -> dt.datetime:
    """The most recent cut-off at or before `now_utc` (aware, UTC)."""
    _require_aware(now_utc)
    today = now_utc.astimezone(ZoneInfo(tz)).date()
    for back in range(0, 3):
        instant = cutoff_on(today - dt.timedelta(days=back), cutoff, tz)
        if instant <= now_utc:
            return instant
    raise AssertionError("unreachable: a cut-off happens every day")


def next_cutoff(now_utc: dt.datetime, cutoff: dt.time, tz: str) -> dt.datetime:
    """The first cut-off strictly after `now_utc` (aware, UTC)."""
    _require_aware(now_utc)
    today = now_utc.astimezone(ZoneInfo(tz)).date()
    for ahead in range(0, 3):
        instant = cutoff_on(today + dt.timedelta(days=ahead), cutoff, tz)
        if instant > now_utc:
            return instant
    raise AssertionError("unreachable: a cut-off happens every day")


def _require_aware(now: dt.datetime) -> None:
    # A naive "now" would be read as the machine's local time: wrong by an hour or two.
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now_utc must be an aware datetime (UTC)")


def batch_id_for(cutoff_utc: dt.datetime, tz: str) -> str:
    """e.g. PB-20260329-1730: the local date and time of the cut-off, readable by the print house."""
    local = cutoff_utc.astimezone(ZoneInfo(tz))
    exact_minute = local.second == 0 and local.microsecond == 0
    return f"PB-{local:%Y%m%d-%H%M}" if exact_minute else f"PB-{local:%Y%m%d-%H%M%S}"
