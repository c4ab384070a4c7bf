"""`loket dlq list|show|replay`: inspect and re-publish dead letters, on NATS or Kafka.

Reasons were masked when the dead letter was written; they are masked again here in case a
message was dead-lettered by hand or by an older version. Bodies are the raw payload an
operator needs, masked too unless `--unmasked` is given. A dead letter past its retention
period (`LOKET_DLQ_BODY_DAYS`) has no body left: it is listed and shown, but not replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from loket.cli.database_target import configured_bus_url, data_dir
from loket.contracts.national_number import mask_national_numbers
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.dlq_store import (
    BusUnavailable,
    DeadLetter,
    DeadLetterBodyRemoved,
    DeadLetterNotFound,
    MalformedDeadLetterId,
    UnknownTopic,
    open_dlq_store,
)
from loket.infra.bus.dlq_store.preview import body_preview, dead_letter_table
from loket.infra.embedded import EmbeddedNats
from loket.infra.embedded.process import pid_alive
from loket.infra.settings import LoketSettings

app = typer.Typer(help="Dead-letter queues: list, show and replay.", no_args_is_help=True)
T = TypeVar("T")
BUS_URL_HELP = "kafka://… or nats://…; unset: the bus of the data directory's `loket up` (its embedded NATS by default)"


@contextlib.contextmanager
def bus_url_or_embedded(bus_url: str | None) -> Iterator[str]:
    """The given URL (or LOKET_BUS_URL), else the bus the `loket up` of the data directory
    recorded when it is not its embedded NATS, else the embedded NATS in `<data dir>/nats`
    (started if not running).

    Not `stack.running_stack()`: it would also start PostgreSQL, and on exit it stops a server
    it merely adopted, which would take down the NATS of a running `loket up`.
    """
    if bus_url:
        yield bus_url
        return
    settings = LoketSettings()
    if configured := configured_bus_url(settings):
        yield configured
        return
    nats_dir = data_dir(settings) / "nats"
    server = EmbeddedNats(nats_dir)
    already_running = _live_pid(nats_dir)
    server.start()
    try:
        yield server.url
    finally:
        if server.pid != already_running:  # we started it, so we stop it
            server.stop()


def _live_pid(data_dir: Path) -> int | None:
    try:
        pid = int((data_dir / "nats.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one store operation; turn the store's errors into clear command-line errors."""
    try:
        return asyncio.run(coro)
    except (DeadLetterNotFound, DeadLetterBodyRemoved, MalformedDeadLetterId) as exc:
        raise typer.BadParameter(str(exc), param_hint="ID") from None
    except UnknownTopic as exc:
        raise typer.BadParameter(str(exc), param_hint="--topic") from None
    except BusUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _check_url(bus_url: str | None) -> None:
    if bus_url:
        try:
            parse_bus_url(bus_url)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--bus-url") from None


@app.command("list")
def list_(
    topic: str | None = typer.Option(None, "--topic", "-t", help="only this topic, e.g. citizens.v1"),
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="show at most this many"),
    bus_url: str | None = typer.Option(None, "--bus-url", envvar="LOKET_BUS_URL", help=BUS_URL_HELP),
) -> None:
    """List dead letters, oldest first, with a count per topic."""
    _check_url(bus_url)

    async def read(url: str) -> tuple[list[DeadLetter], dict[str, int]]:
        async with open_dlq_store(url) as store:
            return await store.list(topic, limit), await store.count_by_topic()

    with bus_url_or_embedded(bus_url) as url:
        letters, counts = _run(read(url))
    console = Console()
    if topic:
        counts = {t: n for t, n in counts.items() if t == topic.removesuffix(".dlq")}
    total = sum(counts.values())
    if not letters:
        console.print("no dead letters" + (f" on {topic}" if topic else ""), markup=False)
        return
    console.print(dead_letter_table(letters, console.width))
    summary = ", ".join(f"{t}: {n}" for t, n in counts.items() if n)
    console.print(f"{total} dead letter(s), showing {len(letters)} ({summary})", markup=False)


