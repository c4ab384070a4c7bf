"""The letter state machine's vocabulary and its transitions (drawn in docs/architecture.md)."""

from __future__ import annotations

from typing import Final

# letter level
RECEIVED: Final = "received"
ROUTED: Final = "routed"

# eBox channel
PENDING: Final = "pending"
PUBLISHING: Final = "publishing"
DELIVERED: Final = "delivered_to_ebox"
READ: Final = "read"
UNREAD_ESCALATED: Final = "unread_escalated"
NOT_DIGITAL: Final = "not_digital"  # the citizen has no eBox: paper took over (or ebox_only failed)
UNAVAILABLE: Final = "unavailable"  # the eBox stayed down past the fallback instant
FAILED: Final = "failed"

# paper channel
QUEUED_FOR_PRINT: Final = "queued_for_print"
IN_BATCH: Final = "in_batch"
PRINTED: Final = "printed"
POSTED: Final = "posted"
RETURNED: Final = "returned"

# the letter and either channel: its sender cancelled it before it was published or printed
CANCELLED: Final = "cancelled"

# "Settled" = the bridge's own work is done: what is left waits on the citizen (reading) or
# the print house (printing, posting). The benchmark measures issue → settled.
EBOX_SETTLED: Final = frozenset({DELIVERED, READ, UNREAD_ESCALATED, NOT_DIGITAL, UNAVAILABLE, FAILED, CANCELLED})
EBOX_TERMINAL: Final = frozenset({READ, UNREAD_ESCALATED, NOT_DIGITAL, UNAVAILABLE, FAILED, CANCELLED})
PAPER_TERMINAL: Final = frozenset({POSTED, RETURNED, FAILED, CANCELLED})

# Which print-house confirmation may follow which paper state. Posting implies printing and a
# return implies posting, so a confirmation may skip states the print house did not report.
PAPER_CONFIRMATION_FROM: Final = {
    PRINTED: frozenset({IN_BATCH}),
    POSTED: frozenset({IN_BATCH, PRINTED}),
    RETURNED: frozenset({IN_BATCH, PRINTED, POSTED}),
}

ROUTINGS: Final = ("ebox_first", "paper_only", "both", "ebox_only")

# Every transition a letter may make, per channel: (from, to), with None for "no state yet".
# The repository refuses any other (services/ebox_bridge/repository/letters.py) and
# docs/architecture.md draws exactly these (a test compares the two).
TRANSITIONS: Final = {
    "letter": frozenset({(None, RECEIVED), (RECEIVED, ROUTED), (ROUTED, CANCELLED)}),
    "ebox": frozenset({
        (None, PENDING),
        (PENDING, PUBLISHING),
        (PUBLISHING, PUBLISHING),  # the lease ran out: another worker drives it again
        (PUBLISHING, PENDING),  # transient failure: retried at ebox_due_at
        (PUBLISHING, DELIVERED),
        (PUBLISHING, NOT_DIGITAL),
        (PUBLISHING, UNAVAILABLE),
        (PUBLISHING, FAILED),
        (DELIVERED, READ),
        (DELIVERED, UNREAD_ESCALATED),
        (PENDING, CANCELLED),  # cancelled by its sender before a worker claimed it
    }),
    "paper": frozenset({
        (None, QUEUED_FOR_PRINT),
        (QUEUED_FOR_PRINT, IN_BATCH),
        (IN_BATCH, FAILED),  # its PDF cannot be composed: quarantined, the batch goes out without it
        (QUEUED_FOR_PRINT, CANCELLED),  # cancelled by its sender before the cut-off
        *((before, after) for after, befores in PAPER_CONFIRMATION_FROM.items() for before in befores),
    }),
}


def allowed(channel: str, before: str | None, after: str) -> bool:
    return (before, after) in TRANSITIONS[channel]
