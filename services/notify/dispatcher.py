"""Send what is due, as the three steps of a WorkQueue (see `loket.infra.db.work_queue`):

- claim: take due rows with a lease (SKIP LOCKED), and in the same transaction look up, for the
  whole batch at once, who opted out and who was sent what in the last hour;
- call: apply the rules (opt-out, quiet hours, hourly limit) and send the rest concurrently,
  within the provider's rate and the process's concurrency, holding no connection;
- record: each outcome with its events in one transaction per batch.

E-mail outcomes are committed one by one as they come instead: SMTP cannot recognise a resend,
so the window in which a crash makes one must stay one message wide. SMS keep the batch commit
(one instead of hundreds): after a crash their leases run out and they are sent again with the
same idempotency key, which the provider de-duplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from loket.infra.db.work_queue import Lease, WorkQueue
from loket.infra.identity.tenants import DEFAULT_SMS_COUNTRIES
from services.notify.addresses import InvalidAddress, address_for
from services.notify.channels import Channels
from services.notify.metrics import NotifyMetrics
from services.notify.outcomes import BadAddress, Decision, Outcomes
from services.notify.providers.outcome import Accepted, Outcome
from services.notify.repository import Notification, NotifyRepository
from services.notify.sending_rules import PREFIX_LENGTH, SendingRules, sms_prefix
from services.notify.settings import NotifySettings
from services.notify.sms_senders import SmsSenders
from services.notify.throttle import Sent

log = logging.getLogger(__name__)
GAUGE_INTERVAL_S = 5.0  # Prometheus scrapes every 15 s; the queue depth needs no fresher figure
# A message still waiting for a send slot when this share of its lease is gone is left for a
# later round: once the lease ends another round may claim it, and two sends must not race.
SEND_BY_SHARE_OF_LEASE = 0.8


@dataclass(frozen=True)
class Claimed:
    """A message a round claimed, with what the rules need to know about its citizen."""

    notification: Notification
    opted_out: bool
    sent_last_day: list[Sent]
    sms_sender: str | None = None  # the municipality's own; None: the configured default
    sms_countries: tuple[str, ...] = DEFAULT_SMS_COUNTRIES  # the municipality's, or the platform's
    prefix_sent_last_day: list[Sent] = field(default_factory=list)  # SMS to its number's prefix


# What to record per message, by notification id. A message without an entry has nothing to
# record in the batch's commit: its e-mail was recorded already, or it never left (out of lease
# time, or failed unexpectedly) and comes back when its lease runs out.
Decisions = dict[UUID, Decision]


class Dispatcher:
    """The notification dispatch: `WorkSteps[Claimed, Decisions]`, run by its own WorkQueue."""

    def __init__(self, db: Callable[[], asyncpg.Pool], outbox: Outbox, repository: NotifyRepository,
                 channels: Channels, rules: SendingRules, outcomes: Outcomes, sms_senders: SmsSenders,
                 settings: NotifySettings, metrics: NotifyMetrics, clock: Callable[[], dt.datetime]) -> None:
        self.repository, self.channels, self.rules, self.outcomes = repository, channels, rules, outcomes
        self.sms_senders = sms_senders
        self.metrics, self.clock, self.workers = metrics, clock, settings.dispatch_workers
        self.send_slots = asyncio.Semaphore(settings.dispatch_concurrency)
        # The steps hold their queue: e-mail outcomes are committed through it mid-call.
        self.queue = WorkQueue("notification dispatch", db, outbox, self, batch_size=settings.dispatch_batch,
                               lease_s=settings.lease_s, idle_s=settings.notify_dispatch_idle_s, clock=clock)
        self._gauge_due = 0.0

    async def run(self) -> None:
        # Several rounds in flight: while one batch waits for the provider or commits, the next
        # is already sending (SKIP LOCKED keeps their batches apart).
        async with self.channels.opened():
            await asyncio.gather(*(self.queue.run() for _ in range(self.workers)))

    async def claim(self, conn: asyncpg.Connection, limit: int, lease: Lease) -> list[Claimed]:
        claimed = await self.repository.claim_due(conn, lease.now, lease.until, limit)
        if time.monotonic() >= self._gauge_due:  # a count of the whole queue: not on every round
            self._gauge_due = time.monotonic() + GAUGE_INTERVAL_S
            self.metrics.scheduled.set(await self.repository.waiting_count(conn))
        if not claimed:
            return []
        keys = list({n.contact_key for n in claimed})
        # The limits per citizen hold across replicas: claims of one citizen are decided one after
        # the other, and each sees what the others claimed and are still sending.
        await self.repository.lock_citizens(conn, keys)
        opted = await self.repository.opted_out_keys(conn, keys)
        # Sends other rounds are still making count from when they were claimed: the time those
        # rounds' limits remembered them by (`lease.now`), so nothing is counted twice.
        lease_s = (lease.until - lease.now).total_seconds()
        recent = await self.repository.sent_since(conn, keys, lease.now - dt.timedelta(days=1), lease.now, lease_s,
                                                  [n.notification_id for n in claimed])
        senders = await self.sms_senders.by_municipality(conn)
        countries = await self.sms_senders.countries_by_municipality(conn)
        prefixes = sorted({p for n in claimed if n.channel == "sms" and (p := sms_prefix(n.contact.phone))})
        by_prefix: dict[str, list[Sent]] = {}
        if prefixes:
            # The same for a number range's daily cap: decided one round after the other.
            await self.repository.lock_prefixes(conn, prefixes)
            by_prefix = await self.repository.sms_sent_by_prefix(
                conn, prefixes, PREFIX_LENGTH, lease.now - dt.timedelta(days=1), self.rules.prefixes.max_sends,
                lease.now, lease_s, [n.notification_id for n in claimed])
        return [Claimed(n, n.contact_key in opted, recent.get(n.contact_key, []),
                        senders.get(n.municipality or ""),
                        countries.get(n.municipality or "", DEFAULT_SMS_COUNTRIES),
                        by_prefix.get(sms_prefix(n.contact.phone) or "", [])) for n in claimed]

    async def call(self, items: Sequence[Claimed], lease: Lease) -> Decisions:
        decisions: Decisions = {}
        ready: list[Claimed] = []
        for c in items:
            if (hold := self.rules.hold(c.notification, c.opted_out, c.sent_last_day, lease.now,
                                        c.prefix_sent_last_day)) is not None:
                decisions[c.notification.notification_id] = hold
            else:
                ready.append(c)
        send_by = time.monotonic() + SEND_BY_SHARE_OF_LEASE * (lease.until - lease.now).total_seconds()
        attempts = await asyncio.gather(*(self._attempt(c, lease, send_by) for c in ready))
        for c, attempt in zip(ready, attempts, strict=True):
            n = c.notification
            if n.channel == "sms" and not isinstance(attempt, Accepted):
                self.rules.unsent(n, lease.now)
            if attempt is not None:
                decisions[n.notification_id] = attempt
        return decisions

    async def record(self, conn: asyncpg.Connection, items: Sequence[Claimed], result: Decisions,
                     lease: Lease) -> list[Event]:
        now = self.clock()
        recorded: list[Event] = []
        for c in items:
            if (decision := result.get(c.notification.notification_id)) is not None:
                recorded += await self.outcomes.record(conn, c.notification, decision, now)
        return recorded

    async def _attempt(self, c: Claimed, lease: Lease, send_by: float) -> BadAddress | Outcome | None:
        """What the send came to; None when there is nothing left to record in the batch."""
        n = c.notification
        async with self.send_slots:
            if time.monotonic() > send_by:
                return None
            try:
                address = address_for(n.channel, n.contact, c.sms_countries)
            except InvalidAddress as exc:
                return BadAddress(str(exc))
            try:
                outcome = await self.channels.send(n, address, c.sms_sender)
            except Exception:
                log.exception("notification %s (%s) failed unexpectedly", n.notification_id, n.kind)
                return None
            if n.channel == "email":
                await self.queue.commit([c], {n.notification_id: outcome}, lease)
                return None
            return outcome
