"""One public status from the two channel states, and when a letter can still be cancelled."""

from __future__ import annotations

import uuid

import pytest

from services.ebox_bridge.api.letter_status import PUBLIC_STATUSES, public_status
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.cancellation import NotCancellable, cancellation


@pytest.mark.parametrize(("letter", "ebox", "paper", "shown"), [
    (None, None, None, "accepted"),
    ("routed", "pending", None, "in_progress"),
    ("routed", "publishing", None, "in_progress"),
    ("routed", "delivered_to_ebox", None, "delivered_to_ebox"),
    ("routed", "read", None, "read"),
    ("routed", "not_digital", "queued_for_print", "queued_for_print"),
    ("routed", "not_digital", "in_batch", "queued_for_print"),
    ("routed", "unavailable", "printed", "printed"),
    ("routed", None, "posted", "posted"),
    ("routed", "read", "returned", "returned"),
    ("routed", "delivered_to_ebox", "queued_for_print", "delivered_to_ebox"),  # routing both
    ("routed", "unread_escalated", "posted", "posted"),
    ("routed", "failed", None, "failed"),
    ("routed", "failed", "queued_for_print", "queued_for_print"),  # paper carries it on
    ("cancelled", "cancelled", None, "cancelled"),
])
def test_public_status(letter: str | None, ebox: str | None, paper: str | None, shown: str) -> None:
    assert public_status(letter, ebox, paper) == shown
    assert shown in PUBLIC_STATUSES


LETTER = uuid.uuid4()


@pytest.mark.parametrize(("ebox", "paper", "channels"), [
    ("pending", None, ["letter", "ebox"]),
    (None, "queued_for_print", ["letter", "paper"]),
    ("pending", "queued_for_print", ["letter", "ebox", "paper"]),
    ("not_digital", "queued_for_print", ["letter", "paper"]),
])
def test_cancellable_letters_cancel_each_open_channel(ebox: str | None, paper: str | None, channels: list[str]) -> None:
    steps = cancellation(LETTER, "routed", ebox, paper)
    assert [s.channel for s in steps] == channels
    assert all(states.allowed(s.channel, s.from_state, s.to_state) for s in steps)


@pytest.mark.parametrize(("letter", "ebox", "paper", "why"), [
    ("routed", "publishing", None, "being published"),
    ("routed", "delivered_to_ebox", None, "already published"),
    ("routed", "pending", "in_batch", "closed print batch"),
    ("routed", "not_digital", "printed", "closed print batch"),
    ("routed", "failed", None, "already published"),
    ("routed", "not_digital", None, "no channel left"),
    ("cancelled", "cancelled", None, "already cancelled"),
])
def test_too_late_to_cancel(letter: str, ebox: str | None, paper: str | None, why: str) -> None:
    with pytest.raises(NotCancellable, match=why):
        cancellation(LETTER, letter, ebox, paper)
