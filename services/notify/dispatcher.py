"""Send what is due: claim with SKIP LOCKED and a lease, apply the rules (opt-out, valid
address, quiet hours, throttle, provider rate), send concurrently, and record each outcome
with its events in one transaction. A crash mid-send leaves rows leased; when the lease ends
they are sent again with the same idempotency key, which the SMS provider de-duplicates."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds
from services.notify import events
from services.notify import repository as repo
from services.notify.addresses import InvalidAddress, address_for
from services.notify.metrics import NotifyMetrics
from services.notify.providers.email import EmailSender
from services.notify.providers.outcome import Accepted, Outcome, Permanent, Retryable
from services.notify.providers.sms import SmsProvider
from services.notify.rendering import render
from services.notify.repository import Notification
from services.notify.rules import backoff, parse_quiet_hours, quiet_until
from services.notify.settings import NotifySettings
from services.notify.token_bucket import TokenBucket

log = logging.getLogger(__name__)
GAUGE_INTERVAL_S = 5.0  # Prometheus scrapes every 15 s; the queue depth needs no fresher figure


class Dispatcher:
    def __init__(self, db: Callable[[], asyncpg.Pool], schema: str, outbox: Outbox, sms: SmsProvider | None,
                 email: EmailSender | None, settings: NotifySettings, metrics: NotifyMetrics,
                 clock: Callable[[], dt.datetime]) -> None:
        # `db` resolves the pool on use: the service opens it after building the dispatcher.
        self.db, self.schema, self.outbox = db, schema, outbox
        self.sms, self.email, self.settings, self.metrics, self.clock = sms, email, settings, metrics, clock
        self.quiet = parse_quiet_hours(settings.quiet_hours)
        self.bucket = TokenBucket(settings.provider_rate_per_s, settings.provider_burst)
        self.limit = asyncio.Semaphore(settings.dispatch_concurrency)
        # SMS this process decided to send, per citizen: the dispatch rounds run concurrently and
        # the database only knows a send once its batch commits. (Across replicas a burst can
        # still exceed the limit by the number of replicas; the provider's own limits remain.)
        self._decided: dict[str, list[dt.datetime]] = {}
        self._gauge_due = 0.0

    async def run(self) -> None:
        # Several rounds in flight: while one batch waits for the provider or commits, the next
        # is already sending (SKIP LOCKED keeps their batches apart).
        await asyncio.gather(*(run_rounds(self.round, self.settings.notify_dispatch_idle_s, "notification dispatch")
                               for _ in range(self.settings.dispatch_workers)))

    async def round(self) -> bool:
        """One batch: checks for the whole batch in two queries, sends concurrently, and the SMS
        outcomes with their events in one transaction (one commit instead of one per message).
        E-mail outcomes commit one by one as they come: SMTP cannot recognise a resend, so the
        window in which a crash makes one must stay one message wide."""
        now = self.clock()
        async with self.db().acquire() as conn:
            claimed = await repo.claim_due(conn, self.schema, now, dt.timedelta(seconds=self.settings.lease_s),
                                           self.settings.dispatch_batch)
            if time.monotonic() >= self._gauge_due:  # a count of the whole queue: not on every round
                self._gauge_due = time.monotonic() + GAUGE_INTERVAL_S
                self.metrics.scheduled.set(await repo.waiting_count(conn, self.schema))
            if not claimed:
                return False
            keys = list({n.contact_key for n in claimed})
            opted = await repo.opted_out_keys(conn, self.schema, keys)
            recent = await repo.sent_since(conn, self.schema, keys, now - dt.timedelta(hours=1))
        ready, settled = [], []
        for n in claimed:
            verdict = self._check(n, opted, recent, now)
            (settled if verdict is not None else ready).append((n, verdict))
        # A message still waiting for a send slot when 80 % of its lease is gone is left for a
        # later round: once the lease ends another round may claim it, and two sends must not race.
        deadline = time.monotonic() + 0.8 * self.settings.lease_s
        sends = await asyncio.gather(*(self._guarded_send(n, deadline) for n, _ in ready))
        for (n, _), (_, outcome) in zip(ready, sends, strict=True):
            if not isinstance(outcome, Accepted):
                self._forget_decision(n.contact_key, now)
        out: list[Event] = []
        async with self.db().acquire() as conn, conn.transaction():
            for (n, _), (address_problem, outcome) in zip(ready, sends, strict=True):
                if address_problem is not None:
                    await self.permanent_failure(conn, n, address_problem, now, out)
                elif outcome is not None:
                    await self._record(conn, n, outcome, self.clock(), out)
            for n, verdict in settled:
                await self._apply(conn, n, verdict, now, out)  # type: ignore[arg-type]
            await self.outbox.append(conn, *out)  # one append (and one wake-up of the relay) per batch
        return len(claimed) == self.settings.dispatch_batch

    def _check(self, n: Notification, opted: set[str], recent: dict[str, list[dt.datetime]],
               now: dt.datetime) -> tuple[str, object] | None:
        """Why this message must not be sent now, if so: opted out, or (SMS) quiet hours or
        the per-citizen throttle. Counts this batch's own SMS towards the throttle."""
        if n.contact_key in opted:
            return ("opted_out", None)
        if n.channel != "sms":
            return None
        if (until := quiet_until(now, self.quiet)) is not None:
            self.metrics.deferred.labels("quiet_hours").inc()
            return ("defer", until)
        hour_ago = now - dt.timedelta(hours=1)
        decided = [t for t in self._decided.get(n.contact_key, []) if t > hour_ago]
        stored = recent.get(n.contact_key, [])
        sent = decided if len(decided) >= len(stored) else stored
        if len(sent) >= self.settings.citizen_max_per_hour:
            self.metrics.deferred.labels("throttle").inc()
            return ("defer", sorted(sent)[-self.settings.citizen_max_per_hour] + dt.timedelta(hours=1))
        self._decided[n.contact_key] = [*decided, now]
        if len(self._decided) > 100_000:  # forget citizens not seen for an hour
            self._decided = {k: v for k, v in self._decided.items() if v and v[-1] > hour_ago}
        return None

    def _forget_decision(self, contact_key: str, at: dt.datetime) -> None:
        """A send that failed (or never left) reached nobody: it must not count towards the
        citizen's hourly limit, or a provider outage would defer their next try by an hour."""
        decided = self._decided.get(contact_key, [])
        if at in decided:
            decided.remove(at)

    async def _apply(self, conn: asyncpg.Connection, n: Notification, verdict: tuple[str, object],
                     now: dt.datetime, out: list[Event]) -> None:
        what, when = verdict
        if what == "opted_out":
            await self._final(conn, n, "permanent-failure", "the citizen opted out of messages", now, out)
        else:
            await repo.set_outcome(conn, self.schema, n, status="created", due_at=when, refund_attempt=True)  # type: ignore[arg-type]

    async def _guarded_send(self, n: Notification, deadline: float) -> tuple[str | None, Outcome | None]:
        """(address problem, outcome); (None, None) when nothing is left to record now (sent and
        recorded already, crashed, or out of lease time: the lease brings it back)."""
        async with self.limit:
            if time.monotonic() > deadline:
                return None, None
            try:
                address = address_for(n.channel, n.contact)
            except InvalidAddress as exc:
                return str(exc), None
            try:
                outcome = await self._send(n, address)
            except Exception:
                log.exception("notification %s (%s) failed unexpectedly", n.notification_id, n.kind)
                return None, None
            if n.channel == "email":
                out: list[Event] = []
                async with self.db().acquire() as conn, conn.transaction():
                    await self._record(conn, n, outcome, self.clock(), out)
                    await self.outbox.append(conn, *out)
                return None, None  # recorded already
            return None, outcome

    async def _send(self, n: Notification, address: str) -> Outcome:
        message = render(n.kind, n.language, n.context)
        if n.channel == "sms":
            if self.sms is None:
                return Permanent("no SMS provider is configured (LOKET_SMS_URL)")
            await self.bucket.acquire()
            outcome = await self.sms.send(address, message.body, str(n.channel_notification_id()), n.idempotency_key())
            if isinstance(outcome, Retryable) and outcome.retry_after_s:
                self.bucket.pause(outcome.retry_after_s)
            return outcome
        if self.email is None:
            return Permanent("no mail server is configured (LOKET_SMTP_HOST)")
        return await self.email.send(address, message.subject, message.body, n.language, n.idempotency_key())

    async def _record(self, conn: asyncpg.Connection, n: Notification, outcome: Outcome, now: dt.datetime,
                      out: list[Event]) -> None:
        if isinstance(outcome, Accepted):
            status = "delivered" if outcome.delivered else "sending"
            await repo.set_outcome(conn, self.schema, n, status=status, provider_ref=outcome.provider_ref, sent_at=now,
                                   finished=now if outcome.delivered else None)
            out += [events.sent(n, now), *([events.delivered(n, now)] if outcome.delivered else [])]
            self.metrics.latency.labels(n.channel).observe(max(0.0, (now - n.event_at).total_seconds()))
            self.metrics.outcomes.labels(n.channel, n.kind, status).inc()
        elif isinstance(outcome, Permanent):
            self.metrics.provider_errors.labels(n.channel, "permanent").inc()
            await self.permanent_failure(conn, n, outcome.reason, now, out)
        else:
            self.metrics.provider_errors.labels(n.channel, "retryable").inc()
            if n.attempts >= self.settings.max_attempts:
                await self._final(conn, n, "technical-failure", f"gave up after {n.attempts} attempts: {outcome.reason}",
                                  now, out)
            else:
                delay = backoff(n.attempts, self.settings.notify_retry_base_s, self.settings.notify_retry_max_s, outcome.retry_after_s)
                await repo.set_outcome(conn, self.schema, n, status="created", due_at=now + delay, reason=outcome.reason)

    async def permanent_failure(self, conn: asyncpg.Connection, n: Notification, reason: str, now: dt.datetime,
                                out: list[Event]) -> None:
        """This channel can never work for this message: say so, then try the next channel."""
        out.append(events.failed(n, "permanent-failure", reason, now))
        self.metrics.outcomes.labels(n.channel, n.kind, "permanent-failure").inc()
        if n.channel_index + 1 < len(n.channels):
            await repo.set_outcome(conn, self.schema, n, status="created", channel_index=n.channel_index + 1,
                                   due_at=now, reason=reason, refund_attempt=True)
        else:
            await repo.set_outcome(conn, self.schema, n, status="permanent-failure", reason=reason, finished=now)

    async def record_receipt(self, conn: asyncpg.Connection, n: Notification, status: str, reason: str,
                             now: dt.datetime) -> None:
        """A delivery receipt for an SMS the provider accepted."""
        out: list[Event] = []
        if status == "delivered":
            await repo.set_outcome(conn, self.schema, n, status="delivered", finished=now)
            out.append(events.delivered(n, now))
            self.metrics.outcomes.labels(n.channel, n.kind, "delivered").inc()
        elif status == "temporary-failure":
            await self._final(conn, n, "temporary-failure", reason, now, out)
        else:
            await self.permanent_failure(conn, n, reason, now, out)
        await self.outbox.append(conn, *out)

    async def _final(self, conn: asyncpg.Connection, n: Notification, status: str, reason: str,
                     now: dt.datetime, out: list[Event]) -> None:
        out.append(events.failed(n, status, reason, now))  # type: ignore[arg-type]
        self.metrics.outcomes.labels(n.channel, n.kind, status).inc()
        await repo.set_outcome(conn, self.schema, n, status=status, reason=reason, finished=now)
