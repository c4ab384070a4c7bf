"""Pure sending rules: quiet hours, per-citizen throttle, retry backoff."""

from __future__ import annotations

import datetime as dt
import random

from services.notify.rendering import BRUSSELS


def parse_quiet_hours(text: str) -> tuple[dt.time, dt.time]:
    start, end = text.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def quiet_until(now: dt.datetime, quiet: tuple[dt.time, dt.time]) -> dt.datetime | None:
    """When SMS may go again if `now` is inside the quiet hours (local time), else None.
    The end is a wall-clock time, so on a DST day it is still 08:00 on the clock."""
    start, end = quiet
    local = now.astimezone(BRUSSELS)
    clock = local.time()
    inside = (clock >= start or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=BRUSSELS).astimezone(dt.UTC)


def backoff(attempt: int, base_s: float, max_s: float, retry_after_s: float | None = None) -> dt.timedelta:
    """Exponential with equal jitter; never sooner than the provider's Retry-After."""
    ceiling = min(max_s, base_s * 2 ** max(0, attempt - 1))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    return dt.timedelta(seconds=max(delay, retry_after_s or 0))
