"""Events → read-model rows. One upsert statement per event type, run with executemany over a
broker batch; each statement writes only the facts its event knows, so any order and any
number of repeats give the same rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import asyncpg

from loket.contracts import Event
from services.reporting.pseudonyms import Pseudonymizer

Row = tuple[Any, ...]
# Columns set from context every event of an aggregate may carry: keep the first known value.
KEEP = "coalesce({t}.{c}, EXCLUDED.{c})"


def _upsert(table: str, key: str, columns: list[str], assign: dict[str, str]) -> str:
    params = ", ".join(f"${i + 1}" for i in range(len(columns)))
    sets = ", ".join(f"{c} = {assign.get(c, KEEP).format(t=table, c=c)}" for c in columns if c != key)
    return (f"INSERT INTO {{schema}}.{table} ({', '.join(columns)}) VALUES ({params}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets}")


LATEST = "EXCLUDED.{c}"
VISIT = ["visit_id", "point_id", "municipality", "point_kind"]
APPT = ["appointment_id", "point_id", "municipality"]
LETTER = ["letter_id", "municipality", "department", "document_type"]
NOTE = ["notification_id", "kind", "channel", "trigger_aggregate_id"]
LOAN = ["loan_id", "point_id", "municipality"]

# event type → (SQL, row builder)
STATEMENTS: dict[str, tuple[str, Callable[[Any, Pseudonymizer], Row]]] = {
    "VisitStarted": (_upsert("visits", "visit_id", [*VISIT, "language", "walk_in", "started_at", "waited_seconds"],
                             {"started_at": LATEST, "waited_seconds": LATEST, "walk_in": LATEST}),
                     lambda e, _: (e.payload.visit_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                                   e.payload.language, e.payload.ticket_id is not None, e.payload.started_at,
                                   e.payload.waited_seconds)),
    "VisitEnded": (_upsert("visits", "visit_id", [*VISIT, "language", "ended_at", "topic", "outcome", "duration_seconds"],
                           {c: LATEST for c in ("language", "ended_at", "topic", "outcome", "duration_seconds")}),
                   lambda e, _: (e.payload.visit_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                                 e.payload.language, e.payload.ended_at, e.payload.topic, e.payload.outcome,
                                 e.payload.duration_seconds)),
    "AppointmentBooked": (
        _upsert("appointments", "appointment_id", [*APPT, "point_kind", "service", "language", "booked_via",
                                                   "booked_at", "lead_time_seconds", "starts_at", "starts_version"],
                {"booked_at": LATEST, "lead_time_seconds": LATEST, "booked_via": LATEST,
                 "starts_at": "CASE WHEN appointments.starts_version > EXCLUDED.starts_version "
                              "THEN appointments.starts_at ELSE EXCLUDED.starts_at END",
                 "starts_version": "greatest(appointments.starts_version, EXCLUDED.starts_version)"}),
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                      e.payload.service, e.payload.language, e.payload.booked_via, e.occurred_at,
                      e.payload.lead_time_seconds, e.payload.starts_at, e.occurred_at)),
    "AppointmentRescheduled": (
        _upsert("appointments", "appointment_id", [*APPT, "starts_at", "starts_version"],
                {"starts_at": "CASE WHEN appointments.starts_version > EXCLUDED.starts_version "
                              "THEN appointments.starts_at ELSE EXCLUDED.starts_at END",
                 "starts_version": "greatest(appointments.starts_version, EXCLUDED.starts_version)"}),
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.payload.starts_at,
                      e.occurred_at)),
    "AppointmentCancelled": (_upsert("appointments", "appointment_id", [*APPT, "cancelled_at", "cancel_reason"],
                                     {"cancelled_at": LATEST, "cancel_reason": LATEST}),
                             lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality,
                                           e.occurred_at, e.payload.reason)),
    "AppointmentAttended": (_upsert("appointments", "appointment_id", [*APPT, "attended_at"], {"attended_at": LATEST}),
                            lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality,
                                          e.payload.attended_at)),
    "AppointmentNoShow": (_upsert("appointments", "appointment_id", [*APPT, "no_show_at"], {"no_show_at": LATEST}),
                          lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality,
                                        e.occurred_at)),
    "NotificationSent": (_upsert("notifications", "notification_id", [*NOTE, "municipality", "sent_at"],
                                 {"sent_at": LATEST}),
                         lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel,
                                       e.payload.trigger_aggregate_id, e.payload.municipality, e.payload.sent_at)),
    "NotificationDelivered": (_upsert("notifications", "notification_id", [*NOTE, "delivered_at"],
                                      {"delivered_at": LATEST}),
                              lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel,
                                            e.payload.trigger_aggregate_id, e.payload.delivered_at)),
    "NotificationFailed": (_upsert("notifications", "notification_id", [*NOTE, "failed_status", "failed_at"],
                                   {"failed_status": LATEST, "failed_at": LATEST}),
                           lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel,
                                         e.payload.trigger_aggregate_id, e.payload.status, e.payload.failed_at)),
    "LetterIssued": (_upsert("letters", "letter_id", [*LETTER, "language", "important", "citizen", "issued_at"],
                             {"language": LATEST, "important": LATEST, "citizen": LATEST, "issued_at": LATEST}),
                     lambda e, p: (e.payload.letter_id, e.payload.municipality, e.payload.department,
                                   e.payload.document_type, e.payload.language, e.payload.important,
                                   p(str(e.payload.recipient_national_number)), e.occurred_at)),
    "LetterDeliveredToEbox": (_upsert("letters", "letter_id", [*LETTER, "ebox_delivered_at"],
                                      {"ebox_delivered_at": LATEST}),
                              lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department,
                                            e.payload.document_type, e.payload.delivered_at)),
    "LetterRead": (_upsert("letters", "letter_id", ["letter_id", "read_at"], {"read_at": LATEST}),
                   lambda e, _: (e.payload.letter_id, e.payload.read_at)),
    "LetterUnreadEscalated": (_upsert("letters", "letter_id", [*LETTER, "escalated_at"], {"escalated_at": LATEST}),
                              lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department,
                                            e.payload.document_type, e.occurred_at)),
    "LetterQueuedForPrint": (_upsert("letters", "letter_id", [*LETTER, "queued_at", "print_reason", "postage_class",
                                                              "pages"],
                                     {c: LATEST for c in ("queued_at", "print_reason", "postage_class", "pages")}),
                             lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department,
                                           e.payload.document_type, e.occurred_at, e.payload.reason,
                                           e.payload.postage_class, e.payload.pages)),
    "LetterPrinted": (_upsert("letters", "letter_id", ["letter_id", "printed_at"], {"printed_at": LATEST}),
                      lambda e, _: (e.payload.letter_id, e.occurred_at)),
    "LetterPosted": (_upsert("letters", "letter_id", ["letter_id", "posted_at"], {"posted_at": LATEST}),
                     lambda e, _: (e.payload.letter_id, e.payload.posted_at)),
    "LetterReturned": (_upsert("letters", "letter_id", ["letter_id", "returned_at"], {"returned_at": LATEST}),
                       lambda e, _: (e.payload.letter_id, e.occurred_at)),
    "LetterFailed": (_upsert("letters", "letter_id", [*LETTER, "failed_channel", "failed_code"],
                             {"failed_channel": LATEST, "failed_code": LATEST}),
                     lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department,
                                   e.payload.document_type, e.payload.channel, e.payload.code)),
    "EboxActivationAssisted": (
        _upsert("activations", "activation_id", ["activation_id", "citizen", "point_id", "municipality", "activated_at"],
                {"citizen": LATEST, "activated_at": LATEST}),
        lambda e, p: (e.payload.activation_id, p(str(e.payload.national_number) if e.payload.national_number else None),
                      e.payload.point_id, e.payload.municipality, e.payload.activated_at)),
    "DeviceLent": (_upsert("loans", "loan_id", [*LOAN, "device_kind", "lent_at", "due_at"],
                           {"device_kind": LATEST, "lent_at": LATEST, "due_at": LATEST}),
                   lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality, e.payload.device_kind,
                                 e.occurred_at, e.payload.due_at)),
    "DeviceReturned": (_upsert("loans", "loan_id", [*LOAN, "returned_at", "condition"],
                               {"returned_at": LATEST, "condition": LATEST}),
                       lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality,
                                     e.payload.returned_at, e.payload.condition)),
    "DeviceLoanOverdue": (_upsert("loans", "loan_id", [*LOAN, "overdue_days"],
                                  {"overdue_days": "greatest(loans.overdue_days, EXCLUDED.overdue_days)"}),
                          lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality,
                                        e.payload.days_overdue)),
}
PROJECTED = frozenset(STATEMENTS)


async def project(conn: asyncpg.Connection, schema: str, events: list[Event], pseudonymize: Pseudonymizer) -> int:
    rows: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        if event.event_type in STATEMENTS:
            rows[event.event_type].append(STATEMENTS[event.event_type][1](event, pseudonymize))
    for event_type, batch in rows.items():
        await conn.executemany(STATEMENTS[event_type][0].format(schema=schema), batch)
    return sum(len(b) for b in rows.values())
