"""A consumer group on one topic: decode, dedupe through the inbox, handle, dead-letter, ack.

A batch from the broker is handled in one database transaction (fast path). If any event in it
fails, the transaction is rolled back and the events are handled one by one, so that only the
failing event is retried with backoff or dead-lettered and the others commit. Payloads that do
not decode go to the DLQ at once. If the database or the bus is down, nothing is dead-lettered:
the batch is handed back to the broker and redelivered after a pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from loket.contracts import ContractViolation, Event, decode_event
from loket.infra.bus import headers as h
from loket.infra.bus.bus import Bus
from loket.infra.bus.handler_context import BatchContext, BatchHandler, Handler, HandlerContext
from loket.infra.bus.retry import RetryPolicy
from loket.infra.db.inbox import Inbox
from loket.infra.db.outbox import Outbox
from loket.infra.errors import PermanentError, described, is_infrastructure_error, is_permanent
from loket.infra.log_context import correlation
from loket.infra.settings import ConsumerSettings

log = logging.getLogger(__name__)


@dataclass
class _Item:
    event: Event
    body: bytes
    headers: dict[str, str]
    index: int  # in the broker's batch: where it came from, named only if it is dead-lettered


class EventConsumer:
    def __init__(
        self, *, bus: Bus, pool: asyncpg.Pool, schema: str, group: str, topic: str,
        handlers: dict[type[Event], Handler | BatchHandler], settings: ConsumerSettings,
        outbox: Outbox | None = None,
    ) -> None:
        self.bus, self.pool, self.group, self.topic = bus, pool, group, topic
        self.handlers, self.settings = handlers, settings
        # A service passes its one outbox (the runtime's); harnesses may let the consumer make one.
        self.inbox, self.outbox = Inbox(schema), outbox or Outbox(schema)
        self.policy = RetryPolicy.of(settings)
        self._count = bus.metrics.events_consumed

    def attach(self) -> None:
        """Register with the broker under an explicit consumer group and ack policy.

        The handler reads the broker's message from FastStream's context itself, and takes no
        `Context("message")` parameter: fast_depends resolves such a parameter with a synchronous
        call that it runs in a worker thread, a hand-over to a thread and back for every batch
        (15 % of a Kafka consumer replica's samples in the bus benchmark, docs/performance.md,
        "Where the "other" CPU went"). The batch's bodies, its one argument, are what `bodies_undecoded` returns."""
        context = self.bus.broker.context

        async def on_batch(_bodies: Any) -> None:
            await self.handle_batch(context.get_local("message"))

        self.bus.subscriber(self.topic, self.group, self.settings)(on_batch)

    async def handle_batch(self, message: Any) -> None:
        started = time.perf_counter()
        try:
            items = await self._decode_or_dead_letter(message)
            if items:
                await self._handle(items, message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Unacked work must come back: hand the batch to the broker for redelivery.
            if not is_infrastructure_error(exc):
                log.exception("batch on %s failed unexpectedly; redelivering", self.topic)
            else:
                log.warning("database or bus unavailable (%s); redelivering batch", described(exc))
            self.bus.metrics.redelivered_batches.labels(self.group, self.topic).inc()
            await self.bus.wiring.redeliver_later(message, self.settings.unavailable_backoff_s)
            return
        await message.ack()
        self.bus.metrics.batch_seconds.labels(self.group, self.topic).observe(
            time.perf_counter() - started
        )

    async def _decode_or_dead_letter(self, message: Any) -> list[_Item]:
        # Subscribers are always declared as batch subscribers (see the wirings).
        bodies, headers = message.body, message.batch_headers
        items: list[_Item] = []
        seen: set[Any] = set()
        for index, (body, hdrs) in enumerate(zip(bodies, headers, strict=True)):
            try:
                event = decode_event(self.topic, body)
            except ContractViolation as violation:
                await self._dead_letter(body, hdrs, message, index, violation.reason, "contract", 0)
                continue
            if event.event_id in seen:  # the same event twice in one batch
                self._count.labels(self.group, self.topic, "duplicate").inc()
                continue
            seen.add(event.event_id)
            items.append(_Item(event, body, hdrs, index))
        return items

    async def _handle(self, items: list[_Item], message: Any) -> None:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                fresh = await self.inbox.claim(conn, self.group, [i.event.event_id for i in items])
                await self._dispatch_all(conn, [i for i in items if i.event.event_id in fresh])
        except Exception as exc:
            if is_infrastructure_error(exc):
                raise
            for item in items:
                await self._handle_alone(item, message)
            return
        self._count.labels(self.group, self.topic, "handled").inc(len(fresh))
        self._count.labels(self.group, self.topic, "duplicate").inc(len(items) - len(fresh))

    async def _handle_alone(self, item: _Item, message: Any) -> None:
        with correlation(item.event.correlation_id):  # its retries and dead-lettering are logged
            await self._handle_alone_attempts(item, message)

    async def _handle_alone_attempts(self, item: _Item, message: Any) -> None:
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if not await self.inbox.claim(conn, self.group, [item.event.event_id]):
                        self._count.labels(self.group, self.topic, "duplicate").inc()
                        return
                    await self._dispatch_all(conn, [item])
                self._count.labels(self.group, self.topic, "handled").inc()
                return
            except Exception as exc:
                if is_infrastructure_error(exc):
                    raise
                if is_permanent(exc):
                    reason = str(exc) if isinstance(exc, PermanentError) else described(exc)
                    await self._dead_letter(item.body, item.headers, message, item.index, reason,
                                            "permanent", attempt)
                    return
                if attempt == self.policy.max_attempts:
                    reason = f"gave up after {attempt} attempts: {described(exc)}"
                    await self._dead_letter(item.body, item.headers, message, item.index, reason,
                                            "exhausted", attempt)
                    return
                self.bus.metrics.handler_retries.labels(self.group, self.topic).inc()
                log.info("retrying %s on %s (attempt %d): %s", item.event.event_type, self.topic, attempt,
                         described(exc))
                await self.bus.wiring.keep_alive(message)
                await asyncio.sleep(self.policy.delay_before(attempt + 1))

    async def _dispatch_all(self, conn: asyncpg.Connection, items: list[_Item]) -> None:
        await dispatch_events(self.handlers, conn, self.outbox, [(i.event, i.headers) for i in items])

    async def _dead_letter(
        self, body: bytes, headers: dict[str, str], message: Any, index: int, reason: str, kind: Any, attempts: int
    ) -> None:
        """Dead-letter the batch's `index`-th message, naming where it came from (stream sequence,
        partition offset) and keeping its key among its original headers, for a replay."""
        key = headers.get(h.KEY) or self.bus.wiring.message_keys(message)[index]
        await self.bus.dead_letter(
            topic=self.topic, consumer=self.group, body=body,
            original_headers={**headers, h.KEY: key} if key else dict(headers),
            reason=reason, kind=kind, attempts=attempts, source=self.bus.wiring.message_identities(message)[index],
            key=key,
        )
        self._count.labels(self.group, self.topic, "dead_lettered").inc()


async def dispatch_events(
    handlers: Mapping[type[Event], Handler | BatchHandler], conn: asyncpg.Connection, outbox: Outbox,
    items: list[tuple[Event, dict[str, str]]],
) -> None:
    """Hand fresh events (already through the inbox) to their handlers in one transaction.

    Batch handlers get all their events at once, in broker order; per-event handlers run in
    broker order too. Event types no handler knows are skipped (their inbox row is harmless).
    The in-memory fakes of the tests dispatch through this same function.
    """
    batched: dict[BatchHandler, list[Event]] = {}
    for event, headers in items:
        handler = handlers.get(type(event))
        if isinstance(handler, BatchHandler):
            batched.setdefault(handler, []).append(event)
        elif handler is not None:
            with correlation(event.correlation_id):
                await handler(event, HandlerContext(conn, outbox, event, headers))
    for batch_handler, events in batched.items():
        # A batch mixes stories; one event alone (a retry, a dead-letter candidate) has one.
        with correlation(events[0].correlation_id if len(events) == 1 else None):
            await batch_handler.handle_batch(events, BatchContext(conn, outbox))
