"""Admitting a `LetterIssued`: the checks the contract cannot make, and the initial routing.

The contract (loket/contracts/letters.py) already refuses what is wrong in isolation: bad
national number, empty or overlong subject, not a PDF, too large, digest mismatch. What needs
the rollout policy or the PDF's structure is checked here; every refusal is an
`IntakeRejected` (a PermanentError, so the consumer dead-letters the event with the reason).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from loket.contracts.letters import LetterIssued
from loket.infra.errors import PermanentError
from services.ebox_bridge.domain import states
from services.ebox_bridge.policy import (
    PolicyLookupError,
    RolloutPolicy,
    RoutingRule,
    UnknownMunicipality,
)


class IntakeRejected(PermanentError):
    """The letter can never be delivered as issued; the reason says what to fix. `pointer` is
    the JSON pointer (RFC 6901) of the payload field at fault, where one is: the letters API
    answers with it."""

    def __init__(self, message: str, pointer: str | None = None) -> None:
        super().__init__(message)
        self.pointer = pointer


class LetterConflict(IntakeRejected):
    """A letter id was re-used for different content."""


@dataclass(frozen=True)
class NewLetter:
    """A row of `letters` as intake creates it."""

    letter_id: UUID
    content_sha256: str
    issued_event_id: UUID
    correlation_id: UUID
    issued_at: dt.datetime
    municipality: str
    department: str
    document_type: str
    language: str
    ssin: str
    subject: str
    pdf: bytes
    pdf_sha256: str
    pages: int
    postal_address: dict[str, Any] | None
    registered: bool
    important: bool
    contact: dict[str, Any] | None
    legal_deadline: dt.date | None
    routing: str
    message_type_id: str
    ebox_state: str | None
    ebox_due_at: dt.datetime | None
    ebox_fallback_at: dt.datetime | None
    escalate_after_days: int | None
    paper_state: str | None
    paper_reason: str | None
    paper_queued_at: dt.datetime | None
    postage_class: str
    sender_enterprise_number: str | None = None
    sender_application_id: str | None = None
    # `ssin` holds the recipient's identifier: a national number, or an enterprise's KBO/BCE
    # number when this is "enterprise" (migration 0007).
    recipient_kind: str = "citizen"


@dataclass(frozen=True)
class Sender:
    """Who the municipality publishes as in the eBox (its tenant entry), and which eBox message
    types it may use (empty: any)."""

    enterprise_number: str
    application_id: str
    message_types: frozenset[str] = frozenset()


def not_onboarded(municipality: str) -> IntakeRejected:
    return IntakeRejected(
        f"municipality {municipality} is not onboarded as a tenant: it has no eBox sender identity; "
        "add it to the tenant file and run `loket tenants import`",
        "/municipality",
    )


def content_sha256(event: LetterIssued) -> str:
    """Fingerprint of what the back-office asked for (the envelope is not part of it). A citizen
    letter dumps as before `recipient` existed, whichever field named the citizen, so a re-issue
    in the other form, or from before that change, is still the same letter."""
    return hashlib.sha256(event.payload.model_dump_json().encode()).hexdigest()


def admit(
    event: LetterIssued,
    policy: RolloutPolicy,
    pdf: bytes,
    pages: int,
    now: dt.datetime,
    *,
    sender: Sender | None,
    max_ebox_wait: dt.timedelta,
    timezone: str,
) -> NewLetter:
    """Check the letter against the policy and its municipality's sender, and decide its
    channels; raises IntakeRejected."""
    p = event.payload
    rule = _rule(policy, p.municipality, p.department, p.document_type)
    if sender is None:  # None: the municipality has no tenant entry
        raise not_onboarded(p.municipality)
    if sender.message_types and rule.message_type_id not in sender.message_types:
        raise IntakeRejected(
            f"eBox message type {rule.message_type_id!r} ({p.department}/{p.document_type}) is not one of "
            f"{p.municipality}'s registered message types: {', '.join(sorted(sender.message_types))}",
            "/document_type",
        )
    allowed = policy.allowed_languages(p.municipality)
    if p.language not in allowed:
        raise IntakeRejected(
            f"language {p.language!r} is not allowed for municipality {p.municipality} "
            f"(its language regime allows {', '.join(sorted(allowed))})",
            "/language",
        )
    if rule.may_need_paper and p.postal_address is None:
        raise IntakeRejected(
            f"postal_address is required: the {rule.channel} policy for "
            f"{p.municipality}/{p.department}/{p.document_type} may send this letter on paper",
            "/postal_address",
        )
    ebox = rule.channel in ("ebox_first", "both", "ebox_only")
    paper_reason = {"paper_only": "policy_paper_only", "both": "policy_both"}.get(rule.channel)
    return NewLetter(
        letter_id=p.letter_id,
        content_sha256=content_sha256(event),
        issued_event_id=event.event_id,
        correlation_id=event.correlation_id or event.event_id,
        issued_at=event.occurred_at,
        municipality=p.municipality,
        department=p.department,
        document_type=p.document_type,
        language=p.language,
        ssin=p.addressee.identifier,
        recipient_kind=p.addressee.kind,
        subject=p.subject,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=pages,
        postal_address=p.postal_address.model_dump() if p.postal_address else None,
        # The back-office's demand for registered mail goes to the eBox (which refuses it for
        # most senders: then paper, registered); the policy's only sets the paper postage.
        registered=p.registered,
        important=p.important,
        contact=p.contact.model_dump(mode="json") if p.contact else None,
        legal_deadline=p.legal_deadline,
        routing=rule.channel,
        message_type_id=rule.message_type_id,
        ebox_state=states.PENDING if ebox else None,
        ebox_due_at=now if ebox else None,
        ebox_fallback_at=fallback_instant(rule, p.legal_deadline, now, max_ebox_wait, timezone)
        if ebox
        else None,
        # Escalation means paper, so only where the policy allows paper at all.
        escalate_after_days=rule.escalate_unread_after_days if p.important and rule.may_need_paper else None,
        paper_state=states.QUEUED_FOR_PRINT if paper_reason else None,
        paper_reason=paper_reason,
        paper_queued_at=now if paper_reason else None,
        postage_class="registered" if (p.registered or rule.registered) else rule.postage_class,
        sender_enterprise_number=sender.enterprise_number,
        sender_application_id=sender.application_id,
    )


def fallback_instant(
    rule: RoutingRule,
    deadline: dt.date | None,
    received: dt.datetime,
    max_wait: dt.timedelta,
    timezone: str,
) -> dt.datetime:
    """When an undelivered eBox letter must go to paper instead.

    With a legal deadline: the start (local midnight) of the day `print_lead_time_days` before
    it, so the print house still has its lead time. Without one: after `max_wait`, so an eBox
    outage never keeps a letter from the citizen indefinitely.
    """
    if deadline is None:
        return received + max_wait
    day = deadline - dt.timedelta(days=rule.print_lead_time_days)
    local_midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(timezone))
    return local_midnight.astimezone(dt.UTC)


def _rule(policy: RolloutPolicy, municipality: str, department: str, document_type: str) -> RoutingRule:
    try:
        return policy.resolve(municipality, department, document_type)
    except (PolicyLookupError, UnknownMunicipality) as exc:
        raise IntakeRejected(str(exc), _policy_pointer(policy, municipality, department)) from None


def _policy_pointer(policy: RolloutPolicy, municipality: str, department: str) -> str:
    """Which of the three fields the policy has no rule for."""
    town = policy.document.municipalities.get(municipality)
    if town is None:
        return "/municipality"
    return "/department" if department not in town.departments else "/document_type"
