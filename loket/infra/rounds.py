"""Background work done in rounds, forever: the shape every polling loop of a service shares.

A round returns True when it found a full batch (more work is likely waiting, so the next
round starts at once) and False when it ran dry (the loop pauses). A failed round is logged
and retried after the pause: a background loop must outlive a database blip or a bug in one
batch, and cancellation still stops it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_rounds(round_: Callable[[], Awaitable[bool]], pause_s: float, what: str) -> None:
    while True:
        try:
            busy = await round_()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s round failed; retrying in %.1f s", what, pause_s)
            busy = False
        if not busy:
            await asyncio.sleep(pause_s)
