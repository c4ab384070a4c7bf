"""The delivery rules per routing policy (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from services.ebox_bridge.domain import delivery, states
from services.ebox_bridge.domain.delivery import ClaimedLetter

NOW = dt.datetime(2026, 3, 29, 12, 0, tzinfo=dt.UTC)


def letter(routing: str = "ebox_first", *, attempts: int = 1, fallback_in: float = 3600, **kw) -> ClaimedLetter:  # type: ignore[no-untyped-def]
    values = {"important": False, "escalate_after_days": None} | kw
    return ClaimedLetter(uuid.uuid4(), routing, attempts, NOW + dt.timedelta(seconds=fallback_in), **values)


@pytest.mark.parametrize(
    ("routing", "state", "paper", "failure"),
    [
        ("ebox_first", states.NOT_DIGITAL, "no_digital_user", None),
        ("both", states.NOT_DIGITAL, None, None),
        ("ebox_only", states.FAILED, None, "NO_DIGITAL_USER"),
    ],
)
def test_not_digital(routing: str, state: str, paper: str | None, failure: str | None) -> None:
    change = delivery.not_digital(letter(routing))
    assert (change.ebox_state, change.paper_reason) == (state, paper)
    assert (change.failure[0] if change.failure else None) == failure


def test_a_letter_that_already_has_paper_never_gets_a_second_copy() -> None:
    assert delivery.not_digital(letter(has_paper=True)).paper_reason is None
    assert delivery.rejected(letter(has_paper=True), "INVALID_INPUT", "bad").paper_reason is None


@pytest.mark.parametrize(("routing", "paper"), [("ebox_first", "ebox_rejected"), ("both", None), ("ebox_only", None)])
def test_rejected_fails_the_ebox_channel_with_the_ebox_message(routing: str, paper: str | None) -> None:
    change = delivery.rejected(letter(routing), "INVALID_INPUT", "subject too long")
    assert change.ebox_state == states.FAILED
    assert change.failure == ("INVALID_INPUT", "subject too long")
    assert change.paper_reason == paper


def test_transient_before_the_fallback_schedules_a_retry_with_backoff() -> None:
    change = delivery.transient(letter(attempts=3), "503", NOW, retry_after=None, base=2, cap=900, rng=random.Random(1))
    assert change.ebox_state == states.PENDING
    assert change.paper_reason is None
    delay = (change.due_at - NOW).total_seconds()
    assert 4 <= delay <= 8  # attempt 3: ceiling 2 * 2**2 = 8, equal jitter keeps at least half


def test_retry_after_is_respected_but_never_past_the_fallback_instant() -> None:
    slow = delivery.transient(letter(fallback_in=3600), "429", NOW, retry_after=120, base=2, cap=900)
    assert (slow.due_at - NOW).total_seconds() >= 120
    capped = delivery.transient(letter(fallback_in=60), "429", NOW, retry_after=600, base=2, cap=900)
    assert capped.due_at == NOW + dt.timedelta(seconds=60)


@pytest.mark.parametrize(
    ("routing", "state", "paper"),
    [("ebox_first", states.UNAVAILABLE, "ebox_unavailable"), ("both", states.UNAVAILABLE, None), ("ebox_only", states.FAILED, None)],
)
def test_transient_past_the_fallback_goes_to_paper_or_fails(routing: str, state: str, paper: str | None) -> None:
    change = delivery.transient(letter(routing, fallback_in=-1), "timeout", NOW, retry_after=None, base=2, cap=900)
    assert (change.ebox_state, change.paper_reason) == (state, paper)


def test_escalation_is_scheduled_only_for_important_letters_with_a_rule() -> None:
    poll = dt.timedelta(hours=1)
    assert delivery.delivered(letter(important=True, escalate_after_days=15), "m1", NOW, poll).escalate_at == NOW + dt.timedelta(days=15)
    assert delivery.delivered(letter(important=False, escalate_after_days=15), "m1", NOW, poll).escalate_at is None
    assert delivery.delivered(letter(important=True), "m1", NOW, poll).escalate_at is None


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [delivery.retry_delay(n, 2, 60, rng) for n in range(1, 12)]
    assert max(delays) <= 60
    assert delays[0] <= 2 and delays[-1] >= 30
