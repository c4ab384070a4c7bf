"""Seeded citizens: who has activated an eBox, and their preferences.

Activation is a pure function of (seed, ssin) so every run and every process agrees on which
citizens are digital without storing a population; admin activations are layered on top.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from stdnum.be import bis, nn

from loket.simulators.ebox.errors import invalid_input


def valid_ssin(value: object) -> bool:
    # Both national-register numbers and BIS numbers identify a citizen's eBox.
    return isinstance(value, str) and (nn.is_valid(value) or bis.is_valid(value))


def require_ssin(value: object) -> str:
    if not valid_ssin(value):
        raise invalid_input("ssin is not a valid national register or BIS number")
    assert isinstance(value, str)
    return value


def _digest(seed: int, ssin: str, purpose: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{purpose}:{ssin}".encode()).digest()[:8])


class Citizens:
    # How the federation names this kind of eBox, and the hash purpose that decides activation
    # (a different one per kind, so a citizen's number says nothing about an enterprise's).
    ebox_type = "citizen"
    purpose = "active"

    def __init__(self, seed: int, share_digital_percent: int) -> None:
        self._seed = seed
        self._share = share_digital_percent
        self._activated: set[str] = set()

    def reset(self) -> None:
        self._activated.clear()

    def activate(self, ssin: str) -> None:
        self._activated.add(ssin)

    def is_digital(self, ssin: str) -> bool:
        if ssin in self._activated:
            return True
        return _digest(self._seed, ssin, self.purpose) % 100 < self._share

    def preference(self, ssin: str) -> dict[str, object] | None:
        """The federation's EboxPreferences for an activated eBox, None when there is none."""
        if not self.is_digital(ssin):
            return None
        roll = _digest(self._seed, ssin, "prefs")
        # Roughly a third choose eBox only (no paper copy); last connection within 90 days.
        connected = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - dt.timedelta(minutes=roll % 129600)
        return {
            "eboxId": {"eboxType": self.ebox_type, "eboxIdValue": ssin},
            "exclusivelyEbox": roll % 3 == 0,
            "lastConnectionDate": connected.isoformat().replace("+00:00", "Z"),
        }
