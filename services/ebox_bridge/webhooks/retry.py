"""When a failed delivery is tried again, and when it is given up. Pure.

Exponential backoff from `base` doubling up to `ceiling`, with jitter so that many deliveries
failing together (a receiver that was down) do not all come back in the same second; once the
next try would fall past the delivery's window (24 h by default) it is marked failed instead.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float
    ceiling_s: float
    window_s: float

    def delay(self, attempts: int, rng: random.Random | None = None) -> dt.timedelta:
        """The wait after the `attempts`-th failed try (1 = the first)."""
        raw = min(self.ceiling_s, self.base_s * 2 ** max(0, attempts - 1))
        jitter = (rng or random).uniform(0.8, 1.2)
        return dt.timedelta(seconds=raw * jitter)

    def next_try(self, attempts: int, now: dt.datetime, give_up_at: dt.datetime,
                 rng: random.Random | None = None) -> dt.datetime | None:
        """The instant of the next try, or None: give up (mark the delivery failed)."""
        at = now + self.delay(attempts, rng)
        return None if at > give_up_at else at

    def give_up_at(self, created: dt.datetime) -> dt.datetime:
        return created + dt.timedelta(seconds=self.window_s)
