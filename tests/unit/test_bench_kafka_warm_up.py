"""The Kafka benchmark's warm-up stops once the brokers' JIT compiler has settled, and says so; its CPU report
splits the brokers' time by what their threads do."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from loket.bench import cpu_usage, kafka_warm_up
from loket.bench.bus_report import cpu_summary
from loket.bench.cpu_usage import CpuUsage
from loket.bench.kafka_warm_up import SETTLED_JIT_SHARE, WarmUpRound, warm_up_kafka
from loket.bench.pipeline import PipelineOptions

TICK = cpu_usage._TICK


def test_a_round_is_settled_below_the_share_and_when_nothing_can_be_measured() -> None:
    assert WarmUpRound(1000, 4.0, 2.0).jit_share == 0.5
    assert not WarmUpRound(1000, 4.0, 2.0).settled
    assert WarmUpRound(1000, 4.0, 4.0 * SETTLED_JIT_SHARE * 0.9).settled
    assert WarmUpRound(1000, None, None).settled  # not Linux: one round, no way to tell


@pytest.mark.parametrize(("shares", "max_rounds", "expected_rounds"), [
    ([(4.0, 2.0), (4.0, 1.0), (4.0, 0.2), (4.0, 0.1)], 8, 3),  # 50 %, 25 %, 5 %: stops at the third
    ([(4.0, 2.0), (4.0, 2.0), (4.0, 2.0)], 2, 2),  # never settles: the cap holds
])
def test_rounds_run_until_the_compiler_settles_or_the_cap(
    monkeypatch: pytest.MonkeyPatch, shares: list[tuple[float, float]], max_rounds: int, expected_rounds: int,
) -> None:
    calls: list[str] = []

    async def raw(bootstrap: str, events: int, *args: Any) -> Any:
        calls.append(f"raw {events}")
        return SimpleNamespace(combined_per_s=30_000.0 + len(calls))

    scripted = iter(shares)

    async def pipeline(database_url: str, bus_url: str, options: PipelineOptions) -> Any:
        calls.append(f"pipeline {options.events} x{options.consumer_processes}")
        brokers, jit = next(scripted)
        return SimpleNamespace(cpu={"kafka_s": brokers, "kafka_jit_s": jit}, events_per_s=1_000.0 * len(calls),
                               window=(float(len(calls)), len(calls) + 0.5),
                               stage_done_s={"written": 0.1 * len(calls), "relayed": 0.2, "consumed": 0.3})

    monkeypatch.setattr(kafka_warm_up, "run_raw_kafka", raw)
    monkeypatch.setattr(kafka_warm_up, "run_pipeline", pipeline)
    seen: list[int] = []
    rounds = asyncio.run(warm_up_kafka(
        "postgresql://db", "kafka://a:1", "a:1", PipelineOptions(), events=700, max_rounds=max_rounds,
        consumer_processes=2, partitions=12, on_round=lambda number, done: seen.append(number)))
    assert len(rounds) == expected_rounds
    assert seen == list(range(1, expected_rounds + 1))
    assert calls == ["raw 700", "pipeline 700 x2"] * expected_rounds
    assert rounds[-1].settled == (expected_rounds < max_rounds)
    # Each round keeps its own rates: the pipeline's from its run, the raw client's from its run.
    assert [(r.raw_per_s, r.pipeline_per_s) for r in rounds] == [
        (30_000.0 + 2 * n + 1, 1_000.0 * (2 * n + 2)) for n in range(expected_rounds)]
    # And its pipeline run's window, for the cores' speed in it (filled in by the benchmark).
    assert [r.pipeline_window for r in rounds] == [(2.0 * n + 2, 2.0 * n + 2.5) for n in range(expected_rounds)]
    # And when each stage of its pipeline run was done, to tell which one held a slow round up.
    assert [r.stage_done_s["written"] for r in rounds] == pytest.approx([0.1 * (2 * n + 2) for n in range(expected_rounds)])


def test_the_cpu_summary_shows_the_brokers_compiling() -> None:
    usage = CpuUsage(5.0, 2.0, 1.0, 0.0, 9.0, 2, kafka_s=3.0, kafka_jit_s=0.4)
    assert "kafka brokers 3.0 (JIT 0.4)," in cpu_summary(usage.as_dict())


def test_the_cpu_summary_splits_the_brokers_time_by_what_their_threads_do() -> None:
    usage = CpuUsage(5.0, 2.0, 1.0, 0.0, 9.0, 2, kafka_s=3.0, kafka_jit_s=0.4, kafka_requests_s=1.2,
                     kafka_replication_s=0.5)
    assert "kafka brokers 3.0 (JIT 0.4, requests 1.2, replication 0.5)," in cpu_summary(usage.as_dict())
    assert "JIT" not in cpu_summary(CpuUsage(5.0, 2.0, 1.0, 0.0, 9.0, 2).as_dict())  # no brokers, no split


# Thread ids by name, so a thread keeps its id from one reading of the fake /proc to the next.
_TIDS = {"C2 CompilerThre": 1, "C1 CompilerThre": 2, "data-plane-kafk": 3, "ReplicaFetcherT": 4, "GC Thread#0": 5}


def _fake_process(proc: Path, pid: int, comm: str, threads: dict[str, int], *, total: int | None = None,
                  replace: bool = False) -> None:
    """A process in a fake /proc with these threads' ticks; its own ticks are `total` (a real
    process's keep what its ended threads used), else the threads' sum."""
    def stat(tid: int, name: str, ticks: int) -> str:  # utime and stime are the 14th and 15th fields
        return f"{tid} ({name}) S " + " ".join(["0"] * 10) + f" {ticks} {ticks} 0 0"

    if replace:
        shutil.rmtree(proc / str(pid))
    (proc / str(pid) / "task").mkdir(parents=True)
    (proc / str(pid) / "stat").write_text(stat(pid, comm, sum(threads.values()) if total is None else total))
    for name, ticks in threads.items():
        tid = pid + _TIDS[name]
        (proc / str(pid) / "task" / str(tid)).mkdir()
        (proc / str(pid) / "task" / str(tid) / "stat").write_text(stat(tid, name, ticks))


def test_broker_threads_are_counted_by_kind_and_only_in_java_processes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "self").mkdir()
    _fake_process(tmp_path, 100, "java", {"C2 CompilerThre": 5, "C1 CompilerThre": 1, "data-plane-kafk": 7,
                                          "ReplicaFetcherT": 3, "GC Thread#0": 11})
    _fake_process(tmp_path, 200, "java", {"data-plane-kafk": 2})
    _fake_process(tmp_path, 300, "python3", {"C2 CompilerThre": 50, "data-plane-kafk": 50})
    monkeypatch.setattr(cpu_usage, "_PROC", tmp_path)
    # utime + stime, so each thread's ticks count twice
    meter = cpu_usage.CpuMeter().start()
    _fake_process(tmp_path, 100, "java", {"C2 CompilerThre": 6, "C1 CompilerThre": 1, "data-plane-kafk": 9,
                                          "ReplicaFetcherT": 3, "GC Thread#0": 20}, replace=True)
    usage = meter.stop()
    assert (usage.kafka_jit_s, usage.kafka_requests_s, usage.kafka_replication_s) == (2 / TICK, 4 / TICK, 0.0)


def test_a_process_or_thread_that_ends_during_a_run_takes_nothing_away(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Seen: another Kafka cluster stopped during a warm-up round, the brokers "used -4.1 CPU s"
    and the warm-up took the round for settled."""
    (tmp_path / "self").mkdir()
    monkeypatch.setattr(cpu_usage, "_PROC", tmp_path)
    _fake_process(tmp_path, 100, "java", {"C2 CompilerThre": 50, "data-plane-kafk": 10})
    _fake_process(tmp_path, 200, "java", {"C2 CompilerThre": 400, "data-plane-kafk": 400})  # about to stop
    meter = cpu_usage.CpuMeter().start()
    shutil.rmtree(tmp_path / "200")
    # Broker 100's C2 thread ended (HotSpot stops idle compiler threads) and a C1 thread started.
    _fake_process(tmp_path, 100, "java", {"data-plane-kafk": 13, "C1 CompilerThre": 2}, total=80, replace=True)
    _fake_process(tmp_path, 300, "java", {"data-plane-kafk": 5})  # a broker started meanwhile
    usage = meter.stop()
    # utime + stime: every tick twice. Process 200 is left out; 300 counts from zero.
    assert usage.kafka_s == ((80 - 60) + 5) * 2 / TICK
    assert usage.kafka_requests_s == ((13 - 10) + 5) * 2 / TICK
    assert usage.kafka_jit_s == 2 * 2 / TICK  # the new thread from zero, the ended one left out


