"""Whether a claimed message may be sent in this round: opt-out, then for SMS the quiet hours
and the citizen's hourly and daily limits (the daily one stops an SMS-pumping script that books
and cancels over and over with one number). Checked for a whole batch at once, from two look-ups
the claim made for it (who opted out, who was sent what in the last day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.notify.metrics import NotifyMetrics
from services.notify.repository import Notification
from services.notify.rules import parse_quiet_hours, quiet_until
from services.notify.throttle import DAY, HOUR, Sent, WindowThrottle


@dataclass(frozen=True)
class OptedOut:
    """The citizen asked for no more messages: final."""


@dataclass(frozen=True)
class Deferred:
    """Not now (quiet hours, hourly limit): the message waits until `until`."""

    until: dt.datetime


@dataclass(frozen=True)
class TooLate:
    """A message that is useful now or never (a confirmation code) cannot go now: final."""

    reason: str


Hold = OptedOut | Deferred | TooLate

# Kinds the citizen is waiting for right now: quiet hours do not hold them (the citizen asked a
# moment ago), and whatever would defer them drops them instead, for a code that arrives an hour
# late is useless and still costs an SMS.
NOW_OR_NEVER = ("phone_code",)


class SendingRules:
    def __init__(self, quiet_hours: str, citizen_max_per_hour: int, metrics: NotifyMetrics,
                 citizen_max_per_day: int = 10, prefix_max_per_day: int = 300) -> None:
        self.quiet = parse_quiet_hours(quiet_hours)
        self.throttles = (WindowThrottle(citizen_max_per_hour, HOUR), WindowThrottle(citizen_max_per_day, DAY))
        # SMS pumping spreads over many numbers of one premium range: a day's cap per prefix
        # (`sms_prefix`) bounds what a script can cost however many numbers it invents.
        self.prefixes = WindowThrottle(prefix_max_per_day, DAY)
        self.metrics = metrics

    def hold(self, n: Notification, opted_out: bool, sent_last_day: list[Sent],
             now: dt.datetime, prefix_sent_last_day: list[Sent] | None = None) -> Hold | None:
        """Why this message must not be sent now, if so. An SMS let through counts towards the
        citizen's limits at once, so the rest of its batch sees it."""
        if opted_out:
            return OptedOut()
        if n.channel != "sms":
            return None
        if n.kind in NOW_OR_NEVER:
            return self._now_or_never(n, sent_last_day, now, prefix_sent_last_day)
        if (until := quiet_until(now, self.quiet)) is not None:
            self.metrics.deferred.labels("quiet_hours").inc()
            return Deferred(until)
        if (held := self._limits(n, sent_last_day, now, prefix_sent_last_day)) is not None:
            return Deferred(held[1])
        return None

    def _now_or_never(self, n: Notification, sent_last_day: list[Sent], now: dt.datetime,
                      prefix_sent_last_day: list[Sent] | None) -> Hold | None:
        valid_until = n.context.get("valid_until")
        if isinstance(valid_until, str) and dt.datetime.fromisoformat(valid_until) <= now:
            return TooLate("it expired before it could be sent")
        if (held := self._limits(n, sent_last_day, now, prefix_sent_last_day)) is not None:
            return TooLate(f"the SMS limit for this number was reached ({held[0]}); a code sent later is useless")
        return None

    def _limits(self, n: Notification, sent_last_day: list[Sent], now: dt.datetime,
                prefix_sent_last_day: list[Sent] | None) -> tuple[str, dt.datetime] | None:
        """Which limit holds this SMS back and until when, if any. An SMS let through counts
        from now on; one held back by a later limit is taken off the earlier ones again."""
        hourly, daily = self.throttles
        if (until := hourly.admit(n.contact_key, sent_last_day, now, n.notification_id)) is not None:
            self.metrics.deferred.labels("throttle").inc()
            return "per hour", until
        if (until := daily.admit(n.contact_key, sent_last_day, now, n.notification_id)) is not None:
            hourly.forget(n.contact_key, now, n.notification_id)
            self.metrics.deferred.labels("daily_limit").inc()
            return "per day", until
        prefix = sms_prefix(n.contact.phone)
        if prefix and (until := self.prefixes.admit(prefix, prefix_sent_last_day or [], now, n.notification_id)) is not None:
            hourly.forget(n.contact_key, now, n.notification_id)
            daily.forget(n.contact_key, now, n.notification_id)
            self.metrics.deferred.labels("prefix_limit").inc()
            return "per number range", until
        return None

    def unsent(self, n: Notification, decided_at: dt.datetime) -> None:
        """An SMS let through that was not accepted: it no longer counts towards the limit."""
        for throttle in self.throttles:
            throttle.forget(n.contact_key, decided_at, n.notification_id)
        if prefix := sms_prefix(n.contact.phone):
            self.prefixes.forget(prefix, decided_at, n.notification_id)


# "+3247012…": country code and the first digits, 10⁵ Belgian mobile numbers per prefix.
PREFIX_LENGTH = 8


def sms_prefix(phone: str | None) -> str | None:
    return phone[:PREFIX_LENGTH] if phone and len(phone) > PREFIX_LENGTH else None
