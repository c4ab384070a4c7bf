"""`loket privacy export NN`: what Loket holds about one citizen, as JSON, for a subject access
request (GDPR art. 15); read-only, the file written 0600. `loket privacy erase NN`: the erasure
request (art. 17) as an event each service handles for its own data. The number is never printed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

import typer
from rich.console import Console

from loket.cli.database_target import DATABASE_URL_HELP, resolve_database_url
from loket.cli.dlq import bus_url_or_embedded
from loket.cli.identity_db import fail
from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.national_number import is_valid_national_number, mask_national_numbers
from loket.infra.secret_files import write_private

# The services' repositories, the bus client and the scrub are imported by the command that uses
# them: `loket privacy --help` and a mistyped number took 1.9 s of imports before a word was said.

NationalNumber = Annotated[str, typer.Argument(
    help="the citizen's national register or BIS number (11 digits); `-` reads it from standard input "
         "(kept out of shell history)")]
BusUrl = Annotated[str | None, typer.Option(
    "--bus-url", envvar="LOKET_BUS_URL", help="nats://… or kafka://…; default: the bus of the data directory's `loket up` (its embedded NATS by default)")]
DatabaseUrl = Annotated[str | None, typer.Option("--database-url", help=DATABASE_URL_HELP)]

app = typer.Typer(help="Personal data of one citizen: what Loket holds (subject access).", no_args_is_help=True)


@app.command("export")
def export(
    national_number: NationalNumber,
    out: Path = typer.Option(..., "--out", help="JSON file to write (mode 0600: it holds personal data)"),
    database_url: DatabaseUrl = None,
) -> None:
    """Write every letter (with its history), cached eBox status, event still waiting in an
    outbox, and reporting's pseudonymous row counts for this citizen. Booking and notify key
    their data by phone or e-mail, never by national number: they hold none of it."""
    digits = _valid(national_number)  # a number refused before anything heavy is imported
    from loket.cli.privacy_export import BRIDGE, as_json, gather

    found = asyncio.run(gather(resolve_database_url(database_url), digits))
    write_private(out, json.dumps(found, indent=2, default=as_json, ensure_ascii=False))
    letters = found["services"][BRIDGE]["letters"]
    Console().print(f"{mask_national_numbers(digits)}: {len(letters)} letters, "
                    f"{sum(len(v) for v in found['outboxes'].values())} events waiting in an outbox; written to {out}")


@app.command("erase")
def erase(
    national_number: NationalNumber,
    bus_url: BusUrl = None,
    database_url: DatabaseUrl = None,
    scrub_after: bool = typer.Option(True, "--scrub/--no-scrub", help="then remove the events that name the "
                                                                       "citizen from the bus and the outboxes "
                                                                       "(`loket privacy scrub`)"),
    wait: float = typer.Option(60.0, "--wait", min=0, help="seconds to wait for every service to consume "
                                                            "the request before the scrub gives up"),
) -> None:
    """Publish a CitizenErasureRequested: each service erases what it holds under the number
    (settled letters lose their PDF, number, address and contact; letters in flight finish
    first). Then, once every service consumed it, remove the events naming the citizen from the
    bus and the outboxes (the request itself included). Prints the request's reference for the
    records, never the number. Exit code 3: something had to be left (said what)."""
    digits = _valid(national_number)
    from loket.cli.privacy_scrub import letters_of

    event = CitizenErasureRequested(producer="loket-cli", payload={
        "erasure_id": uuid4(), "national_number": digits, "requested_at": dt.datetime.now(dt.UTC)})
    console = Console()
    with bus_url_or_embedded(bus_url) as url:
        database = resolve_database_url(database_url) if scrub_after else ""
        letter_ids = asyncio.run(letters_of(database, digits)) if scrub_after else []  # before they lose the number
        asyncio.run(_publish(url, event))
        console.print(f"erasure {event.payload.erasure_id} requested for {mask_national_numbers(digits)}")
        if scrub_after:
            _scrub_and_report(url, database, digits, letter_ids, wait, console, event.payload.erasure_id)


@app.command("scrub")
def scrub_command(
    national_number: NationalNumber,
    bus_url: BusUrl = None,
    database_url: DatabaseUrl = None,
    wait: float = typer.Option(60.0, "--wait", min=0, help="seconds to wait for services still to consume an "
                                                            "event that names the citizen"),
    erasure: list[UUID] = typer.Option([], "--erasure", help="the reference `erase` printed: the events about the "
                                                              "letters that request erased are removed too (their "
                                                              "number is gone, so only the reference finds them)"),
) -> None:
    """Remove the events that name the citizen from the bus (NATS: deleted and overwritten) and
    the published ones from every outbox, once every service has consumed them. `erase` does
    this by itself; run it again with `--erasure` once the letters that were in flight at the
    erasure have settled (the bridge erases them then). Exit code 3: something had to be left
    (said what)."""
    digits = _valid(national_number)
    from loket.cli.privacy_scrub import letters_of

    database = resolve_database_url(database_url)
    with bus_url_or_embedded(bus_url) as url:
        _scrub_and_report(url, database, digits, asyncio.run(letters_of(database, digits, erasure)), wait,
                          Console(), erasure[0] if len(erasure) == 1 else None)


def _scrub_and_report(bus_url: str, database_url: str, digits: str, letter_ids: list[UUID], wait: float,
                      console: Console, erasure_id: UUID | None) -> None:
    from loket.cli.privacy_scrub import scrub

    done = asyncio.run(scrub(bus_url, database_url, digits, letter_ids, wait, console))
    console.print(f"removed {done.bus_removed} events from the bus and {done.outbox_removed} published events "
                  "from the outboxes")
    for note in done.notes:
        console.print(note)
    # The command stays on one line, never wrapped: it is there to be copied.
    again = f"loket privacy scrub - --erasure {erasure_id or '<reference>'}"
    if done.letters_kept:
        console.print(f"{done.letters_kept} letters were in flight and keep what delivering them needs; the eBox "
                      "bridge erases each as soon as it is delivered or posted. Then, to remove the events about "
                      "them, run:")
        console.print(f"  {again}", soft_wrap=True, highlight=False)
    if not done.complete:
        held = ", ".join(sorted(done.held_by)) or "an outbox relay"
        console.print(f"left for now: {done.bus_waiting} events on the bus and {done.outbox_waiting} in outboxes, "
                      f"not yet consumed (waiting for {held}); run later:")
        console.print(f"  {again}", soft_wrap=True, highlight=False)
        raise typer.Exit(3)


async def _publish(url: str, event: CitizenErasureRequested) -> None:
    from prometheus_client import CollectorRegistry

    from loket.infra.bus.bus import Bus
    from loket.infra.metrics import PlatformMetrics

    registry = CollectorRegistry()
    bus = Bus(url, "loket-cli", registry, PlatformMetrics(registry))
    await bus.broker.connect()
    try:
        await bus.publish(event)
    finally:
        await bus.stop()


def _valid(national_number: str) -> str:
    if national_number == "-":
        national_number = typer.prompt("national number", hide_input=True)
    digits = "".join(ch for ch in national_number if ch.isdigit())
    if not is_valid_national_number(digits):
        fail("that is not a valid national register or BIS number (11 digits with their check digits)")
    return digits
