"""Warm a fresh Kafka cluster before `loket bench letters --bus kafka` measures anything.

Why at all: see kafka_warm_up.py. On a fresh cluster the brokers' compiler took 1.2 to 1.7 of the
two cores during the first 17 s of the Loket run, which comes first and paid most. On one fresh
cluster, three whole runs in a row measured 782, 1 077 and 1 314 letters/s (raw 718, 889, 906)
with the same bridge CPU (10.5–10.9 s): the difference was the brokers' compiler.

The warm-up is rounds of the raw letters pipeline (letters_raw.py) on its own throw-away topics
and schema, with other citizens than the measured runs, until the compiler's share of the
brokers' CPU during a round falls below kafka_warm_up.SETTLED_JIT_SHARE, or the brokers' CPU per
round stops falling (a round costs them at least NO_LONGER_FALLING of the round before): a raw
letters round is light traffic spread over half a minute, and the compiler keeps a share of
that for longer than the brokers' CPU takes to settle (measured: 40.6, 27.6, 16.3, 11.0, 13.8,
13.1 CPU s a round, and 54, 50, 33, 14, 15, 18 % compiling). Never traffic on Loket's
own topics: on a new cluster the bridge's consumer groups start at the earliest offset, and its
webhook fan-out would first read whatever a warm-up left on `letters.status.v1` (after the bus
benchmark's warm-up the bridge used 18–20 CPU s for a run instead of 11).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loket.bench.cpu_usage import CpuMeter
from loket.bench.kafka_warm_up import WarmUpRound
from loket.bench.letters_load import letter_load
from loket.bench.letters_raw import run_raw_letters

# Citizens of the warm-up rounds start here, in units of `count`: the measured runs use 0…count
# (Loket) and count…2·count (raw). (--via http goes on from 2·count; meeting a warm-up's citizen
# there would not matter: warm-up letters never pass the bridge, whose cached eBox answers are
# what a citizen seen before could meet, and the simulator forgets them.)
FIRST_CITIZEN_IN_COUNTS = 10
SEED = 20
NO_LONGER_FALLING = 0.95

# Why the warm-up stopped, as the report says it.
SETTLED, LEVELLED, LIMIT = "the brokers' compiler settled", "the brokers' CPU per round stopped falling", "round limit"


@dataclass(frozen=True)
class LettersWarmUp:
    rounds: list[WarmUpRound]
    stopped: str  # SETTLED, LEVELLED or LIMIT


async def warm_up_letters(
    database_url: str, bus_url: str, sim_url: str, sim_key: Path, *, count: int, workers: int, max_rounds: int,
    timeout_s: float, progress: Callable[[int], Callable[[str, float], None]],
    on_round: Callable[[int, WarmUpRound], None],
) -> LettersWarmUp:
    """Rounds of `count` raw letters until the brokers' JIT has settled, at most `max_rounds`;
    `progress(n)` is round n's progress callback (as the raw run reports it)."""
    rounds: list[WarmUpRound] = []
    for number in range(1, max_rounds + 1):
        load = letter_load(count, (FIRST_CITIZEN_IN_COUNTS + number) * count, seed=SEED + number)
        meter = CpuMeter().start()
        await run_raw_letters(database_url, bus_url, sim_url, sim_key, load, workers, progress(number), timeout_s)
        cpu = meter.stop()
        rounds.append(WarmUpRound(count, cpu.kafka_s, cpu.kafka_jit_s))
        on_round(number, rounds[-1])
        if rounds[-1].settled:
            return LettersWarmUp(rounds, SETTLED)
        if _levelled(rounds):
            return LettersWarmUp(rounds, LEVELLED)
    return LettersWarmUp(rounds, LIMIT)


def _levelled(rounds: list[WarmUpRound]) -> bool:
    if len(rounds) < 2:
        return False
    before, last = rounds[-2].brokers_s, rounds[-1].brokers_s
    return before is not None and last is not None and last >= NO_LONGER_FALLING * before
