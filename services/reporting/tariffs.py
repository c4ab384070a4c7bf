"""Postage tariffs per year and postage class: what a letter the eBox delivered would have cost
to post. Reference data with its year, because bpost changes its prices every year and a
council compares years: a 2025 letter is costed at the 2025 tariff.

Only the years published in the project's design reference are listed (DESIGN.md, "Paper
fallback"). A year without its own row is costed at the latest earlier year's tariff (and
before the first year, at the first), and the figures name the tariff year they used, so an
outdated tariff is visible rather than silent. Add a year here when bpost publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tariff:
    year: int
    postage_class: str  # non_prior | prior | registered (the contracts' PostageClass)
    stamp_eur: float


TARIFFS: tuple[Tariff, ...] = (
    Tariff(2025, "non_prior", 1.53),
    Tariff(2025, "prior", 2.37),
    Tariff(2025, "registered", 8.45),  # "≈ €8.45" in the design reference
)


def tariff_arrays(tariffs: tuple[Tariff, ...]) -> tuple[list[int], list[str], list[float]]:
    """The table as three parallel arrays, for `unnest` in a query."""
    return [t.year for t in tariffs], [t.postage_class for t in tariffs], [t.stamp_eur for t in tariffs]
