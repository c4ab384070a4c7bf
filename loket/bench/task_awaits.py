"""What an asyncio task is waiting on, as the chain of coroutines it is suspended in.

`Task.get_stack()` gives a suspended coroutine's outermost frame only (the relay's `run`), which
cannot tell a relay waiting for PostgreSQL from one waiting for the brokers' acknowledgement.
Following each coroutine's `cr_await` down to the awaitable at the bottom can:
`relay.py:107 run → relay.py:125 _lead → relay.py:169 relay_once → relay.py:175
_publish_in_key_order → bus.py:107 _publish_rows_kafka → kafka_wiring.py:185 publish_in_order →
a future` (the brokers' acknowledgements) or `… connection.py:2069 _do_execute → a future` (a
statement).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

_MAX_DEPTH = 40  # a chain deeper than this is cut short (it would be a very odd one)


def awaited_chain(task: asyncio.Task[Any]) -> str:
    """The task's coroutines from the outermost in, each as `file:line function`, then what the
    innermost awaits (a future, a sleep); `done` for a finished task."""
    if task.done():
        return "done"
    links: list[str] = []
    awaitable: Any = task.get_coro()
    for _ in range(_MAX_DEPTH):
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is None:  # not a coroutine (or one that finished): the thing waited on
            if awaitable is not None:
                # `await future` suspends in the future's C iterator, which does not expose it.
                kind = type(awaitable).__name__
                links.append("a future" if kind == "FutureIter" else kind)
            break
        links.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}")
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
    return " → ".join(links)
