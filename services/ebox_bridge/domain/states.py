"""The letter state machine's vocabulary (see migrations/0001_letters.sql for the diagram)."""

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

# "Settled" = the bridge's own work is done: what is left waits on the citizen (reading) or
# the print house (printing, posting). The benchmark measures issue → settled.
EBOX_SETTLED: Final = frozenset({DELIVERED, READ, UNREAD_ESCALATED, NOT_DIGITAL, UNAVAILABLE, FAILED})
EBOX_TERMINAL: Final = frozenset({READ, UNREAD_ESCALATED, NOT_DIGITAL, UNAVAILABLE, FAILED})
PAPER_TERMINAL: Final = frozenset({POSTED, RETURNED, FAILED})

# Which print-house confirmation may follow which paper state. Posting implies printing and a
# return implies posting, so a confirmation may skip states the print house did not report.
PAPER_CONFIRMATION_FROM: Final = {
    PRINTED: frozenset({IN_BATCH}),
    POSTED: frozenset({IN_BATCH, PRINTED}),
    RETURNED: frozenset({IN_BATCH, PRINTED, POSTED}),
}

ROUTINGS: Final = ("ebox_first", "paper_only", "both", "ebox_only")
