"""What a round's decision, a send attempt or a delivery receipt does to a notification: its
new state, written through the repository, and the events that say so, returned for the
caller to append in the same transaction. A row that has left the lease it was read with is
left alone and says nothing (the round that claimed it since records it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import asyncpg

from loket.contracts import Event
from loket.contracts.notifications import FailureStatus
from services.notify import events
from services.notify.metrics import NotifyMetrics
from services.notify.providers.outcome import Accepted, Outcome, Permanent
from services.notify.repository import Notification, NotifyRepository
from services.notify.rules import backoff
from services.notify.sending_rules import Deferred, Hold, OptedOut, TooLate
from services.notify.settings import NotifySettings


@dataclass(frozen=True)
class BadAddress:
    """The contact data cannot be sent to on this channel (checked before any call-out)."""

    reason: str


Decision = Hold | BadAddress | Outcome


class Outcomes:
    def __init__(self, repository: NotifyRepository, settings: NotifySettings, metrics: NotifyMetrics) -> None:
        self.repository, self.settings, self.metrics = repository, settings, metrics

    async def record(self, conn: asyncpg.Connection, n: Notification, decision: Decision,
                     now: dt.datetime) -> list[Event]:
        if isinstance(decision, OptedOut):
            return await self._final(conn, n, "permanent-failure", "the citizen opted out of messages", now)
        if isinstance(decision, TooLate):
            return await self._final(conn, n, "permanent-failure", decision.reason, now)
        if isinstance(decision, Deferred):
            await self.repository.set_outcome(conn, n, status="created", due_at=decision.until, refund_attempt=True)
            return []
        if isinstance(decision, BadAddress):
            return await self._permanent_failure(conn, n, decision.reason, now)
        return await self._attempt(conn, n, decision, now)

    async def receipt(self, conn: asyncpg.Connection, n: Notification, status: str, reason: str,
                      now: dt.datetime) -> list[Event]:
        """A delivery receipt for an SMS the provider accepted."""
        if status == "delivered":
            if not await self.repository.set_outcome(conn, n, status="delivered", finished=now):
                return []
            self.metrics.outcomes.labels(n.channel, n.kind, "delivered").inc()
            return [events.delivered(n, now)]
        if status == "temporary-failure":
            return await self._final(conn, n, "temporary-failure", reason, now)
        return await self._permanent_failure(conn, n, reason, now)

    async def _attempt(self, conn: asyncpg.Connection, n: Notification, outcome: Outcome,
                       now: dt.datetime) -> list[Event]:
        if isinstance(outcome, Accepted):
            return await self._accepted(conn, n, outcome, now)
        if isinstance(outcome, Permanent):
            self.metrics.provider_errors.labels(n.channel, "permanent").inc()
            return await self._permanent_failure(conn, n, outcome.reason, now)
        self.metrics.provider_errors.labels(n.channel, "retryable").inc()
        if n.attempts >= self.settings.max_attempts:
            return await self._final(conn, n, "technical-failure",
                                     f"gave up after {n.attempts} attempts: {outcome.reason}", now)
        delay = backoff(n.attempts, self.settings.notify_retry_base_s, self.settings.notify_retry_max_s,
                        outcome.retry_after_s)
        await self.repository.set_outcome(conn, n, status="created", due_at=now + delay, reason=outcome.reason)
        return []

    async def _accepted(self, conn: asyncpg.Connection, n: Notification, outcome: Accepted,
                        now: dt.datetime) -> list[Event]:
        ref = outcome.provider_ref if not outcome.delivered else None
        if ref:
            await self.repository.lock_provider_ref(conn, ref)  # before the row lock, as the receipt does
        status = "delivered" if outcome.delivered else "sending"
        if not await self.repository.set_outcome(conn, n, status=status, provider_ref=outcome.provider_ref,
                                                 sent_at=now, finished=now if outcome.delivered else None):
            return []
        self.metrics.latency.labels(n.channel).observe(max(0.0, (now - n.event_at).total_seconds()))
        self.metrics.outcomes.labels(n.channel, n.kind, status).inc()
        recorded = [events.sent(n, now), *([events.delivered(n, now)] if outcome.delivered else [])]
        early = await self.repository.take_early_receipt(conn, ref) if ref else None
        if early is not None:  # the receipt overtook this send; apply it now
            sent = dataclasses.replace(n, status="sending", provider_ref=ref, lease_until=None)
            recorded += await self.receipt(conn, sent, *early, now)
        return recorded

    async def _permanent_failure(self, conn: asyncpg.Connection, n: Notification, reason: str,
                                 now: dt.datetime) -> list[Event]:
        """This channel can never work for this message: say so, then try the next channel."""
        if n.channel_index + 1 < len(n.channels):
            recorded = await self.repository.set_outcome(conn, n, status="created", channel_index=n.channel_index + 1,
                                                         due_at=now, reason=reason, refund_attempt=True)
        else:
            recorded = await self.repository.set_outcome(conn, n, status="permanent-failure", reason=reason,
                                                         finished=now)
        if not recorded:
            return []
        self.metrics.outcomes.labels(n.channel, n.kind, "permanent-failure").inc()
        return [events.failed(n, "permanent-failure", reason, now)]

    async def _final(self, conn: asyncpg.Connection, n: Notification, status: FailureStatus, reason: str,
                     now: dt.datetime) -> list[Event]:
        if not await self.repository.set_outcome(conn, n, status=status, reason=reason, finished=now):
            return []
        self.metrics.outcomes.labels(n.channel, n.kind, status).inc()
        return [events.failed(n, status, reason, now)]
