"""Throughput and latency percentiles, shared by every benchmark's result records."""

from __future__ import annotations


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
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
