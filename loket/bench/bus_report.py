"""The figures of one `loket bench bus` run, judged against the targets, as JSON and Markdown.

Targets (docs/performance.md, docs/scaling.md): on NATS JetStream the whole pipeline must move
≥ 2 000 events/s and keep ≥ 35 % of what raw nats-py publish+consume achieves on the same
servers, i.e. Loket's layers (outbox, relay, FastStream, inbox, one transaction per batch) may
cost at most ~2/3; on Kafka (three brokers, every write on two of them before it counts)
≥ 3 000 events/s and ≥ 40 % of raw aiokafka produce+consume.

A run may measure the pipeline several times, with 0 (in the benchmark's own process), 1, 2, 4
… consumer replica processes: the verdict is on the fastest, and every run is listed. On Kafka the
first setting and the raw client are measured in turn, a few times (`pairs`): the ratio is the
fastest pipeline run ÷ the fastest raw run, and each pair's own ratio is listed beside it.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loket.bench.host_speed import speeds_summary
from loket.bench.kafka_warm_up import WarmUpRound
from loket.bench.pipeline import PipelineResult
from loket.bench.postgres_activity import activity_summary
from loket.bench.postgres_floor import PostgresFloor
from loket.bench.raw_nats import RawBusResult
from loket.bench.raw_postgres import RawPostgresResult

# broker → (events/s, ratio to the raw client's publish+consume)
TARGETS = {"nats": (2000.0, 0.35), "kafka": (3000.0, 0.4)}
BROKER_NAMES = {"nats": "JetStream", "kafka": "Kafka"}
CLIENT_NAMES = {"nats": "nats-py", "kafka": "aiokafka"}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(stack: str) -> dict[str, object]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "stack": stack,
    }


def consumers_label(processes: int) -> str:
    return "consumer in the benchmark's process" if processes == 0 else (
        f"{processes} consumer process{'es' if processes > 1 else ''}")


@dataclass
class BusReport:
    runs: list[PipelineResult]  # one per consumer setting, in the order measured
    raw_bus: RawBusResult
    raw_postgres: RawPostgresResult
    # Every raw publish+consume run, in the order measured; raw_bus is the fastest of them.
    raw_results: list[RawBusResult] = field(default_factory=list)
    # Kafka: the warm-up rounds before the measurement.
    warm_up: list[WarmUpRound] = field(default_factory=list)
    machine: dict[str, object] = field(default_factory=dict)
    # The pipeline's statements on PostgreSQL with no bus (postgres_floor.py); None: PostgreSQL is
    # not on this machine, so its CPU could not be read.
    postgres_floor: PostgresFloor | None = None
    # (pipeline events/s, raw msgs/s) of the runs measured in turn, in order.
    pairs: list[tuple[float, float]] = field(default_factory=list)
    # Each machine speed probe's best over the whole benchmark, in nanoseconds (host_speed.py).
    host_reference_ns: dict[str, float] = field(default_factory=dict)

    @property
    def raw_runs(self) -> list[float]:
        """Every raw publish+consume rate measured (msgs/s)."""
        return [r.combined_per_s for r in self.raw_results]

    @property
    def broker(self) -> str:
        return self.raw_bus.broker

    @property
    def pipeline(self) -> PipelineResult:
        """The fastest correct run (the fastest run when none is correct): the one judged."""
        correct = [r for r in self.runs if r.correct] or self.runs
        return max(correct, key=lambda r: r.events_per_s)

    @property
    def targets(self) -> tuple[float, float]:
        return TARGETS[self.broker]

    @property
    def ratio(self) -> float:
        raw = self.raw_bus.combined_per_s
        return self.pipeline.events_per_s / raw if raw else 0.0

    @property
    def rate_met(self) -> bool:
        return self.pipeline.events_per_s >= self.targets[0]

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= self.targets[1]

    @property
    def correct(self) -> bool:
        return all(r.correct for r in self.runs)

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, value, verdict) in display order: shared by the terminal and Markdown."""
        p, n, pg = self.pipeline, self.raw_bus, self.raw_postgres
        broker, client = BROKER_NAMES[self.broker], CLIENT_NAMES[self.broker]
        rate, ratio = self.targets

        def verdict(met: bool, target: str) -> str:
            return f"{'met' if met else 'NOT met'} (target {target})"

        judged = f" ({consumers_label(p.options.consumer_processes)})" if len(self.runs) > 1 else ""
        return [
            (f"pipeline events/s{judged}", f"{p.events_per_s:,.0f}", verdict(self.rate_met, f"≥ {rate:,.0f}")),
            ("pipeline latency p50", f"{p.p50_ms:,.0f} ms", ""),
            ("pipeline latency p99", f"{p.p99_ms:,.0f} ms", ""),
            ("pipeline correctness", self._correctness(), "ok" if self.correct else "WRONG"),
            (f"raw {broker} publish msgs/s", f"{n.publish_per_s:,.0f}", client),
            (f"raw {broker} consume+commit msgs/s" if self.broker == "kafka" else f"raw {broker} consume+ack msgs/s",
             f"{n.consume_per_s:,.0f}", ""),
            (f"raw {broker} publish+consume msgs/s", f"{n.combined_per_s:,.0f}", self._raw_note()),
            ("raw PostgreSQL one-row commits/s", f"{pg.commits_per_s:,.0f}", f"{pg.connections} connections, {pg.seconds:.0f} s"),
            self._floor_row(),
            *([self._pairs_row()] if len(self.pairs) > 1 else []),
            ("pipeline ÷ raw publish+consume", f"{self.ratio:.2f}",
             verdict(self.ratio_met, f"≥ {ratio}") + ("; the fastest of each" if len(self.pairs) > 1 else "")),
        ]

    def _pairs_row(self) -> tuple[str, str, str]:
        ratios = [pipeline / raw if raw else 0.0 for pipeline, raw in self.pairs]
        return ("pipeline and raw measured in turn", ", ".join(f"{r:.2f}" for r in ratios),
                "; ".join(f"{pipeline:,.0f} ÷ {raw:,.0f}" for pipeline, raw in self.pairs))

    def _floor_row(self) -> tuple[str, str, str]:
        name, floor = "PostgreSQL work alone, no bus (CPU)", self.postgres_floor
        if floor is None:
            return name, "not measured", "PostgreSQL is not on this machine"
        stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in floor.stages.items())
        return (name, f"{floor.total_s:.1f} s, {floor.per_event_us:.0f} µs/event",
                f"the pipeline's statements, one connection: {stages}")

    def _raw_note(self) -> str:
        formula = "N ÷ (publish s + consume s)"
        if len(self.raw_runs) < 2:
            return formula
        return f"{formula}; fastest of {len(self.raw_runs)}: " + ", ".join(f"{r:,.0f}" for r in self.raw_runs)

    def warm_up_line(self) -> str:
        """"Warm-up: 4 rounds of 50,000 raw and 50,000 pipeline events; compiling 48 %, 21 %, 12 %, 6 % …"."""
        if not self.warm_up:
            return "No warm-up."
        shares = [f"{r.jit_share:.0%}" for r in self.warm_up if r.jit_share is not None]
        events = self.warm_up[0].events
        line = (f"Warm-up: {len(self.warm_up)} round{'s' if len(self.warm_up) > 1 else ''} of {events:,} raw and "
                f"{events:,} pipeline events")
        line += (f"; the brokers' JIT compiler's share of their CPU during each round's pipeline run: {', '.join(shares)}"
                 if shares else "")
        rates = [f"{r.pipeline_per_s:,.0f}" for r in self.warm_up if r.pipeline_per_s is not None]
        line += f"; each round's pipeline events/s: {', '.join(rates)}" if rates else ""
        speeds = ["/".join(f"{share * 100:.0f}" for _, share in sorted(r.host_speed.items()))
                  for r in self.warm_up if r.host_speed]
        names = " / ".join(sorted(next((r.host_speed for r in self.warm_up if r.host_speed), {})))
        return line + (f"; the machine's speed in each round's pipeline run ({names}, % of their best): "
                       f"{', '.join(speeds)}." if speeds else ".")

    def _correctness(self) -> str:
        if self.correct:
            runs = f"{len(self.runs)} runs, " if len(self.runs) > 1 else ""
            return f"{runs}{self.pipeline.options.events:,} effects each, all distinct"
        return "; ".join(f"{consumers_label(r.options.consumer_processes)}: {r.effects:,} effects, "
                         f"{r.distinct_effects:,} distinct" for r in self.runs)

    def run_lines(self) -> list[str]:
        """Each run in the order measured (a pair's raw run came first), with what the machine
        spent on it and how fast the machine ran: why one run of a pair was slower shows here (more
        CPU per event, a checkpoint's extra WAL, a host that ran slower meanwhile)."""
        lines = []
        for number, run in enumerate(self.runs, 1):
            if number <= len(self.pairs) and number <= len(self.raw_results):
                raw = self.raw_results[number - 1]
                switches = _per_message(raw.messages, raw.cpu_publish.get("context_switches"),
                                        raw.cpu_consume.get("context_switches"))
                compiling = _compiling(raw.cpu_publish, raw.cpu_consume)
                busy_share = _cores_busy(raw.cpu_publish, raw.cpu_consume)
                notes = [n for n in (busy_share, switches, compiling, speeds_summary(raw.host_speed)) if n]
                lines.append(f"raw run {number}: {raw.combined_per_s:,.0f} msg/s" + "".join(f"; {n}" for n in notes))
            busy = run.cpu.get("machine_busy_s")
            switches = _per_message(run.options.events, run.cpu.get("context_switches"))
            extras = "".join(f", {n}" for n in (_cores_busy(run.cpu), switches, _compiling(run.cpu)) if n)
            cpu = (f", the machine's CPU {busy:.1f} s ({busy / run.options.events * 1e6:.0f} µs per event"
                   + extras + ")" if busy else "")
            notes = [n for n in (activity_summary(run.postgres, run.options.events), speeds_summary(run.host_speed)) if n]
            lines.append(f"run {number}, {consumers_label(run.options.consumer_processes)}: "
                         f"{run.events_per_s:,.0f} events/s{cpu}" + "".join(f"; {n}" for n in notes))
        return lines

    def host_line(self) -> str:
        """What 100 % means in the runs' speeds: each probe's best time in this benchmark."""
        if not self.host_reference_ns:
            return ""
        best = ", ".join(f"{probe} {ns / 1e6:.2f} ms" for probe, ns in sorted(self.host_reference_ns.items()))
        return (f"The machine's speed: fixed probes (host_speed.py) took at best {best} of CPU; a run's share is "
                "its median probe against that best. The benchmark's own load costs the probes some speed (shared "
                "cores and caches), so compare runs of one kind: a pipeline run well below the others ran on a "
                "slower host.")

    def curve_rows(self) -> list[tuple[str, str, str, str, str]]:
        """(consumers, events/s, p50, p99, bar) per consumer setting, its fastest run: how the
        pipeline scales with replicas."""
        best: dict[int, PipelineResult] = {}
        measured: dict[int, int] = {}
        for run in self.runs:
            count = run.options.consumer_processes
            measured[count] = measured.get(count, 0) + 1
            if count not in best or run.events_per_s > best[count].events_per_s:
                best[count] = run
        fastest = max((r.events_per_s for r in best.values()), default=0.0) or 1.0
        return [(consumers_label(count) + (f" (fastest of {measured[count]})" if measured[count] > 1 else ""),
                 f"{r.events_per_s:,.0f}", f"{r.p50_ms:,.0f} ms", f"{r.p99_ms:,.0f} ms",
                 "█" * max(1, round(30 * r.events_per_s / fastest)))
                for count, r in best.items()]

    def as_dict(self) -> dict[str, object]:
        rate, ratio = self.targets
        return {
            "machine": self.machine,
            "broker": self.broker,
            "targets": {"events_per_s": rate, "ratio": ratio},
            "verdict": {"events_per_s_met": self.rate_met, "ratio": self.ratio, "ratio_met": self.ratio_met,
                        "judged_consumer_processes": self.pipeline.options.consumer_processes},
            "pipeline": self.pipeline.as_dict(),
            "runs": [r.as_dict() for r in self.runs],
            "raw_bus": self.raw_bus.as_dict(),
            "raw_runs_combined_per_s": self.raw_runs,
            "raw_runs": [r.as_dict() for r in self.raw_results],
            "host_reference_ns": self.host_reference_ns,
            "pairs": [{"pipeline_events_per_s": p, "raw_combined_per_s": r, "ratio": p / r if r else 0.0}
                      for p, r in self.pairs],
            "warm_up": [asdict(r) for r in self.warm_up],
            "raw_postgres": self.raw_postgres.as_dict(),
            "postgres_floor": self.postgres_floor.as_dict() if self.postgres_floor else None,
        }

    def markdown(self) -> str:
        p = self.pipeline
        lines = [
            f"# loket bench bus — {BROKER_NAMES[self.broker]}",
            "",
            " · ".join(f"{k}: {v}" for k, v in self.machine.items()),
            "",
            f"{p.options.events:,} events of ~{self.raw_bus.body_bytes} B; {p.options.writers} writers × "
            f"{p.options.events_per_tx} events per transaction; relay batch {p.options.relay_batch}, "
            f"lingering {p.options.relay_linger_s * 1000:.0f} ms; "
            f"consumer batch {p.options.consumer_batch} / {p.options.consumer_timeout_s} s; "
            + (f"offered {p.options.rate:,.0f} events/s." if p.options.rate else
               "writers unpaced (latency includes the backlog they build up)."),
            "",
            "| figure | value | |",
            "|---|---:|---|",
            *(f"| {name} | {value} | {note} |" for name, value, note in self.rows()),
            "",
        ]
        if len(self.runs) > 1:
            lines += ["| consumers | events/s | p50 | p99 | |", "|---|---:|---:|---:|---|",
                      *(f"| {c} | {v} | {p50} | {p99} | `{bar}` |" for c, v, p50, p99, bar in self.curve_rows()), ""]
        lines += [
            "Stage completion (s after the first write): "
            + ", ".join(f"{k} {v:.1f}" for k, v in p.stage_done_s.items()),
            "",
            *([self.warm_up_line(), ""] if self.broker == "kafka" else []),
            "CPU seconds during the pipeline: " + cpu_summary(p.cpu),
            "",
            "Runs in the order measured:",
            "",
            *(f"- {line}" for line in self.run_lines()),
            "",
            *([self.host_line(), ""] if self.host_reference_ns else []),
        ]
        return "\n".join(lines)

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        name = "bus" if self.broker == "nats" else f"bus-{self.broker}"
        json_path, md_path = folder / f"{name}.json", folder / f"{name}.md"
        json_path.write_text(json.dumps(self.as_dict(), indent=2, default=str) + "\n")
        md_path.write_text(self.markdown())
        return json_path, md_path


