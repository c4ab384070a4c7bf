"""The correlation id of the work at hand, for every log line written while doing it.

The consumer sets it around each event it hands to a handler (the event's `correlation_id`,
shared by everything one back-office letter or one booking causes), so a log line can be joined
to the events on the bus without logging any payload.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from uuid import UUID

_correlation_id: ContextVar[str | None] = ContextVar("loket_correlation_id", default=None)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


@contextlib.contextmanager
def correlation(correlation_id: UUID | str | None) -> Iterator[None]:
    token = _correlation_id.set(str(correlation_id) if correlation_id is not None else None)
    try:
        yield
    finally:
        _correlation_id.reset(token)
