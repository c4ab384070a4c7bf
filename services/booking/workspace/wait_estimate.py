"""How long a new walk-in will wait: pure arithmetic on recent visit durations and the helpers
on shift, so it can be tested on its own and shown the same on the kiosk and the display.

Two figures, because a single number is wrong either way: *optimistic* assumes the helpers are
free now and visits go as quickly as the quicker quarter; *realistic* assumes every helper has
just started a typical visit (half of one still to go) and visits take the median time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many recent visits the catalogue's planned duration fills in (a new point, a new service).
MIN_SAMPLES = 5


@dataclass(frozen=True)
class WaitEstimate:
    optimistic_minutes: int
    realistic_minutes: int


def estimate_wait(people_ahead: int, recent_minutes: Sequence[float], helpers_on_shift: int,
                  planned_minutes: float) -> WaitEstimate:
    """`recent_minutes`: durations of recent visits (the service's, or the point's); `planned_minutes`:
    the catalogue's duration, used in place of the missing samples while there are too few."""
    if people_ahead < 0 or helpers_on_shift < 0 or planned_minutes <= 0:
        raise ValueError("people ahead, helpers and the planned duration cannot be negative")
    samples = sorted(m for m in recent_minutes if m >= 0)
    samples += [planned_minutes] * max(0, MIN_SAMPLES - len(samples))
    samples.sort()
    helpers = max(1, helpers_on_shift)  # someone opens the door: nobody on the rota still means one
    quick, typical = _quantile(samples, 0.25), _quantile(samples, 0.5)
    optimistic = people_ahead * quick / helpers
    realistic = (people_ahead / helpers + 0.5) * typical
    return WaitEstimate(math.ceil(optimistic), max(math.ceil(optimistic), math.ceil(realistic)))


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (what numpy calls 'linear')."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def turn_is_near(estimate: WaitEstimate, lead_minutes: int) -> bool:
    """Tell the walk-in to come back when they may be called within the time it takes to come
    back: the optimistic figure, because arriving a little early beats missing the call."""
    return estimate.optimistic_minutes <= lead_minutes
