"""How a service process runs its event loop: the settings `loket serve` gives it, in one place,
so that a benchmark's processes run the services' code the way the services run it.

- The heap built at start-up lives as long as the process: it is kept out of the collector's
  scans (`gc.freeze`), and the young generation is collected less often, which means fewer
  pauses under load. Every event, row and record a busy process handles is short-lived garbage;
  with Python's default threshold (700 allocations) the collector ran every few hundred events.
- The event loop is uvloop where it is installed (it is a dependency on Linux), as uvicorn's
  `loop="auto"` picks it for `loket serve`; asyncio's own loop elsewhere.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

YOUNG_GENERATION_THRESHOLD = 20_000


def settle_heap() -> None:
    """Call once start-up is done, before the process starts handling work."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 20, 20)


def run_like_a_service(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on the event loop `loket serve` uses, with the heap settled first."""
    settle_heap()
    try:
        import uvloop
    except ImportError:  # not on Windows; asyncio's loop then, as uvicorn would
        return asyncio.run(main)
    return uvloop.run(main)
