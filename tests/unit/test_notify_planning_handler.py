"""notify's planning handler on the in-memory fakes (no PostgreSQL): what a booking, a
reschedule, a cancel and a redelivery leave waiting. tests/integration/test_notify_delivery.py
checks the same on PostgreSQL and NATS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from loket.contracts import Event
from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from services.notify.app import APPOINTMENT_TRIGGERS
from services.notify.handlers import PlanMessages
from services.notify.settings import NotifySettings
from tests.support.fake_notifications import FakeNotifications
from tests.support.fakes import FakeInbox, FakeOutbox, deliver

NOW = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
STARTS = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
APPOINTMENT = uuid.uuid4()
CONTACT = {"phone": "+32470123456", "language": "nl"}
PLACE = {"appointment_id": APPOINTMENT, "point_id": "mechelen-stadhuis", "municipality": "12025", "language": "nl",
         "contact": CONTACT}


def booked() -> AppointmentBooked:
    return AppointmentBooked(producer="test", occurred_at=NOW, payload={
        **PLACE, "point_name": "Stadhuis", "starts_at": STARTS, "ends_at": STARTS + dt.timedelta(minutes=30),
        "point_kind": "municipal_counter", "service": "ebox_activation", "helper_id": "h1", "booked_via": "citizen",
        "lead_time_seconds": 3600})


def rescheduled(to: dt.datetime) -> AppointmentRescheduled:
    return AppointmentRescheduled(producer="test", occurred_at=NOW + dt.timedelta(minutes=1), payload={
        **PLACE, "starts_at": to, "ends_at": to + dt.timedelta(minutes=30), "old_starts_at": STARTS})


def cancelled() -> AppointmentCancelled:
    return AppointmentCancelled(producer="test", occurred_at=NOW + dt.timedelta(minutes=2), payload={
        **PLACE, "starts_at": STARTS, "reason": "point_closed"})


class Planner:
    """PlanMessages on the fakes, fed like the consumer feeds it (through one inbox)."""

    def __init__(self) -> None:
        self.notifications, self.inbox, self.outbox = FakeNotifications(), FakeInbox(), FakeOutbox()
        handler = PlanMessages(self.notifications, NotifySettings(reminder_offsets_hours="24,2"), lambda: NOW)
        self.handlers: dict[type[Event], Any] = dict.fromkeys(APPOINTMENT_TRIGGERS, handler)

    async def deliver(self, *events: Event) -> int:
        return await deliver(self.handlers, events, outbox=self.outbox, inbox=self.inbox)

    def waiting(self, kind: str) -> list[dt.datetime]:
        return sorted(p.due_at for p in self.notifications.with_status("created", kind))


async def test_a_booking_plans_a_confirmation_now_and_reminders_24_h_and_2_h_before() -> None:
    planner = Planner()
    await planner.deliver(booked())
    assert planner.waiting("appointment_confirmation") == [NOW]
    assert planner.waiting("appointment_reminder") == [STARTS - dt.timedelta(hours=24), STARTS - dt.timedelta(hours=2)]
    assert planner.outbox.events == []  # planning emits nothing; the dispatcher reports outcomes


async def test_a_reschedule_moves_the_reminders() -> None:
    planner = Planner()
    later = STARTS + dt.timedelta(days=1)
    await planner.deliver(booked())
    await planner.deliver(rescheduled(later))
    assert planner.waiting("appointment_reminder") == [later - dt.timedelta(hours=24), later - dt.timedelta(hours=2)]
    assert len(planner.notifications.with_status("cancelled", "appointment_reminder")) == 2
    assert planner.waiting("appointment_rescheduled") == [NOW]


async def test_a_reschedule_in_the_same_broker_batch_moves_the_reminders_too() -> None:
    planner = Planner()
    later = STARTS + dt.timedelta(days=1)
    await planner.deliver(booked(), rescheduled(later))
    assert planner.waiting("appointment_reminder") == [later - dt.timedelta(hours=24), later - dt.timedelta(hours=2)]


async def test_a_cancel_drops_the_reminders() -> None:
    planner = Planner()
    await planner.deliver(booked())
    await planner.deliver(cancelled())
    assert planner.waiting("appointment_reminder") == []
    assert len(planner.notifications.with_status("cancelled", "appointment_reminder")) == 2
    assert planner.waiting("appointment_cancelled") == [NOW]


async def test_a_redelivered_event_plans_nothing_twice() -> None:
    planner = Planner()
    event = booked()
    assert await planner.deliver(event) == 1
    planned = dict(planner.notifications.messages)
    assert await planner.deliver(event) == 0  # the inbox knows it
    assert planner.notifications.messages == planned
    # Past the inbox too (another consumer group's copy, an inbox row purged): the dedupe keys hold.
    await deliver(planner.handlers, [event], outbox=planner.outbox, inbox=FakeInbox())
    assert planner.notifications.messages == planned
    assert len(planned) == 3
