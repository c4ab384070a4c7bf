"""When `loket bench letters --bus kafka` stops warming a fresh cluster up: the compiler settled,
the brokers' CPU per round stopped falling, or the round limit; and what the report says."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from loket.bench import letters_warm_up
from loket.bench.letters_warm_up import LEVELLED, LIMIT, SETTLED, warm_up_letters


def scripted(monkeypatch: pytest.MonkeyPatch, rounds: list[tuple[float, float]]) -> list[int]:
    """Each raw round 'costs' the brokers the next (CPU s, of which JIT s); returns the number of
    letters each round was given."""
    usage = iter(rounds)
    sizes: list[int] = []

    class FakeMeter:
        def start(self) -> FakeMeter:
            return self

        def stop(self) -> Any:
            brokers, jit = next(usage)
            return SimpleNamespace(kafka_s=brokers, kafka_jit_s=jit)

    async def raw_round(database_url: str, bus_url: str, sim_url: str, key: Path, load: list[Any], *_: Any) -> None:
        sizes.append(len(load))

    monkeypatch.setattr(letters_warm_up, "CpuMeter", FakeMeter)
    monkeypatch.setattr(letters_warm_up, "run_raw_letters", raw_round)
    return sizes


async def warm(max_rounds: int) -> Any:
    seen: list[int] = []
    done = await warm_up_letters("db", "kafka://x", "http://sim", Path("key"), count=10, workers=2,
                                 max_rounds=max_rounds, timeout_s=5, progress=lambda n: lambda stage, value: None,
                                 on_round=lambda number, _: seen.append(number))
    assert seen == list(range(1, len(done.rounds) + 1))
    return done


async def test_it_stops_once_the_compiler_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = scripted(monkeypatch, [(40.0, 20.0), (20.0, 1.5), (19.0, 1.0)])
    done = await warm(6)
    assert (done.stopped, len(done.rounds), loads) == (SETTLED, 2, [10, 10])


async def test_it_stops_once_the_brokers_cpu_stops_falling(monkeypatch: pytest.MonkeyPatch) -> None:
    # The measured shape: the compiler keeps 14-18 % of light traffic after the CPU levelled out.
    scripted(monkeypatch, [(40.6, 21.9), (27.6, 13.8), (16.3, 5.4), (11.0, 1.5), (13.8, 2.1), (13.1, 2.4)])
    done = await warm(6)
    assert (done.stopped, [r.brokers_s for r in done.rounds]) == (LEVELLED, [40.6, 27.6, 16.3, 11.0, 13.8])


async def test_a_round_a_little_cheaper_is_still_falling(monkeypatch: pytest.MonkeyPatch) -> None:
    scripted(monkeypatch, [(20.0, 5.0), (17.0, 4.0), (15.0, 3.0)])  # 15 % and 12 % less each round
    done = await warm(3)
    assert (done.stopped, len(done.rounds)) == (LIMIT, 3)


async def test_the_rounds_use_citizens_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[int, int, int]] = []

    def load(count: int, first_citizen: int, seed: int) -> list[Any]:
        built.append((count, first_citizen, seed))
        return [SimpleNamespace(letter_id="x")] * count

    scripted(monkeypatch, [(40.0, 20.0), (30.0, 10.0)])
    monkeypatch.setattr(letters_warm_up, "letter_load", load)
    await warm(2)
    # The measured runs use citizens 0…2·count (and up to about 4·count with --via http).
    assert [first for _, first, _ in built] == [110, 120] and len({seed for *_, seed in built}) == 2
