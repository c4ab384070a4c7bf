"""`loket demo`: start the whole platform on the embedded default and push events through it
(demo_week.py plays it; imported when the demo runs, so `loket demo --help` answers at once
instead of after 2.9 s of importing the services)."""

from __future__ import annotations

import typer


def demo(
    letters: int = typer.Option(2000, help="municipal letters to deliver (eBox or paper)"),
    scale: int = typer.Option(1, min=1, help="multiply the volume (appointments, visits, letters)"),
    keep_running: bool = typer.Option(False, help="leave the system up after the demo (Ctrl-C stops it)"),
) -> None:
    """Start everything on the embedded default and play a municipality's week through it:
    appointments and walk-ins at assistance points, a waitlist, device loans, an eBox activation
    at a counter, thousands of letters with a short eBox outage in the middle, and the SMS and
    e-mails citizens get; then summarise and show where to look."""
    from loket.cli.demo_week import run_demo

    run_demo(letters, scale, keep_running)