@app.command("show")
def show(
    id: str = typer.Argument(..., metavar="ID", help="an id from `loket dlq list`"),
    unmasked: bool = typer.Option(False, "--unmasked", help="show national numbers in clear"),
    bus_url: str | None = typer.Option(None, "--bus-url", envvar="LOKET_BUS_URL", help=BUS_URL_HELP),
) -> None:
    """Show one dead letter: every header and the body."""
    _check_url(bus_url)

    async def read(url: str) -> DeadLetter:
        async with open_dlq_store(url) as store:
            return await store.get(id)

    with bus_url_or_embedded(bus_url) as url:
        letter = _run(read(url))
    console = Console()
    mask = (lambda s: s) if unmasked else mask_national_numbers
    headers = Table("header", "value", title=f"dead letter {letter.id} on {letter.topic}")
    for name in sorted(letter.headers):
        headers.add_row(Text(name), Text(mask(letter.headers[name])))
    console.print(headers)
    if letter.body_removed_at:
        console.print(f"body: removed after the retention period on {letter.body_removed_at[:10]} "
                      "(the reason is kept)", markup=False)
        return
    console.print(f"body: {len(letter.body)} bytes", markup=False)
    console.print(body_preview(letter.body, unmasked=unmasked), markup=False, highlight=False,
                  soft_wrap=True)


@app.command("replay")
def replay(
    ids: list[str] | None = typer.Argument(None, metavar="ID...", help="ids from `loket dlq list`"),
    all_: bool = typer.Option(False, "--all", help="every dead letter of --topic"),
    topic: str | None = typer.Option(None, "--topic", "-t", help="with --all: the topic to replay"),
    limit: int = typer.Option(1000, "--limit", "-n", min=1, help="with --all: at most this many"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask for confirmation"),
    bus_url: str | None = typer.Option(None, "--bus-url", envvar="LOKET_BUS_URL", help=BUS_URL_HELP),
) -> None:
    """Publish dead letters back to their original topic: same bytes, same headers, new message id.

    Safe to repeat: consumers skip an event_id their inbox has already seen.
    """
    _check_url(bus_url)
    if all_ == bool(ids):
        raise typer.BadParameter("give one or more IDs, or --all --topic T (not both)")
    if all_ and not topic:
        # A bulk replay across every topic is rarely what an operator means: make it explicit.
        raise typer.BadParameter("--all needs --topic", param_hint="--topic")

    async def select(url: str) -> list[DeadLetter]:
        async with open_dlq_store(url) as store:
            if all_:
                return await store.list(topic, limit)
            letters = [await store.get(i) for i in dict.fromkeys(ids or [])]
            for letter in letters:
                letter.require_body()  # refuse before anything is replayed, like an unknown id
            return letters

    async def republish(url: str, letters: list[DeadLetter]) -> list[str]:
        outcomes = []
        async with open_dlq_store(url) as store:
            for letter in letters:
                try:  # keep going: the operator must learn what was and was not replayed
                    await store.replay(letter.id)
                    outcomes.append(f"replayed {letter.id} -> {letter.original_topic}")
                # e.g. replayed meanwhile by someone else, or (--all) past its retention period
                except (DeadLetterNotFound, DeadLetterBodyRemoved) as exc:
                    outcomes.append(f"skipped {letter.id}: {exc}")
        return outcomes

    console = Console()
    with bus_url_or_embedded(bus_url) as url:
        letters = _run(select(url))  # every id is checked before anything is replayed
        if not letters:
            console.print(f"no dead letters on {topic}: nothing to replay", markup=False)
            return
        console.print(dead_letter_table(letters, console.width))
        if not yes:
            typer.confirm(f"Replay {len(letters)} dead letter(s) to their original topics?",
                          abort=True)
        outcomes = _run(republish(url, letters))
    for line in outcomes:
        console.print(line, markup=False)
    if any(line.startswith("skipped") for line in outcomes):
        raise typer.Exit(1)
