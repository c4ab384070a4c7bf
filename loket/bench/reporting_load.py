"""A mixed event load for `loket bench reporting`: visits, appointments with reminders,
letters (by reference, so the bus carries no PDFs), activations and loans, in the proportions
of a municipality's ordinary week."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid

from loket.contracts import Event
from loket.contracts.appointments import (
    AppointmentAttended,
    AppointmentBooked,
    AppointmentNoShow,
)
from loket.contracts.devices import DeviceLent, DeviceReturned
from loket.contracts.letter_status import LetterDeliveredToEbox, LetterQueuedForPrint
from loket.contracts.letters import LetterIssued
from loket.contracts.notifications import NotificationDelivered, NotificationSent
from loket.contracts.visits import VisitEnded, VisitStarted

TOWNS = ("12025", "21005", "53044", "85039", "63023")
KINDS = ("municipal_counter", "digibank", "post_office", "public_digital_space")
CONTACT = {"phone": "+32470123456", "language": "nl"}
SHA = hashlib.sha256(b"bench").hexdigest()


def national_number(index: int) -> str:
    first_nine = f"8501{1 + index // 900 % 28:02d}{1 + index % 900:03d}"
    return f"{first_nine}{97 - int(first_nine) % 97:02d}"


def mixed_events(count: int, seed: int = 11) -> list[Event]:
    rng, events, unit = random.Random(seed), [], 0
    start = dt.datetime(2026, 5, 1, 7, tzinfo=dt.UTC)
    while len(events) < count:
        at = start + dt.timedelta(minutes=unit)
        town, kind = rng.choice(TOWNS), rng.choice(KINDS)
        point = {"point_id": f"point-{unit % 40}", "municipality": town}
        visit = uuid.uuid4()
        events += [
            VisitStarted(producer="bench", occurred_at=at, payload={
                **point, "point_kind": kind, "visit_id": visit, "helper_id": "h1", "language": "nl", "started_at": at,
                "ticket_id": "t", "waited_seconds": rng.randint(60, 1800)}),
            VisitEnded(producer="bench", occurred_at=at, payload={
                **point, "point_kind": kind, "visit_id": visit, "topic": "ebox", "language": "nl",
                "outcome": rng.choice(("resolved", "referred", "needs_appointment")), "duration_seconds": 1200,
                "ended_at": at + dt.timedelta(minutes=20)})]
        appointment, starts = uuid.uuid4(), at + dt.timedelta(days=2)
        events.append(AppointmentBooked(producer="bench", occurred_at=at, payload={
            **point, "appointment_id": appointment, "starts_at": starts, "ends_at": starts + dt.timedelta(minutes=30),
            "point_kind": kind, "service": "ebox_activation", "helper_id": "h1", "language": "nl", "contact": CONTACT,
            "booked_via": "citizen", "lead_time_seconds": 172800}))
        if rng.random() < 0.8:
            events.append(AppointmentAttended(producer="bench", occurred_at=starts, payload={
                **point, "appointment_id": appointment, "attended_at": starts}))
        else:
            events.append(AppointmentNoShow(producer="bench", occurred_at=starts, payload={
                **point, "appointment_id": appointment, "service": "ebox_activation", "starts_at": starts,
                "language": "nl", "contact": CONTACT}))
        note = {"notification_id": uuid.uuid4(), "kind": "appointment_reminder", "channel": "sms",
                "trigger_aggregate_id": str(appointment)}
        events += [NotificationSent(producer="bench", occurred_at=at, payload={
                       **note, "municipality": town, "trigger_event_id": uuid.uuid4(), "language": "nl", "sent_at": at}),
                   NotificationDelivered(producer="bench", occurred_at=at, payload={**note, "delivered_at": at})]
        letter = uuid.uuid4()
        events.append(LetterIssued(producer="bench", occurred_at=at, payload={
            "letter_id": letter, "municipality": town, "department": "finance", "document_type": "invoice",
            "recipient_national_number": national_number(unit), "language": "nl", "subject": "Factuur",
            "document_ref": f"s3://bench/{letter}.pdf", "sha256": SHA}))
        ctx = {"letter_id": letter, "municipality": town, "department": "finance", "document_type": "invoice"}
        if rng.random() < 0.4:
            events.append(LetterDeliveredToEbox(producer="bench", occurred_at=at, payload={
                **ctx, "ebox_message_id": f"m{unit}", "important": False, "language": "nl", "delivered_at": at}))
        else:
            events.append(LetterQueuedForPrint(producer="bench", occurred_at=at, payload={
                **ctx, "reason": "no_digital_user", "postage_class": "non_prior", "pages": 2}))
        if unit % 10 == 0:
            loan = {"loan_id": uuid.uuid4(), "device_id": f"d{unit}", **point}
            events += [DeviceLent(producer="bench", occurred_at=at, payload={
                           **loan, "device_kind": "laptop", "due_at": at + dt.timedelta(days=14), "language": "nl"}),
                       DeviceReturned(producer="bench", occurred_at=at, payload={
                           **loan, "returned_at": at + dt.timedelta(days=10), "condition": "good"})]
        unit += 1
    return events[:count]
