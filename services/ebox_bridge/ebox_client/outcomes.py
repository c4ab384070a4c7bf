"""What a call to the eBox produced, as values the bridge's domain can branch on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delivered:
    message_id: str
    expiration: str


@dataclass(frozen=True)
class NoDigitalUser:
    """Registered, but the citizen never opened an eBox: the trigger for paper ("eBox first")."""

    message_id: str


@dataclass(frozen=True)
class AlreadyPublished:
    """409 on the Idempotency-Key: an earlier attempt got through; never publish twice."""

    message_id: str | None


PublishOutcome = Delivered | NoDigitalUser | AlreadyPublished


@dataclass(frozen=True)
class Preference:
    ssin: str
    exclusively_ebox: bool
    last_connection: dt.datetime | None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Preference:
        """From the federation's EboxPreferences `{eboxId, exclusivelyEbox, lastConnectionDate?}`."""
        last = item.get("lastConnectionDate")
        return cls(
            ssin=item["eboxId"]["eboxIdValue"],
            exclusively_ebox=bool(item.get("exclusivelyEbox")),
            last_connection=dt.datetime.fromisoformat(last.replace("Z", "+00:00"))
            if last
            else None,
        )
