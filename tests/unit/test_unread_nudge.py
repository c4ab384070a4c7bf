"""The nudge ladder for an important eBox letter: the "in your eBox" message at once, a nudge a
week later at 10:00 Brussels time if it is still unread (also on both DST change days), nothing
once it is read, on paper or withdrawn; on the in-memory fakes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from loket.contracts import Event
from loket.contracts.letter_status import (
    LetterDeliveredToEbox,
    LetterQueuedForPrint,
    LetterRead,
    LetterReturned,
)
from services.notify.app import LETTER_TRIGGERS
from services.notify.handlers import PlanMessages
from services.notify.planning import nudge_time
from services.notify.settings import NotifySettings
from tests.support.fake_notifications import FakeNotifications
from tests.support.fakes import FakeInbox, FakeOutbox, deliver

LETTER = uuid.uuid4()
CONTEXT = {"letter_id": LETTER, "municipality": "12025", "department": "finance", "document_type": "invoice"}


def delivered(at: dt.datetime, important: bool = True) -> LetterDeliveredToEbox:
    return LetterDeliveredToEbox(producer="test", occurred_at=at, payload={
        **CONTEXT, "ebox_message_id": "m1", "important": important, "language": "nl", "delivered_at": at,
        "contact": {"phone": "+32470123456", "language": "nl"}})


class Planner:
    def __init__(self, now: dt.datetime, nudge_days: int = 7) -> None:
        self.notifications, self.inbox, self.outbox = FakeNotifications(), FakeInbox(), FakeOutbox()
        settings = NotifySettings(unread_nudge_days=nudge_days)
        self.handlers: dict[type[Event], Any] = dict.fromkeys(
            LETTER_TRIGGERS, PlanMessages(self.notifications, settings, lambda: now))

    async def deliver(self, *events: Event) -> None:
        await deliver(self.handlers, events, outbox=self.outbox, inbox=self.inbox)

    def waiting(self, kind: str) -> list[dt.datetime]:
        return sorted(p.due_at for p in self.notifications.with_status("created", kind))


@pytest.mark.parametrize(("delivered_utc", "nudge_utc"), [
    # Spring forward: delivered Sunday 22 March 09:00 (UTC+1); the nudge is on Sunday 29 March,
    # the change day itself, at 10:00 summer time (UTC+2).
    (dt.datetime(2026, 3, 22, 8, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)),
    # Fall back: delivered Sunday 18 October 09:00 (UTC+2); the nudge on Sunday 25 October at
    # 10:00 winter time (UTC+1).
    (dt.datetime(2026, 10, 18, 7, 0, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)),
    # Delivered late in the evening: still counted from that local day.
    (dt.datetime(2026, 10, 24, 21, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 31, 9, 0, tzinfo=dt.UTC)),
])
async def test_a_week_after_delivery_at_ten_in_brussels_across_dst(delivered_utc: dt.datetime,
                                                                   nudge_utc: dt.datetime) -> None:
    assert nudge_time(delivered_utc, 7) == nudge_utc
    planner = Planner(delivered_utc)
    await planner.deliver(delivered(delivered_utc))
    assert planner.waiting("letter_in_ebox") == [delivered_utc]
    assert planner.waiting("letter_unread_nudge") == [nudge_utc]


@pytest.mark.parametrize("news", ["read", "printed"])
async def test_reading_the_letter_or_its_paper_copy_drops_the_waiting_nudge(news: str) -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    planner = Planner(at)
    await planner.deliver(delivered(at))
    later = at + dt.timedelta(days=2)
    event: Event = (LetterRead(producer="test", occurred_at=later, payload={"letter_id": LETTER, "read_at": later})
                    if news == "read" else
                    LetterQueuedForPrint(producer="test", occurred_at=later, payload={
                        **CONTEXT, "reason": "unread_escalation", "postage_class": "non_prior", "pages": 2}))
    await planner.deliver(event)
    assert planner.waiting("letter_unread_nudge") == []
    assert len(planner.notifications.with_status("cancelled", "letter_unread_nudge")) == 1
    assert planner.waiting("letter_in_ebox") == [at], "what was sent or due stays"


async def test_no_nudge_for_an_ordinary_letter_or_when_the_municipality_turned_it_off() -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    ordinary = Planner(at)
    await ordinary.deliver(delivered(at, important=False))
    assert ordinary.waiting("letter_unread_nudge") == []
    off = Planner(at, nudge_days=0)
    await off.deliver(delivered(at))
    assert off.waiting("letter_unread_nudge") == [] and off.waiting("letter_in_ebox") == [at]


async def test_a_delivery_heard_of_too_late_plans_no_nudge_in_the_past() -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    planner = Planner(at + dt.timedelta(days=8))  # a consumer catching up after a long outage
    await planner.deliver(delivered(at))
    assert planner.waiting("letter_unread_nudge") == []


async def test_a_returned_letter_invites_its_recipient_to_a_help_point_when_contact_details_exist() -> None:
    at = dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC)
    planner = Planner(at)
    returned = LetterReturned(producer="test", occurred_at=at, payload={
        "letter_id": LETTER, "batch_id": "PB-20261110-1730", "reason": "addressee unknown", "municipality": "12025",
        "language": "nl", "contact": {"phone": "+32470123456", "language": "nl"}})
    await planner.deliver(returned)
    assert planner.waiting("letter_returned_invite") == [at]
    invite = planner.notifications.with_status("created", "letter_returned_invite")[0]
    assert invite.context["sender"] == "Mechelen" and invite.context["booking_url"].startswith("http")
    nobody = Planner(at)
    await nobody.deliver(LetterReturned(producer="test", occurred_at=at, payload={
        "letter_id": uuid.uuid4(), "batch_id": "PB-20261110-1730", "reason": "addressee unknown"}))
    assert nobody.waiting("letter_returned_invite") == []
