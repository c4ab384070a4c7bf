"""The Kafka bus benchmark measures the judged pipeline setting and the raw client in turn: its
report judges the fastest of each, lists every pair's own ratio, and draws the replica curve
from each setting's fastest run."""

from __future__ import annotations

import dataclasses
import json

import pytest

from loket.bench.bus_report import BusReport
from loket.bench.kafka_warm_up import WarmUpRound
from loket.bench.pipeline import PipelineOptions, PipelineResult
from loket.bench.raw_nats import RawBusResult
from loket.bench.raw_postgres import RawPostgresResult


def _run(consumers: int, per_s: float) -> PipelineResult:
    return PipelineResult(options=PipelineOptions(events=50_000, consumer_processes=consumers), events_per_s=per_s,
                          seconds=50_000 / per_s, p50_ms=100.0, p99_ms=200.0, max_ms=300.0, effects=50_000,
                          distinct_effects=50_000)


def _raw(per_s: float) -> RawBusResult:
    return RawBusResult(broker="kafka", messages=50_000, body_bytes=1023, publish_s=1.0, consume_s=0.3,
                        publish_per_s=50_000.0, consume_per_s=160_000.0, combined_per_s=per_s,
                        cpu_publish={}, cpu_consume={})


def _report() -> BusReport:
    judged = [_run(1, 12_000.0), _run(1, 15_000.0), _run(1, 13_000.0)]
    raws = [38_000.0, 36_000.0, 40_000.0]
    pg = RawPostgresResult(connections=16, seconds=5.0, commits=80_000, commits_per_s=16_000.0, cpu={})
    return BusReport([*judged, _run(2, 11_000.0), _run(4, 9_000.0)], _raw(max(raws)), pg,
                     raw_results=[_raw(r) for r in raws],
                     pairs=[(r.events_per_s, raw) for r, raw in zip(judged, raws, strict=True)])


def test_the_ratio_is_the_fastest_pipeline_run_over_the_fastest_raw_run() -> None:
    report = _report()
    assert report.pipeline.events_per_s == 15_000.0
    assert report.ratio == pytest.approx(15_000 / 40_000)
    row = next(r for r in report.rows() if r[0] == "pipeline ÷ raw publish+consume")
    assert row[1] == "0.38" and row[2] == "NOT met (target ≥ 0.4); the fastest of each"


def test_each_pair_is_listed_with_its_own_ratio() -> None:
    report = _report()
    row = next(r for r in report.rows() if r[0] == "pipeline and raw measured in turn")
    assert row[1] == "0.32, 0.42, 0.33"
    assert row[2] == "12,000 ÷ 38,000; 15,000 ÷ 36,000; 13,000 ÷ 40,000"
    saved = json.loads(json.dumps(report.as_dict()))["pairs"]
    assert [p["ratio"] for p in saved] == pytest.approx([12 / 38, 15 / 36, 13 / 40])
    assert "| pipeline and raw measured in turn | 0.32, 0.42, 0.33 |" in report.markdown()


def test_the_curve_shows_each_setting_once_at_its_fastest() -> None:
    rows = _report().curve_rows()
    assert [(label, per_s) for label, per_s, *_ in rows] == [
        ("1 consumer process (fastest of 3)", "15,000"), ("2 consumer processes", "11,000"),
        ("4 consumer processes", "9,000")]
    assert rows[0][4] == "█" * 30 and rows[2][4] == "█" * 18


def test_a_single_pair_adds_no_row() -> None:
    report = _report()
    report.pairs = report.pairs[:1]
    assert not any(r[0] == "pipeline and raw measured in turn" for r in report.rows())


def test_the_warm_up_line_shows_each_rounds_compiling_share_and_pipeline_rate() -> None:
    report = _report()
    report.warm_up = [WarmUpRound(100_000, 4.0, 2.0, pipeline_per_s=9_876.0, raw_per_s=30_000.0),
                      WarmUpRound(100_000, 2.0, 0.1, pipeline_per_s=14_321.0, raw_per_s=35_000.0)]
    assert report.warm_up_line() == (
        "Warm-up: 2 rounds of 100,000 raw and 100,000 pipeline events; the brokers' JIT compiler's share of "
        "their CPU during each round's pipeline run: 50%, 5%; each round's pipeline events/s: 9,876, 14,321.")
    report.warm_up = [WarmUpRound(100_000, 2.0, 0.1)]  # rounds that did not measure their rates
    assert report.warm_up_line().endswith("run: 5%.")


def test_each_run_is_listed_in_order_with_its_cpu_wal_and_checkpoints() -> None:
    report = _report()
    report.runs[0].cpu = {"machine_busy_s": 5.0, "context_switches": 455_000}
    report.raw_results[0] = dataclasses.replace(report.raw_results[0], cpu_publish={"context_switches": 20_000},
                                                cpu_consume={"context_switches": 5_000})
    report.runs[0].postgres = {"wal_bytes": 112_000_000, "checkpoints": 0}
    report.runs[1].postgres = {"wal_bytes": 180_000_000, "checkpoints": 1}
    lines = report.run_lines()
    # Each pair's raw run came first; the curve's runs follow the pairs.
    assert lines[0] == "raw run 1: 38,000 msg/s; 0.5 context switches per event"
    assert lines[1] == ("run 1, 1 consumer process: 12,000 events/s, the machine's CPU 5.0 s (100 µs per event, "
                        "9.1 context switches per event); WAL 112 MB (2.2 KB per event), no checkpoint began")
    assert lines[3] == ("run 2, 1 consumer process: 15,000 events/s; WAL 180 MB (3.5 KB per event), "
                        "1 checkpoint began (full-page images follow)")
    assert lines[4:6] == ["raw run 3: 40,000 msg/s", "run 3, 1 consumer process: 13,000 events/s"]
    assert lines[7] == "run 5, 4 consumer processes: 9,000 events/s"  # an older report: neither measured
    assert len(lines) == 8
    assert f"- {lines[3]}" in report.markdown()


