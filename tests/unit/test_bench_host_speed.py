"""The machine's speed during a run: each probe's median in the run's window, against that
probe's fastest over the whole benchmark."""

from __future__ import annotations

import pytest

from loket.bench.host_speed import (
    KERNEL,
    MEMORY,
    WAKE_UP,
    MemoryChase,
    Sample,
    core,
    reference,
    speeds,
    speeds_summary,
)


def _probes(probe: str, times_ns: list[int], start: float = 0.0) -> list[Sample]:
    return [Sample(start + 0.1 * i, probe, ns) for i, ns in enumerate(times_ns)]


def test_the_reference_is_a_low_quantile_not_the_single_fastest_probe() -> None:
    # One lucky probe (500 µs) among 40 of about 1 ms must not make every run look half as fast.
    samples = _probes(core(0), [500_000] + [1_000_000 + 1_000 * i for i in range(39)]) + _probes(
        WAKE_UP, [2_000_000] * 10)
    assert reference(samples) == {"core 0": 1_000_000, "wake-up": 2_000_000}


def test_a_windows_speed_is_the_probes_best_over_its_median_there() -> None:
    fast, slow = _probes(core(0), [1_000_000] * 20), _probes(core(0), [1_600_000] * 10, start=2.0)
    wake = _probes(WAKE_UP, [500_000] * 20) + _probes(WAKE_UP, [1_000_000] * 10, start=2.0)
    other = _probes(core(1), [1_000_000] * 30)
    samples = fast + slow + wake + other
    best = reference(samples)
    assert speeds(samples, 0.0, 1.9, best) == {"core 0": pytest.approx(1.0), "core 1": pytest.approx(1.0),
                                               "wake-up": pytest.approx(1.0)}
    # From 2.0 s core 0 took 1.6 ms for the same work (62.5 % of its best) and a wake-up twice as
    # long; core 1 did not slow down.
    assert speeds(samples, 2.0, 2.9, best) == {"core 0": pytest.approx(0.625), "core 1": pytest.approx(1.0),
                                               "wake-up": pytest.approx(0.5)}


def test_a_window_without_probes_has_no_speed() -> None:
    samples = _probes(core(0), [1_000_000] * 5)
    assert speeds(samples, 10.0, 11.0, reference(samples)) == {}


def test_the_summary_names_the_cores_in_order_then_the_wake_ups() -> None:
    assert speeds_summary({"core 1": 0.61, WAKE_UP: 0.5, "core 0": 0.974}) == (
        "cores at 97 % and 61 %, wake-ups at 50 % of their best")
    assert speeds_summary({"core 0": 1.0, "core 1": 0.5, "core 2": 0.75}) == "cores at 100 %, 50 % and 75 % of their best"
    assert speeds_summary({"core 0": 0.9}) == "core at 90 % of its best"
    assert speeds_summary({WAKE_UP: 0.9}) == "wake-ups at 90 % of their best"
    assert speeds_summary({"core 0": 0.9, MEMORY: 0.45}) == "core at 90 %, memory at 45 % of their best"
    assert speeds_summary({KERNEL: 0.5, "core 0": 1.0, WAKE_UP: 0.8, MEMORY: 0.7}) == (
        "core at 100 %, wake-ups at 80 %, memory at 70 %, kernel work at 50 % of their best")
    assert speeds_summary({}) == ""


def test_the_memory_chase_visits_every_slot_once_per_cycle_far_apart() -> None:
    chase = MemoryChase(slots=1024)
    seen, at = [], 0
    for _ in range(1024):
        seen.append(at)
        at = chase.next[at]
    assert at == 0 and sorted(seen) == list(range(1024))  # one cycle through every slot
    assert all(abs(b - a) > 8 for a, b in zip(seen, seen[1:], strict=False))  # never a neighbour's cache line
    chase.once(steps=100)
    assert chase.at == seen[100]  # the next probe goes on from there
