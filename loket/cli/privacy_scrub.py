"""After an erasure request: remove what still names the citizen in transit, that is events on
the bus (`loket.infra.bus.scrub`) and published events in each service's outbox, once every
service has consumed them. Repeated until nothing is left or the wait runs out, with the
progress on screen; never prints the number."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from rich.console import Console

from loket.devstack.catalog import SERVICE_NAMES
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.scrub import ScrubResult, scrub_nats
from loket.infra.db import outbox
from services.ebox_bridge.repository import letters as bridge_letters

PAUSE_S = 2.0
KAFKA_NOTE = ("Kafka cannot delete single records: the events naming this citizen leave with the topics' "
              "retention (LOKET_BUS_STREAM_MAX_AGE_DAYS)")


@dataclass
class Scrubbed:
    """What a scrub removed and what it had to leave (still needed by a service)."""

    bus_removed: int = 0
    outbox_removed: int = 0
    bus_waiting: int = 0
    outbox_waiting: int = 0
    letters_kept: int = 0  # letters in flight at the erasure still hold the number
    held_by: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.bus_waiting or self.outbox_waiting)


async def letters_of(database_url: str, national_number: str, erasure_ids: Sequence[UUID] = ()) -> list[UUID]:
    """The ids of the letters that still hold the number, and of those erasure requests
    (`erasure_ids`) covered: their status events name no citizen but carry the letter's contact
    details, so the scrub looks for these ids too. `erase` reads them before it publishes the
    request (which blanks the number of settled letters); a later scrub finds the erased ones by
    the request's reference."""
    conn = await asyncpg.connect(database_url)
    try:
        if not await conn.fetchval("SELECT to_regclass('ebox_bridge.letters')"):
            return []
        found = set(await bridge_letters.ids_of_citizen(conn, "ebox_bridge", national_number))
        for erasure_id in erasure_ids:
            found.update(await bridge_letters.ids_of_erasure(conn, "ebox_bridge", erasure_id))
        return sorted(found)
    finally:
        await conn.close()


async def scrub(bus_url: str, database_url: str, national_number: str, letter_ids: list[UUID], wait_s: float,
                console: Console) -> Scrubbed:
    """Remove the events naming the citizen or one of `letter_ids`, repeated until nothing is
    left that a service still needs or `wait_s` ran out."""
    needles = [national_number.encode(), *(str(i).encode() for i in letter_ids)]
    done = Scrubbed()
    deadline = time.monotonic() + wait_s
    with console.status("removing the citizen's events from the bus and the outboxes…") as status:
        while True:
            bus = await _scrub_bus(bus_url, needles, done)
            done.bus_removed += bus.removed_total
            done.bus_waiting, done.held_by = bus.waiting_total, bus.held_by
            await _scrub_outboxes(database_url, needles, national_number, done)
            if done.complete or time.monotonic() >= deadline:
                return done
            status.update(f"removed {done.bus_removed} events and {done.outbox_removed} outbox rows; waiting for "
                          f"{done.bus_waiting + done.outbox_waiting} events still to be consumed"
                          + f" ({max(0, int(deadline - time.monotonic()))} s left)")
            await asyncio.sleep(PAUSE_S)


async def _scrub_bus(bus_url: str, needles: list[bytes], done: Scrubbed) -> ScrubResult:
    address = parse_bus_url(bus_url)
    if address.kind == "kafka":
        if KAFKA_NOTE not in done.notes:
            done.notes.append(KAFKA_NOTE)
        return ScrubResult()
    return await scrub_nats(list(address.servers), needles)


async def _scrub_outboxes(database_url: str, needles: list[bytes], national_number: str, done: Scrubbed) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        done.outbox_waiting = 0
        for schema in SERVICE_NAMES:
            if not await conn.fetchval("SELECT to_regclass($1)", f"{schema}.outbox"):
                continue
            done.outbox_removed += await outbox.forget_published_mentioning(conn, schema, needles)
            done.outbox_waiting += await outbox.unpublished_mentioning(conn, schema, needles)
        # A letter in flight at the erasure keeps what delivering it needs (the erasure does
        # not stop a legal obligation half-way): said, so the erasure is run again once it settled.
        if await conn.fetchval("SELECT to_regclass('ebox_bridge.letters')"):
            done.letters_kept = await bridge_letters.count_of_citizen(conn, "ebox_bridge", national_number)
    finally:
        await conn.close()
