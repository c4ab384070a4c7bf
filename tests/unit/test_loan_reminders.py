"""notify's loan reminders, pure and on the in-memory fakes: a reminder the day before the due
day at 10:00 Brussels (also when either DST change day is the reminder's day or the due day),
planned once however often the event comes, moved by a renewal, dropped by a return; a device
offered from the waitlist is one message at once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from loket.contracts import Event
from loket.contracts.devices import DeviceAvailable, DeviceLent, DeviceLoanRenewed, DeviceReturned
from services.notify.app import DEVICE_TRIGGERS
from services.notify.handlers import PlanMessages
from services.notify.planning import loan_reminder_time, plan
from services.notify.rendering import BRUSSELS, render
from services.notify.settings import NotifySettings
from tests.support.fake_notifications import FakeNotifications
from tests.support.fakes import FakeInbox, FakeOutbox, deliver

UTC = dt.UTC
LOAN = uuid.uuid4()
CONTACT = {"phone": "+32470123456", "language": "fr"}
REF = {"loan_id": LOAN, "device_id": "mech-lap-01", "point_id": "mechelen-digibank-predikheren",
       "municipality": "12025"}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BRUSSELS).astimezone(UTC)


def lent(due_at: dt.datetime, at: dt.datetime, contact: dict[str, Any] | None = CONTACT) -> DeviceLent:
    return DeviceLent(producer="test", occurred_at=at, payload={
        **REF, "device_kind": "laptop", "due_at": due_at, "contact": contact, "language": "nl"})


def renewed(previous: dt.datetime, due_at: dt.datetime, at: dt.datetime) -> DeviceLoanRenewed:
    return DeviceLoanRenewed(producer="test", occurred_at=at, payload={
        **REF, "device_kind": "laptop", "previous_due_at": previous, "due_at": due_at, "renewals": 1,
        "contact": CONTACT, "language": "nl"})


def returned(at: dt.datetime) -> DeviceReturned:
    return DeviceReturned(producer="test", occurred_at=at, payload={
        **REF, "returned_at": at, "condition": "good"})


# The reminder's own day, and the due day, on each 2026 change day (29 March: 23 hours long;
# 25 October: 25 hours long).
@pytest.mark.parametrize("due_day", [dt.date(2026, 3, 29), dt.date(2026, 3, 30),
                                     dt.date(2026, 10, 25), dt.date(2026, 10, 26)])
def test_the_reminder_goes_the_day_before_at_ten_local_across_both_dst_changes(due_day: dt.date) -> None:
    due = local(due_day, 23, 59)
    now = due - dt.timedelta(days=21)
    (message,) = plan(lent(due, now), now, [24, 2], "u").messages
    assert message.kind == "device_loan_due_reminder"
    assert message.due_at.astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime.combine(
        due_day - dt.timedelta(days=1), dt.time(10))
    # At 10:00 on 29 March the clocks have moved forward already; on 25 October back already.
    summer = dt.date(2026, 3, 29) <= due_day - dt.timedelta(days=1) < dt.date(2026, 10, 25)
    assert message.due_at.hour == (8 if summer else 9)  # 10:00 CEST is 08:00 UTC, 10:00 CET 09:00 UTC
    assert message.context["due"] == due.isoformat()


def test_on_the_change_days_themselves_the_utc_instant_shifts_by_the_hour_the_clocks_move() -> None:
    # Sunday's reminder (for a Monday due date) and Saturday's are 23 or 25 real hours apart,
    # while both read 10:00 on the wall clock.
    spring = loan_reminder_time(local(dt.date(2026, 3, 30), 23, 59)) - loan_reminder_time(local(dt.date(2026, 3, 29),
                                                                                               23, 59))
    autumn = loan_reminder_time(local(dt.date(2026, 10, 26), 23, 59)) - loan_reminder_time(local(dt.date(2026, 10, 25),
                                                                                                23, 59))
    assert (spring, autumn) == (dt.timedelta(hours=23), dt.timedelta(hours=25))
    assert loan_reminder_time(local(dt.date(2026, 3, 30), 23, 59)) == dt.datetime(2026, 3, 29, 8, tzinfo=UTC)
    assert loan_reminder_time(local(dt.date(2026, 10, 26), 23, 59)) == dt.datetime(2026, 10, 25, 9, tzinfo=UTC)


def test_a_due_instant_late_in_the_utc_day_is_still_that_local_day() -> None:
    # 00:30 Brussels on 30 March is 22:30 UTC on the 29th: the reminder is the 29th (the day
    # before the local due day), the message names the 30th.
    due = local(dt.date(2026, 3, 30), 0, 30)
    assert due.date() == dt.date(2026, 3, 29)
    assert loan_reminder_time(due) == dt.datetime(2026, 3, 29, 8, tzinfo=UTC)
    (message,) = plan(lent(due, due - dt.timedelta(days=5)), due - dt.timedelta(days=5), [], "u").messages
    assert "30 mars" in render(message.kind, "fr", message.context).body


def test_no_reminder_without_a_contact_or_when_the_day_before_has_passed() -> None:
    due = local(dt.date(2026, 5, 4), 23, 59)
    assert plan(lent(due, due - dt.timedelta(days=3), contact=None), due - dt.timedelta(days=3), [], "u").messages == []
    late = local(dt.date(2026, 5, 3), 10, 1)
    assert plan(lent(due, late), late, [], "u").messages == []


class Planner:
    def __init__(self, now: dt.datetime) -> None:
        self.notifications, self.inbox, self.outbox = FakeNotifications(), FakeInbox(), FakeOutbox()
        handler = PlanMessages(self.notifications, NotifySettings(), lambda: now)
        self.handlers: dict[type[Event], Any] = dict.fromkeys(DEVICE_TRIGGERS, handler)

    async def deliver(self, *events: Event) -> int:
        return await deliver(self.handlers, events, outbox=self.outbox, inbox=self.inbox)

    def waiting(self, kind: str) -> list[dt.datetime]:
        return sorted(p.due_at for p in self.notifications.with_status("created", kind))


async def test_a_loan_plans_its_reminder_once_a_renewal_moves_it_and_a_return_drops_it() -> None:
    now = local(dt.date(2026, 10, 5), 14)
    first_due, second_due = local(dt.date(2026, 10, 26), 23, 59), local(dt.date(2026, 11, 16), 23, 59)
    planner = Planner(now)
    event = lent(first_due, now)
    await planner.deliver(event)
    await planner.deliver(event)  # redelivered: nothing twice
    assert planner.waiting("device_loan_due_reminder") == [dt.datetime(2026, 10, 25, 9, tzinfo=UTC)]

    renewal = renewed(first_due, second_due, now + dt.timedelta(days=1))
    await planner.deliver(renewal)
    await planner.deliver(renewal)
    assert planner.waiting("device_loan_due_reminder") == [dt.datetime(2026, 11, 15, 9, tzinfo=UTC)]

    await planner.deliver(returned(now + dt.timedelta(days=2)))
    assert planner.waiting("device_loan_due_reminder") == []
    assert len(planner.notifications.with_status("cancelled", "device_loan_due_reminder")) == 2


async def test_a_return_in_the_same_broker_batch_as_the_loan_leaves_no_reminder() -> None:
    now = local(dt.date(2026, 5, 1), 14)
    planner = Planner(now)
    await planner.deliver(lent(local(dt.date(2026, 5, 20), 23, 59), now), returned(now + dt.timedelta(minutes=5)))
    assert planner.waiting("device_loan_due_reminder") == []


async def test_a_device_offered_from_the_waitlist_is_one_message_now_naming_the_kind_and_place() -> None:
    now = local(dt.date(2026, 5, 1), 14)
    planner = Planner(now)
    offer = DeviceAvailable(producer="test", occurred_at=now, payload={
        "entry_id": uuid.uuid4(), "device_id": "mech-tab-02", "device_kind": "tablet",
        "point_id": "mechelen-digibank-predikheren", "point_name": "Digibank Predikheren", "municipality": "12025",
        "contact": {"email": "an@example.org", "language": "nl"}, "language": "nl"})
    await planner.deliver(offer)
    await planner.deliver(offer)
    (message,) = planner.notifications.with_status("created", "device_available")
    assert message.due_at == now and message.channels == ("email",)
    body = render(message.kind, message.language, message.context).body
    assert "tablet" in body and "Digibank Predikheren" in body and "device" not in body


async def test_an_offer_that_holds_the_device_says_until_which_day_in_the_citizens_language() -> None:
    now = local(dt.date(2026, 10, 23), 14)
    planner = Planner(now)
    offer = DeviceAvailable(producer="test", occurred_at=now, payload={
        # Eupen: German is the language of the municipality (a Dutch-speaking one would write Dutch).
        "entry_id": uuid.uuid4(), "device_id": "eup-lap-02", "device_kind": "laptop",
        "point_id": "eupen-digibank", "point_name": "Digibank Eupen", "municipality": "63023",
        "contact": {"email": "an@example.org", "language": "de"}, "language": "de",
        # Kept to the end of Sunday 25 October, Brussels: 22:59 UTC once the clocks went back.
        "held_until": dt.datetime(2026, 10, 25, 22, 59, tzinfo=dt.UTC)})
    await planner.deliver(offer)
    (message,) = planner.notifications.with_status("created", "device_available")
    body = render(message.kind, message.language, message.context).body
    assert "bis zum 25. Oktober für Sie zurück" in body
