"""What follows an attempt to deliver a letter to the eBox, per routing policy.

Paper takes over whenever the eBox cannot deliver and the policy allows paper (`ebox_first`);
`both` already has its paper copy; `ebox_only` fails loudly instead (docs/architecture.md, "The letter state machine").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from uuid import UUID

from services.ebox_bridge.domain import states


@dataclass(frozen=True)
class ClaimedLetter:
    """What the dispatcher needs of a letter it claimed for publishing."""

    letter_id: UUID
    routing: str
    attempts: int
    fallback_at: dt.datetime
    important: bool
    escalate_after_days: int | None
    has_paper: bool = False  # `both`, or escalated earlier: never queue a second paper copy

    def paper(self, reason: str) -> str | None:
        """The paper reason when the eBox cannot deliver, or None when paper is not ours to send."""
        return reason if self.routing == "ebox_first" and not self.has_paper else None


@dataclass(frozen=True)
class EboxChange:
    """The next eBox state of one letter, and the paper or failure it triggers."""

    letter_id: UUID
    ebox_state: str
    reason: str
    due_at: dt.datetime | None = None
    last_error: str | None = None
    message_id: str | None = None
    delivered_at: dt.datetime | None = None
    next_read_poll_at: dt.datetime | None = None
    escalate_at: dt.datetime | None = None
    paper_reason: str | None = None  # set: queue the letter for print with this reason
    failure: tuple[str, str] | None = None  # (code, message) for LetterFailed(channel=ebox)


def delivered(
    letter: ClaimedLetter, message_id: str, now: dt.datetime, read_poll_interval: dt.timedelta
) -> EboxChange:
    escalate_at = None
    if letter.important and letter.escalate_after_days:
        escalate_at = now + dt.timedelta(days=letter.escalate_after_days)
    return EboxChange(
        letter.letter_id, states.DELIVERED, "accepted by the eBox", message_id=message_id,
        delivered_at=now, next_read_poll_at=now + read_poll_interval, escalate_at=escalate_at,
    )


def not_digital(letter: ClaimedLetter) -> EboxChange:
    if letter.routing == "ebox_only":
        return EboxChange(
            letter.letter_id, states.FAILED, "citizen has no eBox (ebox_only policy)",
            failure=("NO_DIGITAL_USER", "the citizen has not activated an eBox and the policy is ebox_only"),
        )
    return EboxChange(
        letter.letter_id, states.NOT_DIGITAL, "citizen has no eBox",
        paper_reason=letter.paper("no_digital_user"),
    )


def rejected(letter: ClaimedLetter, code: str, message: str) -> EboxChange:
    """A 400 from the eBox: retrying cannot help. Paper still reaches the citizen."""
    return EboxChange(
        letter.letter_id, states.FAILED, f"rejected by the eBox: {code}",
        last_error=f"{code}: {message}"[:1000], failure=(code, message[:1000] or code),
        paper_reason=letter.paper("ebox_rejected"),
    )


def at_paper_deadline(letter: ClaimedLetter, now: dt.datetime) -> bool:
    """Whether a failure now ends the eBox channel (`transient` decides paper or failure)."""
    return now >= letter.fallback_at


def transient(
    letter: ClaimedLetter,
    error: str,
    now: dt.datetime,
    *,
    retry_after: float | None,
    base: float,
    cap: float,
    rng: random.Random | None = None,
) -> EboxChange:
    """The eBox could not be reached: retry later, or go to paper when time is up."""
    if at_paper_deadline(letter, now):
        if letter.routing == "ebox_only":
            return EboxChange(
                letter.letter_id, states.FAILED, "eBox unavailable past the deadline (ebox_only)",
                last_error=error, failure=("EBOX_UNAVAILABLE", f"the eBox stayed unavailable: {error}"),
            )
        return EboxChange(
            letter.letter_id, states.UNAVAILABLE, "eBox unavailable past the fallback instant",
            last_error=error, paper_reason=letter.paper("ebox_unavailable"),
        )
    delay = retry_delay(letter.attempts, base, cap, rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    # Never sleep past the fallback instant: the next attempt there decides for paper.
    due = min(now + dt.timedelta(seconds=delay), max(letter.fallback_at, now))
    return EboxChange(
        letter.letter_id, states.PENDING, f"retry {letter.attempts + 1} scheduled",
        due_at=due, last_error=error,
    )


def retry_delay(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with "equal jitter": spreads retries after an outage ends."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
