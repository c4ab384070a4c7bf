"""A benchmark publishes synthetic events (hundreds of thousands of `LetterFailed`, test letters,
bookings) to Loket's own topics. On a bus it started itself nobody else reads them. On a bus it
was given (LOKET_BUS_URL, LOKET_TEST_KAFKA_BOOTSTRAP) a Loket installation may be consuming those
topics: its reporting would count every test letter as a real one (seen: a demo on a Kafka cluster
a benchmark had used showed an eBox share of 0 % over 862 000 letters). So before a benchmark
publishes to a bus it did not start, it looks for consumers that are not a benchmark's, and refuses
to run while there are any, unless the operator says the bus is a test bus.

Consumers count whether or not they are running: a Kafka group keeps its offsets and a JetStream
durable its position, and either reads the test events when its service next starts.
"""

from __future__ import annotations

import asyncio
import os

import typer
from rich.console import Console

from loket.infra.bus.address import parse_bus_url
from loket.infra.connection_urls import redacted

ALLOW_VARIABLE = "LOKET_BENCH_ON_SHARED_BUS"
# Every benchmark's own consumer groups and durables start so (pipeline, raw clients).
BENCH_PREFIX = "bench"


class SharedBusRefused(Exception):
    """The bus has consumers that are not a benchmark's: the message says which, and what to do."""


def allowed_by_operator() -> bool:
    return os.environ.get(ALLOW_VARIABLE, "").strip().lower() in ("1", "yes", "true")


async def foreign_consumers(bus_url: str) -> list[str]:
    """The consumer groups (Kafka) or durable consumers (JetStream) on this bus that are not a
    benchmark's, sorted."""
    address = parse_bus_url(bus_url)
    names = await (_kafka_groups(",".join(address.servers)) if address.kind == "kafka" else _nats_durables(bus_url))
    return sorted(n for n in names if not n.startswith(BENCH_PREFIX))


async def refuse_if_shared(bus_url: str, where: str) -> None:
    """Raise SharedBusRefused when the bus has others' consumers and the operator did not allow it."""
    if allowed_by_operator():
        return
    others = await foreign_consumers(bus_url)
    if not others:
        return
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    raise SharedBusRefused(
        f"{where} has {len(others)} consumer(s) that are not a benchmark's ({shown}): the benchmark would publish its "
        f"test events to them. Run it on a bus of its own (unset LOKET_BUS_URL and "
        f"LOKET_TEST_KAFKA_BOOTSTRAP: it starts one), or set {ALLOW_VARIABLE}=yes if this bus is for tests."
    )


def refuse_on_a_live_bus(bus_url: str, console: Console) -> None:
    """Stop before a benchmark publishes test events to a bus it did not start, should a Loket
    installation consume there (shared_bus says why)."""
    try:
        asyncio.run(refuse_if_shared(bus_url, f"the bus at {redacted(bus_url)}"))
    except SharedBusRefused as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from refused


async def _kafka_groups(bootstrap: str) -> list[str]:
    from loket.infra.embedded.kafka_topics import admin_client

    admin = admin_client(bootstrap)
    await admin.start()
    try:
        return [group for group, _protocol in await admin.list_consumer_groups()]
    finally:
        await admin.close()


async def _nats_durables(bus_url: str) -> list[str]:
    import nats

    nc = await nats.connect(list(parse_bus_url(bus_url).servers), connect_timeout=5, allow_reconnect=False)
    try:
        js = nc.jetstream()
        names: list[str] = []
        for stream in await js.streams_info():
            names += [c.name for c in await js.consumers_info(stream.config.name) if c.config.durable_name]
        return names
    finally:
        await nc.close()
