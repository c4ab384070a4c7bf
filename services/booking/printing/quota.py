"""The free print quota of a visit, pure: of the pages printed in one visit, the first
`free_pages` are free and the rest are over the quota."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintCount:
    pages: int  # printed in the visit so far
    free: int  # of those, within the point's free quota
    over_quota: int  # of those, beyond it
    quota: int  # the point's free pages per visit


def split(pages: int, quota: int) -> PrintCount:
    if pages < 0 or quota < 0:
        raise ValueError("pages and quota are counts, never negative")
    free = min(pages, quota)
    return PrintCount(pages, free, pages - free, quota)
