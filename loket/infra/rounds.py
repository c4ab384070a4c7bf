"""Background work done in rounds, forever: the shape every polling loop of a service shares.

A round returns True when it found a full batch (more work is likely waiting, so the next
round starts at once) and False when it ran dry (the loop pauses). A failed round is logged
and retried: a background loop must outlive a database outage or a bug in one batch, and
cancellation still stops it.

Failures in a row back off a little: the pause doubles from the loop's own pause up to
`MAX_FAILURE_PAUSE_S` (never below the loop's pause), which spares a database that is
struggling without delaying the recovery by more than that once it is back (the chaos suite's
SMS faults start right after a PostgreSQL restart, and a 10 s cap missed them). The log stays
short: the first failure of a run with its traceback, then one line every `REPORT_EVERY_S` with
the count, and the recovery once. During an outage a loop that polls every 0.2 s would
otherwise log a traceback five times a second.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from loket.infra.errors import described

log = logging.getLogger(__name__)

MAX_FAILURE_PAUSE_S = 2.0
REPORT_EVERY_S = 30.0


def failure_pause(pause_s: float, failures_in_a_row: int) -> float:
    """The wait after the n-th failed round in a row (n ≥ 1)."""
    backed_off = pause_s * 2 ** min(failures_in_a_row - 1, 32)
    return max(pause_s, min(backed_off, MAX_FAILURE_PAUSE_S))


async def run_rounds(round_: Callable[[], Awaitable[bool]], pause_s: float, what: str,
                     retry_s: float | None = None) -> None:
    """`retry_s`: the pause after a failed round, where it should be shorter than `pause_s` (a
    daily job retries within the hour); the backoff starts from it."""
    failures, reported_at = 0, 0.0
    while True:
        try:
            busy = await round_()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            wait = failure_pause(pause_s if retry_s is None else retry_s, failures)
            now = time.monotonic()
            if failures == 1:
                log.exception("%s round failed; retrying in %.1f s", what, wait)
                reported_at = now
            elif now - reported_at >= REPORT_EVERY_S:
                log.warning("%s round still failing (%d in a row): %s; retrying every %.1f s",
                            what, failures, described(exc), wait)
                reported_at = now
            await asyncio.sleep(wait)
            continue
        if failures:
            log.info("%s round works again after %d failed in a row", what, failures)
            failures = 0
        if not busy:
            await asyncio.sleep(pause_s)