def test_a_round_whose_broker_cpu_is_not_positive_has_not_settled() -> None:
    assert not WarmUpRound(1000, -4.12, 4.11).settled
    assert not WarmUpRound(1000, 0.0, 0.0).settled


def test_the_consumer_replicas_are_counted_apart_and_not_as_other(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The replicas were in `other`, where they passed for unrelated work on the machine."""
    (tmp_path / "self").mkdir()
    monkeypatch.setattr(cpu_usage, "_PROC", tmp_path)
    _fake_process(tmp_path, 400, "python3", {"data-plane-kafk": 30}, total=30)  # a replica (thread names unread)
    _fake_process(tmp_path, 500, "python3", {}, total=7)  # some other Python on the machine
    meter = cpu_usage.CpuMeter(consumers=[400]).start()
    _fake_process(tmp_path, 400, "python3", {"data-plane-kafk": 30}, total=55, replace=True)
    _fake_process(tmp_path, 500, "python3", {}, total=90, replace=True)
    usage = meter.stop()
    assert usage.consumers_s == (55 - 30) * 2 / TICK  # utime + stime
    assert usage.kafka_s == 0.0  # Python processes are no broker, whatever their threads are called
    assert cpu_usage.CpuMeter().start().stop().consumers_s is None  # a run without replicas has no figure

    counted = CpuUsage(4.0, 1.5, 1.0, 0.0, 6.0, 2, kafka_s=1.5, consumers_s=1.2)
    assert counted.other_s == pytest.approx(0.8)
    assert "consumer replicas 1.2, other 0.8 of 8.0 available" in cpu_summary(counted.as_dict())
    assert "consumer replicas" not in cpu_summary(CpuUsage(4.0, 1.5, 1.0, 0.0, 6.0, 2, kafka_s=1.5).as_dict())
