"""A benchmark's temporary work folder (data directory, servers' and services' logs): removed
after a run that went well, kept after one that did not, for the post-mortem."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console


def leave_work_folder(folder: Path, *, keep: bool, console: Console, kept_note: str | None = None) -> None:
    """`keep`: the run failed or the person asked for the data. A folder with nothing in it (a
    benchmark that refused to start, before any server wrote a log) is removed all the same:
    pointing someone at an empty folder helps nobody, and `.ci/run` left one behind every time."""
    if keep and _holds_something(folder):
        console.print(kept_note or f"[yellow]work folder kept: {folder}[/]")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _holds_something(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except FileNotFoundError:
        return False
