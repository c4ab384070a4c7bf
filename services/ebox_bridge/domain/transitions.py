"""A letter's transitions, as `letter_history` keeps them, and the guard that refuses any the
state machine does not know (`states.TRANSITIONS`).

Whoever writes history (the repository, and the tests' in-memory fake) checks every row first:
a transition outside the table is a bug in the bridge, and it stops the transaction that
would have made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from services.ebox_bridge.domain import states


@dataclass(frozen=True)
class Transition:
    letter_id: UUID
    channel: str  # letter | ebox | paper
    from_state: str | None
    to_state: str
    reason: str | None = None


class IllegalTransition(RuntimeError):
    """A transition not in `states.TRANSITIONS`: the bridge's own mistake, never the input's."""


def check_allowed(transitions: Iterable[Transition]) -> None:
    for t in transitions:
        if not states.allowed(t.channel, t.from_state, t.to_state):
            raise IllegalTransition(
                f"letter {t.letter_id}: {t.channel} {t.from_state or '∅'} → {t.to_state} is not a known transition"
            )
