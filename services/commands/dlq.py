"""`loket dlq list|show|replay`: inspect and re-publish dead letters (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Dead-letter queues: list, show and replay.", no_args_is_help=True)
