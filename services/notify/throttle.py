"""The per-citizen hourly limit on SMS, counting what this process decided to send.

The dispatch rounds run concurrently and the database only knows a send once its batch
commits, so the decisions taken here count as well as the stored sends. (Across replicas a
burst can still exceed the limit by the number of replicas; the provider's own limits remain.)
"""

from __future__ import annotations

import datetime as dt

HOUR = dt.timedelta(hours=1)
MAX_CITIZENS_REMEMBERED = 100_000


class HourlyThrottle:
    def __init__(self, max_per_hour: int) -> None:
        self.max_per_hour = max_per_hour
        self._decided: dict[str, list[dt.datetime]] = {}

    def admit(self, key: str, stored: list[dt.datetime], now: dt.datetime) -> dt.datetime | None:
        """None, and the send counts from now on, if the citizen is under the limit; otherwise
        when the oldest counted send leaves the hour."""
        hour_ago = now - HOUR
        decided = [t for t in self._decided.get(key, []) if t > hour_ago]
        sent = decided if len(decided) >= len(stored) else stored
        if len(sent) >= self.max_per_hour:
            return sorted(sent)[-self.max_per_hour] + HOUR
        self._decided[key] = [*decided, now]
        if len(self._decided) > MAX_CITIZENS_REMEMBERED:  # forget citizens not seen for an hour
            self._decided = {k: v for k, v in self._decided.items() if v and v[-1] > hour_ago}
        return None

    def forget(self, key: str, at: dt.datetime) -> None:
        """A send that failed (or never left) reached nobody: it must not count towards the
        citizen's hourly limit, or a provider outage would defer their next try by an hour."""
        decided = self._decided.get(key, [])
        if at in decided:
            decided.remove(at)
