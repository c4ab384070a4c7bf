"""The history guard: only transitions of the state machine are ever written."""

from __future__ import annotations

import uuid

import pytest

from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.transitions import IllegalTransition, Transition, check_allowed

LETTER = uuid.uuid4()


def test_the_state_machine_s_transitions_pass() -> None:
    check_allowed([
        Transition(LETTER, "ebox", states.PUBLISHING, states.PUBLISHING, "lease expired, re-driven"),
        Transition(LETTER, "ebox", states.DELIVERED, states.UNREAD_ESCALATED),
        Transition(LETTER, "paper", None, states.QUEUED_FOR_PRINT, "unread_escalation"),
        Transition(LETTER, "paper", states.IN_BATCH, states.POSTED),
    ])


@pytest.mark.parametrize(
    ("channel", "before", "after"),
    [
        ("ebox", states.PENDING, states.DELIVERED),  # never without publishing
        ("ebox", states.READ, states.DELIVERED),
        ("paper", states.QUEUED_FOR_PRINT, states.PRINTED),  # never outside a batch
        ("paper", states.POSTED, states.PRINTED),
    ],
)
def test_any_other_transition_is_refused(channel: str, before: str, after: str) -> None:
    with pytest.raises(IllegalTransition, match=str(LETTER)):
        check_allowed([Transition(LETTER, channel, before, after)])