def _per_message(messages: int, *counts: float | int | None) -> str:
    """"9.1 context switches per event" over the counts given; "" when one was not measured."""
    if not messages or any(c is None for c in counts):
        return ""
    return f"{sum(c for c in counts if c is not None) / messages:.1f} context switches per event"


def _cores_busy(*cpus: dict[str, float | int | None]) -> str:
    """"the cores 89 % busy": the machine's CPU over what its cores could give in the runs' wall
    time. The ratio divides throughputs, not CPU: a raw run that leaves a third of the cores idle
    gets its messages through faster than its CPU per message says, so how busy a run kept the
    machine moves the ratio as much as the pipeline's CPU per event does (docs/performance.md,
    runs 81 and 82). "" where a figure was not measured."""
    figures = [(cpu.get("machine_busy_s"), cpu.get("wall_s"), cpu.get("cores")) for cpu in cpus]
    if not figures or not all(busy and wall and cores for busy, wall, cores in figures):
        return ""
    used = sum(float(busy or 0) for busy, _, _ in figures)
    available = sum(float(wall or 0) * int(cores or 0) for _, wall, cores in figures)
    return f"the cores {100 * used / available:.0f} % busy"


def _compiling(*cpus: dict[str, float | int | None]) -> str:
    """"the brokers compiling 1.01 s": their JIT compiler threads' CPU over the runs' CPU figures,
    which still varies from run to run after the warm-up (docs/performance.md, runs 95 to 97); ""
    where no Kafka broker was measured (JetStream, no /proc)."""
    seconds = [cpu.get("kafka_jit_s") for cpu in cpus if cpu.get("kafka_s")]
    if not cpus or len(seconds) < len(cpus) or any(s is None for s in seconds):
        return ""
    return f"the brokers compiling {sum(s for s in seconds if s is not None):.2f} s"


def cpu_summary(cpu: dict[str, float | int | None]) -> str:
    """"python 6.1, postgres 2.0, … of 20.2 available (2 cores × 10.1 s wall)"."""
    parts = [
        f"{name} {cpu[key]:.1f}"
        for name, key in (("python", "python_s"), ("postgres", "postgres_s"), ("nats", "nats_s"),
                          ("kafka brokers", "kafka_s"), ("consumer replicas", "consumers_s"), ("other", "other_s"))
        if cpu.get(key) is not None and not (key == "kafka_s" and not cpu[key])
    ]
    if cpu.get("kafka_s"):
        # Older reports (and runs without /proc) have no thread split, or only the JIT's.
        split = ", ".join(f"{label} {cpu[key]:.1f}" for label, key in (
            ("JIT", "kafka_jit_s"), ("requests", "kafka_requests_s"), ("replication", "kafka_replication_s"))
            if cpu.get(key) is not None)
        if split:
            parts = [f"{part} ({split})" if part.startswith("kafka brokers") else part for part in parts]
    wall, cores = float(cpu.get("wall_s") or 0), int(cpu.get("cores") or 1)
    return f"{', '.join(parts)} of {wall * cores:.1f} available ({cores} cores × {wall:.1f} s wall)"
