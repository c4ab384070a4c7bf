"""Whether a claimed message may be sent in this round: opt-out, then for SMS the quiet hours
and the citizen's hourly limit. Checked for a whole batch at once, from two look-ups the
claim made for it (who opted out, who was sent what in the last hour)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.notify.metrics import NotifyMetrics
from services.notify.repository import Notification
from services.notify.rules import parse_quiet_hours, quiet_until
from services.notify.throttle import HourlyThrottle


@dataclass(frozen=True)
class OptedOut:
    """The citizen asked for no more messages: final."""


@dataclass(frozen=True)
class Deferred:
    """Not now (quiet hours, hourly limit): the message waits until `until`."""

    until: dt.datetime


Hold = OptedOut | Deferred


class SendingRules:
    def __init__(self, quiet_hours: str, citizen_max_per_hour: int, metrics: NotifyMetrics) -> None:
        self.quiet = parse_quiet_hours(quiet_hours)
        self.throttle = HourlyThrottle(citizen_max_per_hour)
        self.metrics = metrics

    def hold(self, n: Notification, opted_out: bool, sent_last_hour: list[dt.datetime],
             now: dt.datetime) -> Hold | None:
        """Why this message must not be sent now, if so. An SMS let through counts towards the
        citizen's limit at once, so the rest of its batch sees it."""
        if opted_out:
            return OptedOut()
        if n.channel != "sms":
            return None
        if (until := quiet_until(now, self.quiet)) is not None:
            self.metrics.deferred.labels("quiet_hours").inc()
            return Deferred(until)
        if (until := self.throttle.admit(n.contact_key, sent_last_hour, now)) is not None:
            self.metrics.deferred.labels("throttle").inc()
            return Deferred(until)
        return None

    def unsent(self, n: Notification, decided_at: dt.datetime) -> None:
        """An SMS let through that was not accepted: it no longer counts towards the limit."""
        self.throttle.forget(n.contact_key, decided_at)
