"""A benchmark that fails keeps its data directory (the brokers' and PostgreSQL's logs) and says
where; one that succeeds, or is stopped by hand, leaves nothing behind."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loket.cli import bench_cmd


@pytest.fixture
def stacks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []

    @contextlib.contextmanager
    def bench_stack(data_dir: Path, broker: str, console: Any) -> Iterator[str]:
        (data_dir / "kafka.log").write_text("what the broker said\n")
        seen.append(data_dir)
        yield "stack"

    monkeypatch.setattr(bench_cmd, "bench_stack", bench_stack)
    return seen


def test_a_failed_benchmark_keeps_its_data_and_says_where(stacks: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(TimeoutError), bench_cmd._stack(False, "kafka"):
        raise TimeoutError("pipeline stalled for 60 s")
    assert (stacks[0] / "kafka.log").read_text() == "what the broker said\n"
    out = " ".join(capsys.readouterr().out.split())
    assert f"data kept in {stacks[0]}: the benchmark failed" in out and f"rm -r {stacks[0]}" in out
    (stacks[0] / "kafka.log").unlink()
    stacks[0].rmdir()


def test_a_benchmark_that_ends_well_or_is_interrupted_leaves_nothing(stacks: list[Path]) -> None:
    with bench_cmd._stack(False, "kafka") as stack:
        assert stack == "stack" and stacks[0].exists()  # there while the benchmark runs
    with pytest.raises(KeyboardInterrupt), bench_cmd._stack(False, "kafka"):
        raise KeyboardInterrupt
    assert len(stacks) == 2 and not any(path.exists() for path in stacks)


def test_a_benchmark_refused_before_anything_wrote_leaves_no_empty_folder(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[Path] = []

    @contextlib.contextmanager
    def refusing_stack(data_dir: Path, broker: str, console: Any) -> Iterator[str]:
        seen.append(data_dir)  # as on a shared bus with a service's consumer: refused, no server started
        raise RuntimeError("a Loket installation consumes on this bus")
        yield "never"

    monkeypatch.setattr(bench_cmd, "bench_stack", refusing_stack)
    with pytest.raises(RuntimeError), bench_cmd._stack(False, "kafka"):
        pass
    assert len(seen) == 1 and not seen[0].exists()
    assert "data kept" not in capsys.readouterr().out
