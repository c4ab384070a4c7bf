"""`LetterIssued` → a routed letter row, its history, and `LetterQueuedForPrint` where the policy
sends it straight to paper. A whole broker batch is admitted in one transaction, written
through the letter store the handler was given (the database, or the tests' in-memory fake)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol
from uuid import UUID

import asyncpg

from loket.contracts import Event
from loket.contracts.letters import LetterIssued
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from loket.infra.identity.tenants import Tenant
from services.ebox_bridge import status_events
from services.ebox_bridge.documents import DocumentPolicy, letter_pdf
from services.ebox_bridge.domain import letter_rules, states
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.domain.intake import (
    IntakeRejected,
    LetterConflict,
    NewLetter,
    Sender,
    admit,
    content_sha256,
)
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.letter_pages import page_sizes_mm
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.policy import RolloutPolicy
from services.ebox_bridge.policy_holder import PolicySource
from services.ebox_bridge.settings import EboxBridgeSettings


class IntakeStore(Protocol):
    """What intake needs of the letters repository (`LetterStore`)."""

    async def fingerprints(self, conn: asyncpg.Connection, letter_ids: list[UUID]) -> dict[UUID, str]: ...

    async def admit(
        self, conn: asyncpg.Connection, admitted: Sequence[NewLetter], history: Sequence[Transition]
    ) -> None: ...


class TenantSource(Protocol):
    """The onboarded municipalities (`TenantDirectory`, or a fixed mapping in unit tests)."""

    async def current(self, conn: asyncpg.Connection) -> Mapping[str, Tenant]: ...


class LetterIntake(BatchHandler):
    def __init__(
        self, letters: IntakeStore, policies: PolicySource, tenants: TenantSource, settings: EboxBridgeSettings,
        metrics: BridgeMetrics, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.letters, self.policies, self.tenants, self.settings, self.metrics, self.clock = (
            letters, policies, tenants, settings, metrics, clock,
        )
        self.documents = DocumentPolicy.from_settings(settings)

    async def handle_batch(self, events: list[LetterIssued], ctx: BatchContext) -> None:
        policy = await self.policies.current(ctx.conn)
        tenants = await self.tenants.current(ctx.conn)
        known = await self.letters.fingerprints(ctx.conn, [e.payload.letter_id for e in events])
        now = self.clock()
        admitted: list[NewLetter] = []
        duplicates = 0
        for event in events:
            letter_id, fingerprint = event.payload.letter_id, content_sha256(event)
            if letter_id in known:
                _same_or_conflict(letter_id, known[letter_id], fingerprint)
                duplicates += 1
                continue
            admitted.append(await self.admit_one(event, policy, tenants, now))
            known[letter_id] = fingerprint
        await self.letters.admit(ctx.conn, admitted, _transitions(admitted))
        await ctx.emit(*_paper_events(admitted))
        self._count(admitted, duplicates)

    async def admit_one(
        self, event: LetterIssued, policy: RolloutPolicy, tenants: Mapping[str, Tenant], now: dt.datetime
    ) -> NewLetter:
        """Every check of one letter, and its routing; raises IntakeRejected. The letters API
        calls this too, before it accepts a letter, so both ways in refuse exactly the same."""
        document = "/pdf_base64" if event.payload.pdf_base64 is not None else "/document_ref"
        try:
            pdf, pages = await letter_pdf(event.payload, self.documents)
        except IntakeRejected as exc:
            # The document checks know the bytes, not where they came from: point at the field.
            exc.pointer = exc.pointer or document
            raise
        sizes = await asyncio.to_thread(page_sizes_mm, pdf)
        letter_rules.check(pages, len(pdf), sizes, event.payload.postal_address, document)
        return admit(
            event, policy, pdf, pages, now, sender=_sender(tenants.get(event.payload.municipality)),
            max_ebox_wait=dt.timedelta(hours=self.settings.ebox_max_wait_hours),
            timezone=self.settings.print_timezone,
        )

    def _count(self, admitted: list[NewLetter], duplicates: int) -> None:
        for letter in admitted:
            self.metrics.letters.labels("intake", "accepted", letter.routing).inc()
            if letter.paper_reason:
                self.metrics.letters.labels("paper", "queued", letter.paper_reason).inc()
                self.metrics.fallbacks.labels(letter.paper_reason).inc()
        if duplicates:
            self.metrics.letters.labels("intake", "duplicate", "").inc(duplicates)


def _same_or_conflict(letter_id: UUID, stored: str, fingerprint: str) -> None:
    # Same content: a back-office retry, ignored. Different content under the same id would
    # make "which letter did the citizen get?" unanswerable, so it is refused.
    if stored != fingerprint:
        raise LetterConflict(
            f"letter_id {letter_id} was already issued with different content; "
            "issue a new letter_id for a new letter"
        )


def _transitions(letters: list[NewLetter]) -> list[Transition]:
    rows = []
    for letter in letters:
        rows.append(Transition(letter.letter_id, "letter", None, states.RECEIVED))
        rows.append(Transition(letter.letter_id, "letter", states.RECEIVED, states.ROUTED, f"policy {letter.routing}"))
        if letter.ebox_state:
            rows.append(Transition(letter.letter_id, "ebox", None, letter.ebox_state))
        if letter.paper_state:
            rows.append(Transition(letter.letter_id, "paper", None, letter.paper_state, letter.paper_reason))
    return rows


def _paper_events(letters: list[NewLetter]) -> list[Event]:
    return [
        status_events.queued_for_print(_facts(letter), letter.paper_reason)
        for letter in letters
        if letter.paper_reason is not None
    ]


def _facts(letter: NewLetter) -> LetterFacts:
    return LetterFacts(
        letter.letter_id, letter.municipality, letter.department, letter.document_type,
        letter.language, letter.important, letter.pages, letter.postage_class,
        letter.issued_event_id, letter.correlation_id,
        json.dumps(letter.contact) if letter.contact else None,
    )


def _sender(tenant: Tenant | None) -> Sender | None:
    if tenant is None:
        return None
    return Sender(tenant.ebox.enterprise_number, tenant.ebox.sender_application_id,
                  frozenset(tenant.ebox.message_types))
