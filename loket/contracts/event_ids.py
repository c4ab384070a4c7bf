"""Event ids: UUID version 7 (RFC 9562), the creation time's milliseconds first, then random bits.

Why not version 4: every consumer records each event id it handled in its inbox, whose primary
key is `(consumer, event_id)`, and keeps it as long as the bus can redeliver the event (days).
Random ids land anywhere in that index: each insert dirties another leaf page, and pages split
half full everywhere. Ids that grow with time are appended at the index's right edge, as a
sequence is. With the pipeline's statements alone (`loket bench bus`'s PostgreSQL floor,
50 000 events, a fresh inbox) the consumer's stage cost PostgreSQL 0.45 instead of 0.56 CPU s
(docs/performance.md, "Runs 41 to 45"); the older the inbox, the larger the difference.

The id stays as unguessable as it needs to be (74 random bits: the inbox de-duplicates by it, and
nothing authorises by it) and says when the event was made, which `occurred_at` says anyway.
Python 3.14 has `uuid.uuid7`; Loket runs on 3.11, hence this.
"""

from __future__ import annotations

import os
import time
from uuid import UUID, SafeUUID

# Of 80 random bits, the 12 above the variant and the 62 below it; the version and variant are fixed.
_RANDOM_BITS = ((1 << 12) - 1) << 64 | ((1 << 62) - 1)
_VERSION_AND_VARIANT = 0x7 << 76 | 0b10 << 62
# UUID(int=…) checks which of its five ways to be made it was given: a third of the id's cost.
# Filling its two slots directly is what Python 3.14's uuid7 does (UUID._from_int).
_new_object, _set_slot, _SAFETY_UNKNOWN = object.__new__, object.__setattr__, SafeUUID.unknown


def new_event_id() -> UUID:
    """A fresh version 7 UUID: 48 bits of Unix time in milliseconds, the version, 12 random bits,
    the RFC's variant, 62 random bits. Ids made in the same millisecond are in no particular order
    among themselves; the index only needs them near each other. (Faster than `uuid4`.)"""
    millis = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big") & _RANDOM_BITS
    made = _new_object(UUID)
    _set_slot(made, "int", millis << 80 | _VERSION_AND_VARIANT | random)
    _set_slot(made, "is_safe", _SAFETY_UNKNOWN)
    return made
