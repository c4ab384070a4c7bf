"""The letters benchmark's load: N `LetterIssued` with distinct valid national numbers and a
small real PDF, all to Mechelen finance invoices (the shipped policy routes them eBox first).
The simulator decides who is digital (35 % by default)."""

from __future__ import annotations

import asyncio
import base64
import functools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF

from loket.bench.letters_bus import BenchBus
from loket.contracts.letters import LetterIssued


def bench_national_number(i: int) -> str:
    """The i-th of ~20 million distinct valid NNs (serial, day, month, year of birth 1940–1999)."""
    serial, rest = i % 997 + 1, i // 997
    day, rest = rest % 28 + 1, rest // 28
    month, rest = rest % 12 + 1, rest // 12
    first_nine = f"{40 + rest % 60:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{first_nine}{97 - int(first_nine) % 97:02d}"


@functools.cache
def bench_pdf() -> bytes:
    """A two-page letter of about 2 KB, like a short invoice."""
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for page in (1, 2):
        pdf.add_page()
        for line in range(12):
            pdf.cell(0, 8, f"Factuur 2026/{page}-{line}: ophaling huisvuil, bedrag EUR {line * 7 + 3},00", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass(frozen=True)
class LoadItem:
    letter_id: str
    event_id: str
    body: bytes


def letter_payloads(count: int, first_citizen: int, seed: int) -> list[dict[str, Any]]:
    """The letters as a back-office sends them over HTTP (JSON, letter ids chosen by the sender)."""
    rng = random.Random(seed)
    pdf = base64.b64encode(bench_pdf()).decode()
    return [{
        "letter_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "municipality": "12025", "department": "finance", "document_type": "invoice",
        "recipient_national_number": bench_national_number(first_citizen + i),
        "language": "nl", "subject": "Uw factuur voor de huisvuilophaling",
        "postal_address": {"name": "Jan Peeters", "street": "Bruul", "number": str(1 + i % 120),
                           "postcode": "2800", "municipality": "Mechelen"},
        "pdf_base64": pdf,
    } for i in range(count)]


def letter_load(count: int, first_citizen: int, seed: int) -> list[LoadItem]:
    """The same letters as `LetterIssued` events for the bus (event ids drawn after the letters')."""
    payloads = letter_payloads(count, first_citizen, seed)
    rng = random.Random(seed + 1_000_003)
    items = []
    for payload in payloads:
        event = LetterIssued(producer="bench-backoffice", event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                             payload=payload)
        items.append(LoadItem(str(event.payload.letter_id), str(event.event_id), event.to_bytes()))
    return items


async def publish_load(bus: BenchBus, subject: str, load: list[LoadItem], on_published: Callable[[LoadItem], None],
                       progress: Callable[[str, float], None], in_flight: int = 64) -> None:
    """Publish like a busy back-office: up to `in_flight` publishes awaiting the broker's ack at
    once (one at a time, the load generator itself would cap both runs at ~900/s)."""
    slots = asyncio.Semaphore(in_flight)
    done = 0

    async def one(item: LoadItem) -> None:
        nonlocal done
        async with slots:
            await bus.publish(subject, item.body, item.event_id, item.letter_id)
        on_published(item)
        done += 1
        if done % 500 == 0:
            progress("published", done)

    for start in range(0, len(load), 1000):
        await asyncio.gather(*(one(item) for item in load[start:start + 1000]))
    progress("published", len(load))
