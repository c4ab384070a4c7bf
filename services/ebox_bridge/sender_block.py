"""The municipality's sender block printed on paper letters (from the rollout policy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SenderBlock:
    # e.g. "Stad Mechelen"
    name: str
    # Address lines under the name, e.g. ("Grote Markt 21", "2800 Mechelen").
    lines: tuple[str, ...]
    # Where bpost sends undeliverable letters back to; the sender block when None.
    return_lines: tuple[str, ...] | None = None
