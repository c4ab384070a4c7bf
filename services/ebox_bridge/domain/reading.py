"""What follows a read-status poll of a letter delivered to the eBox: read, escalated to paper
(an important letter unread longer than its policy allows), polled again later, or no longer
polled once the window has passed without an escalation rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from services.ebox_bridge.domain import states

# The citizen's eBox itself reminds them after 15 days; past this window without an
# escalation rule there is nothing left for the bridge to do with the answer.
POLL_WINDOW = dt.timedelta(days=60)
ESCALATION_REASON = "unread_escalation"


@dataclass(frozen=True)
class PolledLetter:
    """What the read poller needs of a letter it claimed."""

    letter_id: UUID
    delivered_at: dt.datetime
    escalate_at: dt.datetime | None
    has_paper: bool  # `both` letters are already on paper: escalation queues no second copy


@dataclass(frozen=True)
class ReadChange:
    """The letter's next eBox state and poll time, and the paper an escalation queues."""

    letter_id: UUID
    ebox_state: str
    next_poll_at: dt.datetime | None
    read_at: dt.datetime | None = None
    unread_days: int | None = None  # set when escalated
    paper_reason: str | None = None  # set: queue the letter for print with this reason


def after_poll(
    letter: PolledLetter, read: bool, now: dt.datetime, poll_interval: dt.timedelta
) -> ReadChange:
    if read:
        return ReadChange(letter.letter_id, states.READ, None, read_at=now)
    if letter.escalate_at is not None and now >= letter.escalate_at:
        return ReadChange(
            letter.letter_id, states.UNREAD_ESCALATED, None, unread_days=(now - letter.delivered_at).days,
            paper_reason=None if letter.has_paper else ESCALATION_REASON,
        )
    past_window = letter.escalate_at is None and now - letter.delivered_at > POLL_WINDOW
    return postponed(letter, None if past_window else now + poll_interval)


def postponed(letter: PolledLetter, next_poll_at: dt.datetime | None) -> ReadChange:
    """Still delivered and unread; polled again at `next_poll_at` (never, when None)."""
    return ReadChange(letter.letter_id, states.DELIVERED, next_poll_at)
