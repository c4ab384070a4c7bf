"""Running a unit of work again when PostgreSQL aborted its transaction for a conflict.

PostgreSQL may abort one of two transactions that wait on each other: two bookings of the same
helper and time check the exclusion constraint against each other's uncommitted row (40P01),
or a serialization failure (40001). The work is one transaction, rolled back by then, so
running it again is safe; the second run sees the winner and answers 409.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from services.booking.http.problem import ProblemError

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


async def retried(work: Callable[[], Awaitable[T]], what: str) -> T:
    """`work()` (which opens its own transaction), again on a conflict; 503 after ATTEMPTS."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await work()
        except RETRYABLE as exc:
            if attempt == ATTEMPTS:
                raise ProblemError(503, "Busy", "the request collided with others several times; "
                                                "please try again in a moment") from exc
            log.info("%s: %s, running it again (attempt %d)", what, type(exc).__name__, attempt + 1)
            await asyncio.sleep(random.uniform(0, 0.02 * attempt))  # let the other transaction finish
    raise AssertionError("unreachable")
