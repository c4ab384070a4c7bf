"""notify's workshop messages (pure planning, and the planning handler on the in-memory fakes):
a place gets its confirmation now and one reminder the day before at 10:00 in Brussels, also on
both DST change days of 2026; waiting gets a notice and no reminder until a place comes; a
redelivered event plans nothing twice; a cancellation drops what still waits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from loket.contracts import Event
from loket.contracts.workshops import (
    WorkshopPlaceOffered,
    WorkshopRegistered,
    WorkshopRegistrationCancelled,
)
from services.notify.app import APPOINTMENT_TRIGGERS
from services.notify.handlers import PlanMessages
from services.notify.planning import WORKSHOP_REMINDER_AT, plan, workshop_reminder_time
from services.notify.rendering import BRUSSELS, render
from services.notify.settings import NotifySettings
from tests.support.fake_notifications import FakeNotifications
from tests.support.fakes import FakeInbox, FakeOutbox, deliver

REGISTRATION = uuid.uuid4()
CONTACT = {"phone": "+32470123456", "language": "fr"}


def ref(starts_at: dt.datetime) -> dict[str, Any]:
    return {"registration_id": REGISTRATION, "workshop_id": uuid.uuid4(), "point_id": "mechelen-digibank-predikheren",
            "municipality": "12025", "starts_at": starts_at, "point_name": "Digibank Predikheren"}


def registered(starts_at: dt.datetime, at: dt.datetime, waiting: bool = False) -> WorkshopRegistered:
    return WorkshopRegistered(producer="test", occurred_at=at, payload={
        **ref(starts_at), "title": "Veilig internetbankieren", "ends_at": starts_at + dt.timedelta(hours=2),
        "workshop_language": "nl", "language": "fr", "contact": CONTACT, "waiting": waiting,
        "place_in_line": 3 if waiting else None})


def offered(starts_at: dt.datetime, at: dt.datetime) -> WorkshopPlaceOffered:
    return WorkshopPlaceOffered(producer="test", occurred_at=at, payload={
        **ref(starts_at), "title": "Veilig internetbankieren", "ends_at": starts_at + dt.timedelta(hours=2),
        "workshop_language": "nl", "language": "fr", "contact": CONTACT})


def cancelled(starts_at: dt.datetime, at: dt.datetime) -> WorkshopRegistrationCancelled:
    return WorkshopRegistrationCancelled(producer="test", occurred_at=at, payload={
        **ref(starts_at), "cancelled_by": "citizen", "was_waiting": False, "language": "fr", "contact": CONTACT})


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS).astimezone(dt.UTC)


# (workshop's local day, the reminder's UTC instant): 10:00 in Brussels is 08:00 UTC in summer
# time and 09:00 UTC in winter time; on and the day after each change day of 2026.
DST_CASES = [
    (dt.date(2026, 3, 29), dt.datetime(2026, 3, 28, 9, tzinfo=dt.UTC)),  # reminder the day before, still winter
    (dt.date(2026, 3, 30), dt.datetime(2026, 3, 29, 8, tzinfo=dt.UTC)),  # reminder on the change day, summer
    (dt.date(2026, 10, 25), dt.datetime(2026, 10, 24, 8, tzinfo=dt.UTC)),  # the day before, still summer
    (dt.date(2026, 10, 26), dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC)),  # on the change day, winter
]


@pytest.mark.parametrize(("day", "reminder_utc"), DST_CASES)
@pytest.mark.parametrize("hour", [9, 14, 19])
def test_the_reminder_goes_the_day_before_at_ten_in_brussels_across_dst(day, reminder_utc, hour) -> None:  # type: ignore[no-untyped-def]
    starts = local(day, hour)
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) if day.month == 3 else dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    planned = plan(registered(starts, now), now, [24, 2], "https://loket.example/public/book").messages
    assert [m.kind for m in planned] == ["workshop_confirmation", "workshop_reminder"]
    reminder = planned[1]
    assert reminder.due_at == reminder_utc == workshop_reminder_time(starts)
    on_the_clock = reminder.due_at.astimezone(BRUSSELS)
    assert on_the_clock.time() == WORKSHOP_REMINDER_AT and on_the_clock.date() == day - dt.timedelta(days=1)
    # The reminder names the workshop's hour on the clock, in the citizen's language.
    assert f"{hour:02d}:00" in render("workshop_reminder", reminder.language, reminder.context).body


def test_waiting_gets_a_notice_the_place_brings_the_reminder_and_a_late_registration_gets_none() -> None:
    starts = local(dt.date(2026, 10, 26), 14)
    now = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    waiting = plan(registered(starts, now, waiting=True), now, [], "").messages
    assert [m.kind for m in waiting] == ["workshop_waiting"] and waiting[0].context["line"] == 3
    assert "3" in render("workshop_waiting", "fr", waiting[0].context).body
    placed = plan(offered(starts, now), now, [], "").messages
    assert [m.kind for m in placed] == ["workshop_place", "workshop_reminder"]
    late = local(dt.date(2026, 10, 25), 18)  # after the day-before 10:00: the confirmation is enough
    assert [m.kind for m in plan(registered(starts, late), late, [], "").messages] == ["workshop_confirmation"]


class Planner:
    """PlanMessages on the fakes, fed like the consumer feeds it (through one inbox)."""

    def __init__(self) -> None:
        self.messages = FakeNotifications()
        self.handler = PlanMessages(self.messages, NotifySettings(), lambda: dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
        self.inbox, self.outbox = FakeInbox(), FakeOutbox()

    async def feed(self, *events: Event) -> None:
        await deliver(dict.fromkeys(APPOINTMENT_TRIGGERS, self.handler), events, outbox=self.outbox, inbox=self.inbox)


async def test_a_redelivered_registration_plans_one_reminder_and_a_cancellation_drops_it() -> None:
    starts = local(dt.date(2026, 3, 30), 10)
    at = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    event = registered(starts, at)
    planner = Planner()
    await planner.feed(event)
    await planner.feed(event)  # redelivered by the bus
    planner.inbox = FakeInbox()
    await planner.feed(event)  # even past the inbox: the dedupe key holds
    assert len(planner.messages.with_status("created", "workshop_reminder")) == 1
    assert len(planner.messages.with_status("created", "workshop_confirmation")) == 1

    await planner.feed(cancelled(starts, at + dt.timedelta(hours=1)))
    assert planner.messages.with_status("created", "workshop_reminder") == []
    assert [m.kind for m in planner.messages.with_status("cancelled")] == ["workshop_confirmation",
                                                                          "workshop_reminder"]
    assert [m.kind for m in planner.messages.with_status("created")] == ["workshop_cancelled"]
