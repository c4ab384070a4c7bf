"""The benchmarks report progress as `(stage, done)` callbacks; this turns them into rich bars,
one per (run, stage). A bar is declared up front (to fix its label and order) or made on the
first report of its stage, labelled "<run>: <stage>"."""

from __future__ import annotations

from collections.abc import Callable

from rich.progress import Progress, TaskID

StageCallback = Callable[[str, float], None]


class StageBars:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def add(self, run: str, stages: dict[str, str], total: float) -> None:
        """Declare the bars of `run` now, with their labels."""
        for stage, label in stages.items():
            self.tasks[f"{run}:{stage}"] = self.progress.add_task(label, total=total)

    def callback(self, run: str, total: float | None = None) -> StageCallback:
        def update(stage: str, done: float) -> None:
            key = f"{run}:{stage}"
            if key not in self.tasks:
                self.tasks[key] = self.progress.add_task(f"{run}: {stage}", total=total)
            self.progress.update(self.tasks[key], completed=done)
        return update
