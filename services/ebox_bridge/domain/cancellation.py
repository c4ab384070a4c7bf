"""Whether a letter can still be cancelled, and the transitions that cancel it.

A letter can be cancelled while nothing has left Loket: its eBox channel has not been claimed
for publishing (a claimed letter may already sit in the citizen's eBox) and its paper copy is not
in a print batch (a closed batch's files are with the print house). A channel that already
ended without delivering (`not_digital`, `unavailable`: paper took over) stays as it is.
"""

from __future__ import annotations

from uuid import UUID

from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.transitions import Transition

# eBox states that end the channel without anything published: paper carries the letter, if anything.
_EBOX_HANDED_OVER = frozenset({states.NOT_DIGITAL, states.UNAVAILABLE})


class NotCancellable(Exception):
    """The letter went too far (or ended); the message says why, for the sender."""


def cancellation(letter_id: UUID, letter_state: str, ebox_state: str | None, paper_state: str | None,
                 reason: str = "cancelled by its sender") -> list[Transition]:
    """The transitions that cancel the letter; raises NotCancellable."""
    if letter_state == states.CANCELLED:
        raise NotCancellable("the letter is already cancelled")
    if ebox_state == states.PUBLISHING:
        raise NotCancellable("the letter is being published to the eBox right now")
    if ebox_state not in (None, states.PENDING, *_EBOX_HANDED_OVER):
        raise NotCancellable(f"the letter was already published to the eBox ({ebox_state})")
    if paper_state not in (None, states.QUEUED_FOR_PRINT):
        raise NotCancellable(f"the letter is already in a closed print batch ({paper_state})")
    if ebox_state != states.PENDING and paper_state != states.QUEUED_FOR_PRINT:
        raise NotCancellable("the letter has no channel left to cancel")
    steps = [Transition(letter_id, "letter", letter_state, states.CANCELLED, reason)]
    if ebox_state == states.PENDING:
        steps.append(Transition(letter_id, "ebox", states.PENDING, states.CANCELLED, reason))
    if paper_state == states.QUEUED_FOR_PRINT:
        steps.append(Transition(letter_id, "paper", states.QUEUED_FOR_PRINT, states.CANCELLED, reason))
    return steps
