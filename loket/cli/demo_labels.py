"""Words for the demo's closing table: the same English labels the letter desk and the dashboard
show, never a state's code name (`not_digital`, `no_show`). A value no page names yet reads as
words."""

from __future__ import annotations

from loket.contracts.reference.letter_words import words
from services.ebox_bridge.desk.texts import REASONS, STATES
from services.reporting.value_labels import value_label

__all__ = ["appointment_status", "channel", "letter_outcome", "words"]


def letter_outcome(ebox_state: str | None, paper_reason: str | None) -> str:
    """Where letters ended, from the bridge's eBox state and the reason they went on paper:
    "No eBox: on paper (the recipient has no eBox)", "On paper (the sending rules say: paper
    only)", "Delivered to the eBox"."""
    reason = _lower_first(REASONS.get(paper_reason, {}).get("en", words(paper_reason))) if paper_reason else None
    if ebox_state is None:
        return f"On paper ({reason})" if reason else "Neither in the eBox nor on paper yet"
    state = STATES.get(ebox_state, {}).get("en", words(ebox_state).capitalize())
    return f"{state} ({reason})" if reason else state


def appointment_status(status: str) -> str:
    return str(value_label("outcome", status, "en"))


def channel(name: str) -> str:
    return str(value_label("channel", name, "en"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