def test_each_run_shows_how_fast_the_machine_ran_meanwhile() -> None:
    report = _report()
    report.runs[0].host_speed = {"core 0": 0.97, "core 1": 0.61, "wake-up": 0.55}
    for raw, speeds in zip(report.raw_results, [{"core 0": 1.0, "core 1": 0.995}, {"core 0": 0.9, "core 1": 0.9}, {}],
                           strict=True):
        raw.host_speed.update(speeds)
    report.host_reference_ns = {"core 0": 1_104_000.0, "core 1": 1_150_000.0, "wake-up": 480_000.0}
    lines = report.run_lines()
    assert lines[0] == "raw run 1: 38,000 msg/s; cores at 100 % and 100 % of their best"
    assert lines[1] == ("run 1, 1 consumer process: 12,000 events/s; cores at 97 % and 61 %, wake-ups at 55 % of "
                        "their best")
    assert lines[4] == "raw run 3: 40,000 msg/s"  # no probe fell in its window
    markdown = report.markdown()
    assert "took at best core 0 1.10 ms, core 1 1.15 ms, wake-up 0.48 ms of CPU" in markdown
    saved = json.loads(json.dumps(report.as_dict()))
    assert saved["runs"][0]["host_speed"] == {"core 0": 0.97, "core 1": 0.61, "wake-up": 0.55}
    assert saved["raw_runs"][1]["host_speed"] == {"core 0": 0.9, "core 1": 0.9}
    report.warm_up = [WarmUpRound(100_000, 2.0, 0.1, pipeline_per_s=14_321.0,
                                  host_speed={"core 0": 0.994, "core 1": 0.5, "wake-up": 0.7})]
    assert report.warm_up_line().endswith(
        "the machine's speed in each round's pipeline run (core 0 / core 1 / wake-up, % of their best): 99/50/70.")


def test_a_report_without_probes_says_nothing_about_the_machines_speed() -> None:
    report = _report()
    assert "The machine's speed" not in report.markdown()
    assert report.host_line() == ""
    assert not any("of their best" in line for line in report.run_lines())


def test_each_run_says_how_long_the_brokers_compiled_meanwhile() -> None:
    # After the warm-up the brokers' JIT still takes 0.1 to 1 CPU s a run: a slow run shows why.
    report = _report()
    report.runs[0].cpu = {"machine_busy_s": 5.0, "kafka_s": 3.0, "kafka_jit_s": 1.014}
    report.raw_results[0] = dataclasses.replace(report.raw_results[0], cpu_publish={"kafka_s": 1.0, "kafka_jit_s": 0.1},
                                                cpu_consume={"kafka_s": 0.3, "kafka_jit_s": 0.02})
    # JetStream: the meter finds no broker threads (0.0 s of JIT); nothing said.
    report.runs[1].cpu = {"machine_busy_s": 4.0, "kafka_s": 0.0, "kafka_jit_s": 0.0}
    lines = report.run_lines()
    assert lines[0] == "raw run 1: 38,000 msg/s; the brokers compiling 0.12 s"
    assert lines[1] == ("run 1, 1 consumer process: 12,000 events/s, the machine's CPU 5.0 s (100 µs per event, "
                        "the brokers compiling 1.01 s)")
    assert lines[3] == "run 2, 1 consumer process: 15,000 events/s, the machine's CPU 4.0 s (80 µs per event)"


def test_each_run_says_how_busy_it_kept_the_cores() -> None:
    # The ratio divides throughputs: a raw run that left the cores a third idle shows it beside the
    # pipeline run that kept them nine tenths busy (runs 81 and 82).
    report = _report()
    report.runs[0].cpu = {"machine_busy_s": 5.8, "wall_s": 3.27, "cores": 2}
    report.raw_results[0] = dataclasses.replace(
        report.raw_results[0], cpu_publish={"machine_busy_s": 1.3, "wall_s": 1.0, "cores": 2},
        cpu_consume={"machine_busy_s": 0.5, "wall_s": 0.31, "cores": 2})
    # A raw run whose consume phase was not metered says nothing rather than half a figure.
    report.raw_results[1] = dataclasses.replace(
        report.raw_results[1], cpu_publish={"machine_busy_s": 1.3, "wall_s": 1.0, "cores": 2}, cpu_consume={})
    lines = report.run_lines()
    assert lines[0] == "raw run 1: 38,000 msg/s; the cores 69 % busy"
    assert lines[1] == ("run 1, 1 consumer process: 12,000 events/s, the machine's CPU 5.8 s (116 µs per event, "
                        "the cores 89 % busy)")
    assert lines[2] == "raw run 2: 36,000 msg/s"
