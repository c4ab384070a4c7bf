"""One realistic example per event type, shared by contract tests and other services' tests.

`example("LetterIssued", subject="Aanslagbiljet")` overrides payload fields;
`example("LetterIssued", envelope={"producer": "x"})` overrides envelope fields.
Values are fixed (ids, times) so tests can assert on them; `event_id` stays random unless
overridden because consumers de-duplicate on it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from loket.contracts import EVENT_TYPES, Event

# A tiny but genuine PDF header/trailer: enough for the contract's "%PDF-" check.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_BASE64 = base64.b64encode(PDF_BYTES).decode("ascii")
PDF_SHA256 = hashlib.sha256(PDF_BYTES).hexdigest()

NATIONAL_NUMBER = "85073003328"  # valid NN from DESIGN.md
BIS_NUMBER = "85493003331"  # valid BIS from DESIGN.md
MECHELEN = "12025"
ETTERBEEK = "21005"

LETTER_ID = UUID("6f1c2a40-0000-4000-8000-000000000001")
VISIT_ID = UUID("6f1c2a40-0000-4000-8000-000000000002")
APPOINTMENT_ID = UUID("6f1c2a40-0000-4000-8000-000000000003")
LOAN_ID = UUID("6f1c2a40-0000-4000-8000-000000000004")
ACTIVATION_ID = UUID("6f1c2a40-0000-4000-8000-000000000005")
NOTIFICATION_ID = UUID("6f1c2a40-0000-4000-8000-000000000006")
TRIGGER_EVENT_ID = UUID("6f1c2a40-0000-4000-8000-000000000007")

# 29 March 2025 was a Saturday before the DST change; times are UTC.
T0 = datetime(2025, 3, 28, 8, 30, tzinfo=UTC)

ADDRESS = {
    "name": "Jan Peeters",
    "street": "Grote Markt",
    "number": "21",
    "box": "3",
    "postcode": "2800",
    "municipality": "Mechelen",
}
CONTACT = {
    "phone": "+32470123456",
    "email": "jan.peeters@example.be",
    "language": "nl",
    "preferred_channels": ["sms"],
}
LETTER = {"letter_id": LETTER_ID, "municipality": MECHELEN}
LETTER_CONTEXT = {**LETTER, "department": "finance", "document_type": "tax_assessment"}
POINT = {"point_id": "mechelen-stadhuis", "municipality": MECHELEN}
VISIT = {"visit_id": VISIT_ID, **POINT, "point_kind": "municipal_counter"}
APPOINTMENT = {"appointment_id": APPOINTMENT_ID, **POINT}
LOAN = {"loan_id": LOAN_ID, "device_id": "laptop-0042", **POINT}
WORKSHOP_REGISTRATION = {
    "registration_id": UUID("6f1c2a40-0000-4000-8000-0000000000d1"),
    "workshop_id": UUID("6f1c2a40-0000-4000-8000-0000000000d2"),
    **POINT,
    "starts_at": T0 + timedelta(days=3),
}
WORKSHOP_PLACED = {
    **WORKSHOP_REGISTRATION,
    "point_name": "Stadhuis Mechelen",
    "title": "Veilig internetbankieren",
    "ends_at": T0 + timedelta(days=3, hours=2),
    "workshop_language": "nl",
    "language": "nl",
    "contact": CONTACT,
}
WORKSHOP_PAYLOADS: dict[str, dict[str, Any]] = {
    "WorkshopRegistered": {**WORKSHOP_PLACED, "waiting": True, "place_in_line": 2},
    "WorkshopRegistrationCancelled": {**WORKSHOP_REGISTRATION, "cancelled_by": "citizen", "was_waiting": False,
                                      "language": "nl", "contact": CONTACT},
    "WorkshopPlaceOffered": WORKSHOP_PLACED,
    "WorkshopAttended": {**WORKSHOP_REGISTRATION, "attended_at": T0 + timedelta(days=3, minutes=5)},
}
NOTIFICATION = {
    "notification_id": NOTIFICATION_ID,
    "kind": "appointment_confirmation",
    "channel": "sms",
    "trigger_aggregate_id": str(APPOINTMENT_ID),
}

PAYLOADS: dict[str, dict[str, Any]] = {
    "LetterIssued": {
        **LETTER_CONTEXT,
        "recipient_national_number": NATIONAL_NUMBER,
        "language": "nl",
        "subject": "Aanslagbiljet gemeentebelasting 2025",
        "postal_address": ADDRESS,
        "pdf_base64": PDF_BASE64,
        "sha256": PDF_SHA256,
        "legal_deadline": date(2025, 6, 30),
        "important": True,
        "sender_reference": "FIN-2025-000123",
    },
    "LetterDeliveredToEbox": {
        **LETTER_CONTEXT,
        "ebox_message_id": "b6a1f7a2-msg-0001",
        "important": True,
        "language": "nl",
        "delivered_at": T0,
    },
    "LetterRead": {"letter_id": LETTER_ID, "read_at": T0 + timedelta(days=2)},
    "LetterUnreadEscalated": {
        **LETTER_CONTEXT,
        "unread_days": 15,
        "important": True,
        "language": "nl",
    },
    "LetterQueuedForPrint": {
        **LETTER_CONTEXT,
        "reason": "no_digital_user",
        "postage_class": "non_prior",
        "pages": 2,
    },
    "LetterPrinted": {"letter_id": LETTER_ID, "batch_id": "20250328-12025"},
    "LetterPosted": {"letter_id": LETTER_ID, "batch_id": "20250328-12025", "posted_at": T0},
    "LetterReturned": {
        "letter_id": LETTER_ID,
        "batch_id": "20250328-12025",
        "reason": "addressee unknown",
    },
    "LetterFailed": {
        **LETTER_CONTEXT,
        "channel": "ebox",
        "code": "INVALID_INPUT",
        "message": "messageTypeId is not authorised for this sender",
    },
    "LetterCancelled": {**LETTER_CONTEXT, "channels": ["ebox"], "reason": "cancelled by its sender"},
    "LetterRecipientErased": {"letter_id": LETTER_ID, "municipality": "12025",
                              "erasure_id": "6f1c2b1e-8d3a-4b7e-9c55-2a9f0d4e7b31", "erased_at": T0},
    "VisitStarted": {
        **VISIT,
        "helper_id": "helper-17",
        "ticket_id": "A042",
        "waited_seconds": 420,
        "language": "nl",
        "started_at": T0,
    },
    "VisitEnded": {
        **VISIT,
        "topic": "ebox_activation",
        "language": "nl",
        "outcome": "resolved",
        "duration_seconds": 1260,
        "ended_at": T0 + timedelta(minutes=21),
    },
    "WalkInTurnNear": {
        "ticket_id": "6d3f8a52-1c9e-4f0b-9a57-2b8e4c1d7f30",
        "point_id": "mechelen-stadhuis",
        "municipality": "12025",
        "point_name": "Stadhuis Mechelen - Digitale Hulp",
        "ticket_number": 17,
        "people_ahead": 2,
        "wait_minutes_optimistic": 8,
        "wait_minutes_realistic": 14,
        "language": "nl",
        "contact": {"phone": "+32470123456", "language": "nl", "preferred_channels": ["sms"]},
    },
    "AppointmentBooked": {
        **APPOINTMENT,
        "point_kind": "digibank",
        "service": "itsme_setup",
        "helper_id": "helper-17",
        "starts_at": T0 + timedelta(days=3),
        "ends_at": T0 + timedelta(days=3, minutes=30),
        "language": "nl",
        "contact": CONTACT,
        "citizen_ref": "c-5f2e9a",
        "booked_via": "citizen",
        "lead_time_seconds": 3 * 24 * 3600,
    },
    "AppointmentRescheduled": {
        **APPOINTMENT,
        "old_starts_at": T0 + timedelta(days=3),
        "starts_at": T0 + timedelta(days=4),
        "ends_at": T0 + timedelta(days=4, minutes=30),
        "language": "nl",
        "contact": CONTACT,
    },
    "AppointmentCancelled": {
        **APPOINTMENT,
        "starts_at": T0 + timedelta(days=4),
        "reason": "citizen",
        "language": "nl",
        "contact": CONTACT,
    },
    "AppointmentAttended": {**APPOINTMENT, "attended_at": T0 + timedelta(days=4)},
    "AppointmentNoShow": {
        **APPOINTMENT,
        "service": "itsme_setup",
        "starts_at": T0 + timedelta(days=4),
        "language": "nl",
        "contact": CONTACT,
    },
    "AppointmentSlotOffered": {
        **APPOINTMENT,
        "starts_at": T0 + timedelta(days=4),
        "ends_at": T0 + timedelta(days=4, minutes=30),
        "service": "ebox_activation",
        "language": "fr",
        "contact": CONTACT,
        "offer_expires_at": T0 + timedelta(minutes=30),
        "claim_url": "https://loket.example/public/book/claim/3f0c1f7e-6b1a-4a51-9a61-7f3f1f0b2c11?token=abc",
    },
    "DeviceLent": {
        **LOAN,
        "device_kind": "laptop",
        "due_at": T0 + timedelta(days=14),
        "contact": CONTACT,
        "language": "nl",
    },
    "DeviceReturned": {
        **LOAN,
        "returned_at": T0 + timedelta(days=13),
        "condition": "good",
        "notes": "charger included",
    },
    "DeviceLoanOverdue": {
        **LOAN,
        "due_at": T0 + timedelta(days=14),
        "days_overdue": 3,
        "contact": CONTACT,
        "language": "nl",
    },
    "DeviceLoanRenewed": {
        **LOAN,
        "device_kind": "laptop",
        "previous_due_at": T0 + timedelta(days=14),
        "due_at": T0 + timedelta(days=28),
        "renewals": 1,
        "contact": CONTACT,
        "language": "nl",
    },
    "DeviceAvailable": {
        "entry_id": UUID("6f1c2a40-0000-4000-8000-0000000000e1"),
        "device_id": "mech-tab-02",
        "device_kind": "tablet",
        "point_id": "mechelen-digibank-predikheren",
        "point_name": "Digibank Predikheren",
        "municipality": "12025",
        "contact": CONTACT,
        "language": "nl",
        "held_until": T0 + timedelta(days=3),
    },
    "PhoneCodeRequested": {
        "check_id": ACTIVATION_ID,
        **POINT,
        "point_name": "Stadhuis Mechelen",
        "phone": "+32470123456",
        "language": "nl",
        "code": "042917",
        "expires_at": T0 + timedelta(minutes=10),
    },
    "CitizenErasureRequested": {
        "erasure_id": ACTIVATION_ID,
        "national_number": NATIONAL_NUMBER,
        "requested_at": T0,
    },
    "EboxActivationAssisted": {
        "activation_id": ACTIVATION_ID,
        "visit_id": VISIT_ID,
        **POINT,
        "national_number": NATIONAL_NUMBER,
        "consent_given": True,
        "activated_at": T0,
    },
    "NotificationSent": {
        **NOTIFICATION,
        "municipality": MECHELEN,
        "trigger_event_id": TRIGGER_EVENT_ID,
        "language": "nl",
        "sent_at": T0,
    },
    "NotificationDelivered": {**NOTIFICATION, "delivered_at": T0 + timedelta(seconds=4)},
    "NotificationFailed": {
        **NOTIFICATION,
        "status": "permanent-failure",
        "reason": "number not in service",
        "failed_at": T0 + timedelta(seconds=4),
    },
    "CampaignLinkVisited": {
        "visit_id": UUID("6f1c2a40-0000-4000-8000-0000000000c1"),
        "campaign": "i12025-2026q4",
        "municipality": "12025",
        "point_id": "mechelen-stadhuis",
        "visited_at": T0,
    },
    "LetterInsertDecided": {
        "letter_id": LETTER_ID,
        "municipality": "12025",
        "department": "finance",
        "campaign": "i12025-2026q4",
        "arm": "holdout",
        "decided_at": T0,
    },
    **WORKSHOP_PAYLOADS,
    "AssistancePointPublished": {
        "point_id": "mechelen-stadhuis",
        "municipality": "12025",
        "kind": "municipal_counter",
        "name": {"nl": "Stadhuis Mechelen - Digitale Hulp", "en": "Mechelen City Hall - Digital Help"},
        "address": {"street": "Grote Markt", "number": "21", "postcode": "2800", "town": "Mechelen"},
        "latitude": 51.028,
        "longitude": 4.48,
        "phone": "+32 15 29 76 00",
        "languages": ["nl", "en"],
        "services": ["ebox_activation", "itsme_setup"],
        "connectoo_label": True,
        "walk_in_hours": {"mon": ["09:00-12:30", "13:30-16:00"], "wed": ["09:00-12:30"]},
        "published_at": T0,
    },
}

PRODUCERS = {
    "letters.issued.v1": "mechelen-finance-backoffice",
    "letters.status.v1": "ebox_bridge",
    "visits.v1": "booking",
    "appointments.v1": "booking",
    "points.v1": "booking",
    "devices.v1": "booking",
    "citizens.v1": "booking",
    "notifications.v1": "notify",
}


def example(event_type: str, envelope: dict[str, Any] | None = None, **payload: Any) -> Event:
    """A valid instance of `event_type`, with payload fields overridden by `payload`."""
    cls = EVENT_TYPES[event_type]
    fields: dict[str, Any] = {"producer": PRODUCERS[cls.topic], "occurred_at": T0}
    fields.update(envelope or {})
    return cls(**fields, payload={**PAYLOADS[event_type], **payload})


def payload_dict(event_type: str, **overrides: Any) -> dict[str, Any]:
    """A copy of an example payload as plain data, for building invalid variants."""
    return {**PAYLOADS[event_type], **overrides}


def all_examples() -> list[Event]:
    return [example(event_type) for event_type in PAYLOADS]
