"""What a back-office sees of a letter: one public status from the two channel states.

Pure, so the mapping is unit-tested apart from the database. Each channel state maps to a
public status; a letter on two channels (routing `both`, or eBox then paper) shows the one
furthest along, except that a channel that failed shows only when no other channel carries
the letter on.
"""

from __future__ import annotations

from typing import Final, Literal

from services.ebox_bridge.domain import states

PublicStatus = Literal["accepted", "in_progress", "delivered_to_ebox", "read", "queued_for_print",
                       "printed", "posted", "returned", "failed", "cancelled"]
PUBLIC_STATUSES: Final[tuple[str, ...]] = PublicStatus.__args__  # type: ignore[attr-defined]

_EBOX: Final[dict[str, str]] = {
    states.PENDING: "in_progress",
    states.PUBLISHING: "in_progress",
    states.DELIVERED: "delivered_to_ebox",
    states.READ: "read",
    # Unread too long: the paper channel carries the letter on; the eBox copy stays delivered.
    states.UNREAD_ESCALATED: "delivered_to_ebox",
    states.FAILED: "failed",
}
_PAPER: Final[dict[str, str]] = {
    states.QUEUED_FOR_PRINT: "queued_for_print",
    states.IN_BATCH: "queued_for_print",
    states.PRINTED: "printed",
    states.POSTED: "posted",
    states.RETURNED: "returned",
    states.FAILED: "failed",
}
# Further along = larger. A returned letter outranks all: the sender must act on it.
_RANK: Final = {"in_progress": 1, "queued_for_print": 2, "delivered_to_ebox": 3, "printed": 4,
                "read": 5, "posted": 5, "returned": 6}


def public_status(letter_state: str | None, ebox_state: str | None, paper_state: str | None) -> str:
    """`letter_state` None: accepted by the API, not yet admitted by intake."""
    if letter_state is None:
        return "accepted"
    if letter_state == states.CANCELLED:
        return "cancelled"
    # not_digital / unavailable end the eBox channel and hand over to paper: they say nothing.
    shown = [s for s in (_EBOX.get(ebox_state or ""), _PAPER.get(paper_state or "")) if s is not None]
    alive = [s for s in shown if s != "failed"]
    if alive:
        return max(alive, key=lambda s: (_RANK[s], s))
    return "failed" if shown else "in_progress"
