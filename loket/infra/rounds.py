"""Background work done in rounds, forever: the shape every polling loop of a service shares.

A round returns True when it found a full batch (more work is likely waiting, so the next
round starts at once) and False when it ran dry (the loop pauses). A failed round is logged
and retried: a background loop must outlive a database outage or a bug in one batch, and
cancellation still stops it.

Failures in a row back off: the pause doubles from the loop's own pause up to
`MAX_FAILURE_PAUSE_S` (never below the loop's pause). During an outage a loop that polls every
0.2 s would otherwise log a traceback five times a second. The first failure of a run is logged
with its traceback, the ones after it as one line with the count, and the recovery once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Long enough that an outage costs a log line every few seconds per loop, short enough that the
# loop is back at work within seconds of the database's return.
MAX_FAILURE_PAUSE_S = 10.0


def failure_pause(pause_s: float, failures_in_a_row: int) -> float:
    """The wait after the n-th failed round in a row (n ≥ 1)."""
    backed_off = pause_s * 2 ** min(failures_in_a_row - 1, 32)
    return max(pause_s, min(backed_off, MAX_FAILURE_PAUSE_S))


async def run_rounds(round_: Callable[[], Awaitable[bool]], pause_s: float, what: str) -> None:
    failures = 0
    while True:
        try:
            busy = await round_()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            wait = failure_pause(pause_s, failures)
            if failures == 1:
                log.exception("%s round failed; retrying in %.1f s", what, wait)
            else:
                log.warning("%s round failed again (%d in a row): %s; retrying in %.1f s",
                            what, failures, exc, wait)
            await asyncio.sleep(wait)
            continue
        if failures:
            log.info("%s round works again after %d failed in a row", what, failures)
            failures = 0
        if not busy:
            await asyncio.sleep(pause_s)
