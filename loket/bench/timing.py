"""Throughput and latency percentiles, shared by every benchmark's result records."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], q: float, empty: float = float("nan")) -> float:
    """The q-quantile of `values` (the nearest rank below); `empty` when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else empty


class Timed:
    """Mixin for a result dataclass with `latencies_s` and a count/seconds pair: `per_second`
    divides the attribute named by `counted` by `seconds`."""

    counted = "events"
    latencies_s: list[float]
    seconds: float

    @property
    def per_second(self) -> float:
        return getattr(self, self.counted) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_s, q)
