"""One row per benchmark from the JSON each writes: the headline figure, its raw baseline,
the ratio, and whether the target was met. Written by `loket bench all` as JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _row(name: str, figure: str, baseline: str, ratio: float | None, target: str, met: bool) -> dict[str, Any]:
    return {"benchmark": name, "figure": figure, "raw baseline": baseline,
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "met": met}


def summarise(folder: Path) -> list[dict[str, Any]]:
    rows = []
    read = lambda name: json.loads((folder / f"{name}.json").read_text())  # noqa: E731
    for name, broker, client in (("bus", "JetStream", "nats-py"), ("bus-kafka", "Kafka", "aiokafka")):
        if (folder / f"{name}.json").exists():
            d = read(name)
            rows.append(_row(f"bus (outbox → relay → {broker} → consumer)", f"{d['pipeline']['events_per_s']:,.0f} events/s",
                             f"{d['raw_bus']['combined_per_s']:,.0f} msg/s raw {client}", d["verdict"]["ratio"],
                             f"≥ {d['targets']['events_per_s']:,.0f}/s, ratio ≥ {d['targets']['ratio']}",
                             d["verdict"]["events_per_s_met"] and d["verdict"]["ratio_met"]))
    for name, broker in (("letters", "JetStream"), ("letters-kafka", "Kafka")):
        if (folder / f"{name}.json").exists():
            d = read(name)
            rows.append(_row(f"letters (LetterIssued on {broker} → eBox / paper)",
                             f"{d['loket']['letters_per_s']:,.0f} letters/s, p99 {d['loket']['p99_ms']:,.0f} ms",
                             f"{d['raw']['events_per_s']:,.0f} events/s per-event pipeline", d["ratio"],
                             f"≥ {d['targets']['letters_per_s']:,.0f}/s, ratio ≥ {d['targets']['ratio']}",
                             d["loket"]["letters_per_s"] >= d["targets"]["letters_per_s"]
                             and d["ratio"] >= d["targets"]["ratio"]))
    if (folder / "booking.json").exists():
        d = read("booking")
        rows.append(_row("booking (32 clients, one busy point)", f"{d['loket']['per_s']:,.0f} bookings/s, "
                         f"p99 {d['loket']['p99_ms']:.0f} ms", f"{d['raw']['per_s']:,.0f}/s raw INSERT",
                         d["ratio_loket_to_raw"], "≥ 500/s, p99 < 100 ms",
                         d["loket"]["per_s"] >= 500 and d["loket"]["p99_ms"] < 100 and d["checks"]["one_winner_per_target"]))
    if (folder / "notify.json").exists():
        d = read("notify")
        rows.append(_row("notify (confirmations to the SMS provider)", f"{d['burst']['per_s']:,.0f} msg/s; "
                         f"{d['paced']['within_10s']:.0%} within 10 s at {d['paced_rate']:g}/s",
                         f"{d['raw']['per_s']:,.0f} POST/s", d["ratio_burst_to_raw"], "≥ 500/s, 95 % within 10 s",
                         d["burst"]["per_s"] >= 500 and d["paced"]["within_10s"] >= 0.95))
    if (folder / "reporting.json").exists():
        d = read("reporting")
        rows.append(_row("reporting (mixed events)", f"{d['projected']['per_s']:,.0f} events/s; rebuild "
                         f"{d['events']:,} in {d['rebuild']['seconds']:.0f} s", f"{d['raw']['per_s']:,.0f}/s raw upserts",
                         d["ratio_live_to_raw"], "≥ 5 000/s, rebuild < 60 s",
                         d["projected"]["per_s"] >= 5000 and d["rebuild"]["seconds"] < 60))
    if (folder / "outbox.json").exists():
        d = read("outbox")
        rows.append(_row(f"outbox ({d['processes']} processes × {d['writers_per_process']}, one event per transaction)",
                         f"{d['loket']['per_s']:,.0f} commits/s, p99 {d['loket']['p99_ms']:.0f} ms",
                         f"{d['raw']['per_s']:,.0f}/s raw INSERT", d["ratio"], "every append relayed",
                         d["checks"]["all_relayed"] and d["checks"]["raw_all_written"]))
    return rows


def markdown(rows: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    lines = [f"# Loket benchmarks — {machine.get('date', '')}", "",
             f"Machine: {machine.get('cpu_count')} cores, {machine.get('cpu_model')}, Python {machine.get('python')}; "
             "every figure was measured in the same run as its raw baseline.", "",
             "| benchmark | figure | raw baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['benchmark']} | {r['figure']} | {r['raw baseline']} | {r['ratio']} | {r['target']} | "
                     f"{'yes' if r['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"
