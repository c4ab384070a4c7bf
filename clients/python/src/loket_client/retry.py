"""When a call is tried again, and after how long. Pure: the clock and randomness come in.

A call is retried on 429, on 5xx and on connection errors, never on another 4xx (the same
request would get the same refusal). The wait doubles from `base_delay_s` up to
`max_delay_s`, with "full jitter" so that many clients refused together do not come back in
the same instant; a `Retry-After` from the server wins over the computed wait (up to
`max_retry_after_s`, so a server cannot park the caller for hours).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

# Statuses that say the request was not processed: safe to send again even without an
# Idempotency-Key (429 rate limited, 503 not ready).
NOT_PROCESSED = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # tries in all, the first included
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0

    def retries_status(self, status: int, *, idempotent: bool) -> bool:
        if idempotent:
            return status == 429 or 500 <= status < 600
        return status in NOT_PROCESSED

    def delay_s(self, attempt: int, retry_after: str | None = None,
                rng: Callable[[], float] = random.random, now: dt.datetime | None = None) -> float:
        """The wait after the `attempt`-th failed try (1 = the first)."""
        told = parse_retry_after(retry_after, now) if retry_after else None
        if told is not None:
            return min(told, self.max_retry_after_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** max(0, attempt - 1))
        return ceiling * rng()


NO_RETRIES = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
