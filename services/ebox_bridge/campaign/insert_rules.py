"""Which paper letters carry the campaign's insert page. Pure: no I/O, no clock.

A letter qualifies when its municipality turned the insert on (for its department), it was
routed under one of the configured routings, and it goes to a citizen (companies must use the
eBox since 2025; a leaflet about free help at the library is not for them). The recipient
then falls in one of two arms for the quarter, decided once: `insert` or `holdout`. The
holdout is drawn from a digest of the recipient's quarter key and the campaign, so the same
person stays in the same arm all quarter, whichever replica composes the batch, and the share
converges on the configured one without anyone choosing who.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Literal

from loket.infra.identity.tenants import InsertVariant, PaperInsert

Arm = Literal["insert", "holdout"]


@dataclass(frozen=True)
class PaperLetter:
    """What the rules need to know about a letter going on paper."""

    municipality: str
    department: str
    routing: str
    recipient_kind: str  # citizen | enterprise


@dataclass(frozen=True)
class Qualified:
    variant: InsertVariant
    holdout_share: float


def qualifies(letter: PaperLetter, config: PaperInsert) -> Qualified | None:
    enabled, variant, holdout_share = config.for_department(letter.department)
    if not enabled or letter.recipient_kind != "citizen" or letter.routing not in config.routings:
        return None
    return Qualified(variant, holdout_share)


def quarter_of(day: dt.date) -> str:
    """`2026Q4`: the quarter a decision counts in."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def campaign_ref(municipality: str, quarter: str) -> str:
    """What the QR link carries to tie a booking to the campaign: the municipality and the
    quarter, nothing about the person (`i12025-2026q4`)."""
    return f"i{municipality}-{quarter.lower()}"


def arm_for(recipient_key: str, campaign: str, holdout_share: float) -> Arm:
    """The recipient's arm: uniform in [0, 1) from the digest, below the share → holdout."""
    digest = hashlib.sha256(f"{campaign}:{recipient_key}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return "holdout" if draw < holdout_share else "insert"
