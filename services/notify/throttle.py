"""Per-citizen limits on SMS over a sliding window (an hour, a day), counting what this process
decided to send.

The dispatch rounds run concurrently and the database only knows a send once its batch
commits, so the decisions taken here count as well as the stored sends. Across replicas the
stored sends include what other rounds claimed and are still sending (`sent_since`, read under
a lock per citizen, and per number prefix for the range's daily cap), so replicas together keep
the limits too.

Every send counts once, by its message: one the database has (sent, or claimed by a round still
sending) and this process also decided is the same send. Telling them apart by time does not
work: a stored send carries when it was recorded, after the send, while a decision carries when
its round claimed it, so a decision of a round still sending can be older than a send another
round recorded meanwhile (a third SMS in the hour went out that way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import NamedTuple

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MAX_CITIZENS_REMEMBERED = 100_000


class Sent(NamedTuple):
    """A send the database knows: when, and which message (its notification id)."""

    at: dt.datetime
    message: Hashable


class WindowThrottle:
    """At most `max_sends` to one citizen in any `window`."""

    def __init__(self, max_sends: int, window: dt.timedelta) -> None:
        self.max_sends, self.window = max_sends, window
        # Per citizen: when each send was decided, and for which message.
        self._decided: dict[str, list[tuple[dt.datetime, Hashable]]] = {}

    def admit(self, key: str, stored: list[Sent], now: dt.datetime,
              message: Hashable | None = None) -> dt.datetime | None:
        """None, and the send counts from now on, if the citizen is under the limit; otherwise
        when the oldest counted send leaves the window. `stored` may reach further back.

        A message already counted is a resend (its round outlived its lease, or a crash left its
        outcome unrecorded): the provider de-duplicates it by its idempotency key, so it is let
        through and counts once. Counting each resend would defer a citizen's message by a whole
        window after a few slow rounds."""
        start = now - self.window
        decided = [(t, m) for t, m in self._decided.get(key, []) if t > start]
        if message is not None and any(m == message for _, m in decided):
            return None
        # Each send once, by its message: stored (recorded, or in flight in another round), or
        # only decided here (its batch has not committed yet).
        when = {sent.message: sent.at for sent in stored}
        for t, m in decided:
            when.setdefault(m, t)
        sent = sorted(t for t in when.values() if t > start)
        if len(sent) >= self.max_sends:
            return sent[-self.max_sends] + self.window
        self._decided[key] = [*decided, (now, message)]
        if len(self._decided) > MAX_CITIZENS_REMEMBERED:  # forget citizens not seen for a window
            self._decided = {k: v for k, v in self._decided.items() if v and v[-1][0] > start}
        return None

    def forget(self, key: str, at: dt.datetime, message: Hashable | None = None) -> None:
        """A send that failed (or never left) reached nobody: it must not count towards the
        citizen's limit, or a provider outage would defer their next try by a whole window."""
        decided = self._decided.get(key, [])
        if (at, message) in decided:
            decided.remove((at, message))
