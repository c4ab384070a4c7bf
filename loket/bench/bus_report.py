"""The figures of one `loket bench bus` run, judged against the targets, as JSON and Markdown.

Targets (docs/performance.md): the whole pipeline must move ≥ 2 000 events/s, and
keep ≥ 35 % of what raw nats-py publish+consume achieves on the same servers, i.e. Loket's
layers (outbox, relay, FastStream, inbox, one transaction per batch) may cost at most ~2/3.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loket.bench.pipeline import PipelineResult
from loket.bench.raw_nats import RawNatsResult
from loket.bench.raw_postgres import RawPostgresResult

TARGET_EVENTS_PER_S = 2000.0
TARGET_RATIO = 0.35


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


@dataclass
class BusReport:
    pipeline: PipelineResult
    raw_nats: RawNatsResult
    raw_postgres: RawPostgresResult
    machine: dict[str, object] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        raw = self.raw_nats.combined_per_s
        return self.pipeline.events_per_s / raw if raw else 0.0

    @property
    def rate_met(self) -> bool:
        return self.pipeline.events_per_s >= TARGET_EVENTS_PER_S

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= TARGET_RATIO

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, value, verdict) in display order: shared by the terminal and Markdown."""
        p, n, pg = self.pipeline, self.raw_nats, self.raw_postgres

        def verdict(met: bool, target: str) -> str:
            return f"{'met' if met else 'NOT met'} (target {target})"

        return [
            ("pipeline events/s", f"{p.events_per_s:,.0f}", verdict(self.rate_met, f"≥ {TARGET_EVENTS_PER_S:,.0f}")),
            ("pipeline latency p50", f"{p.p50_ms:,.0f} ms", ""),
            ("pipeline latency p99", f"{p.p99_ms:,.0f} ms", ""),
            ("pipeline correctness", f"{p.effects:,} effects, {p.distinct_effects:,} distinct", "ok" if p.correct else "WRONG"),
            ("raw JetStream publish msgs/s", f"{n.publish_per_s:,.0f}", ""),
            ("raw JetStream consume+ack msgs/s", f"{n.consume_per_s:,.0f}", ""),
            ("raw JetStream publish+consume msgs/s", f"{n.combined_per_s:,.0f}", "N ÷ (publish s + consume s)"),
            ("raw PostgreSQL one-row commits/s", f"{pg.commits_per_s:,.0f}", f"{pg.connections} connections, {pg.seconds:.0f} s"),
            ("pipeline ÷ raw publish+consume", f"{self.ratio:.2f}", verdict(self.ratio_met, f"≥ {TARGET_RATIO}")),
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "machine": self.machine,
            "targets": {"events_per_s": TARGET_EVENTS_PER_S, "ratio": TARGET_RATIO},
            "verdict": {"events_per_s_met": self.rate_met, "ratio": self.ratio, "ratio_met": self.ratio_met},
            "pipeline": self.pipeline.as_dict(),
            "raw_nats": self.raw_nats.as_dict(),
            "raw_postgres": self.raw_postgres.as_dict(),
        }

    def markdown(self) -> str:
        p = self.pipeline
        lines = [
            "# loket bench bus",
            "",
            " · ".join(f"{k}: {v}" for k, v in self.machine.items()),
            "",
            f"{p.options.events:,} events of ~{self.raw_nats.body_bytes} B; {p.options.writers} writers × "
            f"{p.options.events_per_tx} events per transaction; relay batch {p.options.relay_batch}; "
            f"consumer batch {p.options.consumer_batch} / {p.options.consumer_timeout_s} s; "
            + (f"offered {p.options.rate:,.0f} events/s." if p.options.rate else
               "writers unpaced (latency includes the backlog they build up)."),
            "",
            "| figure | value | |",
            "|---|---:|---|",
            *(f"| {name} | {value} | {note} |" for name, value, note in self.rows()),
            "",
            "Stage completion (s after the first write): "
            + ", ".join(f"{k} {v:.1f}" for k, v in p.stage_done_s.items()),
            "",
            "CPU seconds during the pipeline: " + cpu_summary(p.cpu),
            "",
        ]
        return "\n".join(lines)

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        json_path, md_path = folder / "bus.json", folder / "bus.md"
        json_path.write_text(json.dumps(self.as_dict(), indent=2, default=str) + "\n")
        md_path.write_text(self.markdown())
        return json_path, md_path


def cpu_summary(cpu: dict[str, float | int | None]) -> str:
    """"python 6.1, postgres 2.0, … of 20.2 available (2 cores × 10.1 s wall)"."""
    parts = [
        f"{name} {cpu[key]:.1f}"
        for name, key in (("python", "python_s"), ("postgres", "postgres_s"), ("nats", "nats_s"), ("other", "other_s"))
        if cpu.get(key) is not None
    ]
    wall, cores = float(cpu.get("wall_s") or 0), int(cpu.get("cores") or 1)
    return f"{', '.join(parts)} of {wall * cores:.1f} available ({cores} cores × {wall:.1f} s wall)"
