"""Warm a fresh Kafka cluster before `loket bench bus --bus kafka` measures anything.

Brokers just started spend much of their CPU compiling (HotSpot's C1 and C2 threads). In the
first pipeline run on a new cluster the compiler took half of the brokers' CPU; over some five
rounds of traffic its share fell to a few per cent, and the brokers' CPU per event to a third.
Production brokers run for weeks, so a measurement on a cold cluster measures the compiler, and
whichever run comes first pays most. Rounds of both kinds of traffic run until the compiler's
share of the brokers' CPU during a round's pipeline run falls below SETTLED_JIT_SHARE (or
`max_rounds` ran; the whole round's share stays higher, as the compiler keeps working while the
replicas start and the consumer group settles, when the brokers have little else to do): raw
aiokafka (a few large produce batches) and the pipeline (a produce request per relay round,
consumer-group fetches, offset commits), each of which exercises broker code the other does not.

What settles the compiler is traffic, not rounds: with rounds of 50 000 events the share was still
18–58 % after 8 to 12 rounds (runs 8 to 15), and the brokers' CPU per event in such a round was
up to twice what it is once settled. Rounds of 100 000 (the default) spend less of each round on
its fixed part (a schema, 100 000 seeded rows, the replica starting); on one fresh cluster they
settled after 11 rounds, about 4 minutes (docs/performance.md, run 15).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from loket.bench.pipeline import PipelineOptions, run_pipeline
from loket.bench.raw_kafka import run_raw_kafka

SETTLED_JIT_SHARE = 0.10


@dataclass(frozen=True)
class WarmUpRound:
    events: int
    brokers_s: float | None  # the brokers' CPU seconds during the round's pipeline run (None: not measurable here)
    jit_s: float | None  # of which their JIT compiler threads
    # The round's own rates, to see whether the measured side still speeds up (or slows down) as
    # rounds go by; None where the round does not measure them (the letters warm-up).
    pipeline_per_s: float | None = None
    raw_per_s: float | None = None
    # The pipeline run's time.monotonic() window, and the machine's speed in it (host_speed.py).
    pipeline_window: tuple[float, float] | None = None
    host_speed: dict[str, float] = field(default_factory=dict)
    # Seconds from the first write until each stage (written, relayed, consumed) had every event:
    # a round far slower than the others says here which stage held it up.
    stage_done_s: dict[str, float] = field(default_factory=dict)

    @property
    def jit_share(self) -> float | None:
        if self.brokers_s is None or self.jit_s is None:
            return None
        return self.jit_s / self.brokers_s if self.brokers_s > 0 else 0.0

    @property
    def settled(self) -> bool:
        """Compiling no longer matters, or there is no way to tell (not Linux): stop warming. Brokers
        that used no CPU in a pipeline run were not measured right: that settles nothing."""
        if self.brokers_s is not None and self.brokers_s <= 0:
            return False
        share = self.jit_share
        return share is None or share < SETTLED_JIT_SHARE


async def warm_up_kafka(
    database_url: str, bus_url: str, bootstrap: str, options: PipelineOptions, *, events: int, max_rounds: int,
    consumer_processes: int, partitions: int, on_round: Callable[[int, WarmUpRound], None],
) -> list[WarmUpRound]:
    """Rounds of `events` raw and `events` pipeline events until the brokers' JIT has settled."""
    rounds: list[WarmUpRound] = []
    for number in range(1, max_rounds + 1):
        raw = await run_raw_kafka(bootstrap, events, options.consumer_batch, partitions)
        result = await run_pipeline(database_url, bus_url,
                                    dataclasses.replace(options, events=events, consumer_processes=consumer_processes))
        rounds.append(WarmUpRound(events, result.cpu.get("kafka_s"), result.cpu.get("kafka_jit_s"),  # type: ignore[arg-type]
                                  pipeline_per_s=result.events_per_s, raw_per_s=raw.combined_per_s,
                                  pipeline_window=result.window, stage_done_s=result.stage_done_s))
        on_round(number, rounds[-1])
        if rounds[-1].settled:
            break
    return rounds
