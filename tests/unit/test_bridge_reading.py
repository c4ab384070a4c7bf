"""What a read-status poll makes of a delivered letter (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import uuid

from services.ebox_bridge.domain import reading, states
from services.ebox_bridge.domain.reading import PolledLetter

NOW = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def letter(delivered_days_ago: int, escalate_in_days: int | None = None, has_paper: bool = False) -> PolledLetter:
    escalate_at = None if escalate_in_days is None else NOW + dt.timedelta(days=escalate_in_days)
    return PolledLetter(uuid.uuid4(), NOW - dt.timedelta(days=delivered_days_ago), escalate_at, has_paper)


def test_a_read_letter_is_read_and_polled_no_more() -> None:
    change = reading.after_poll(letter(3, escalate_in_days=-1), True, NOW, HOUR)
    assert (change.ebox_state, change.read_at, change.next_poll_at, change.paper_reason) == (states.READ, NOW, None, None)


def test_an_unread_letter_past_its_escalation_goes_to_paper() -> None:
    change = reading.after_poll(letter(16, escalate_in_days=-1), False, NOW, HOUR)
    assert (change.ebox_state, change.unread_days, change.paper_reason) == (
        states.UNREAD_ESCALATED, 16, reading.ESCALATION_REASON,
    )
    assert change.next_poll_at is None


def test_a_letter_already_on_paper_escalates_without_a_second_copy() -> None:
    change = reading.after_poll(letter(16, escalate_in_days=0, has_paper=True), False, NOW, HOUR)
    assert (change.ebox_state, change.paper_reason) == (states.UNREAD_ESCALATED, None)


def test_an_unread_letter_is_polled_again_until_the_window_ends() -> None:
    assert reading.after_poll(letter(10, escalate_in_days=5), False, NOW, HOUR).next_poll_at == NOW + HOUR
    assert reading.after_poll(letter(59), False, NOW, HOUR).next_poll_at == NOW + HOUR
    past = reading.after_poll(letter(61), False, NOW, HOUR)
    assert (past.ebox_state, past.next_poll_at) == (states.DELIVERED, None)
    # An escalation rule keeps it polled past the window: the escalation still has to happen.
    assert reading.after_poll(letter(61, escalate_in_days=1), False, NOW, HOUR).next_poll_at == NOW + HOUR
