"""Dead letters as an operator reads them: a table, and a body as pretty JSON or a hex dump.

National numbers are masked unless asked otherwise. Masking happens on the bytes (read as
Latin-1, which maps every byte to one character and back) before the hex dump is drawn, so the
hex column cannot leak the digits the ASCII column hides.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rich import box
from rich.table import Table
from rich.text import Text

from loket.contracts.national_number import mask_national_numbers
from loket.infra.bus.dlq_store.model import DeadLetter

PREVIEW_BYTES = 2048
_ROW = 16
REASON_WIDTH = 80
WIDE_TABLE = 120  # columns below which the table leaves out consumer and time


def mask_bytes(body: bytes) -> bytes:
    return mask_national_numbers(body.decode("latin-1")).encode("latin-1")


def body_preview(body: bytes, *, unmasked: bool = False) -> str:
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = body if unmasked else mask_bytes(body)
        return hex_dump(data[:PREVIEW_BYTES]) + _truncation_note(len(body))
    text = json.dumps(parsed, indent=2, ensure_ascii=False)
    return text if unmasked else mask_national_numbers(text)


def hex_dump(data: bytes) -> str:
    """`offset  hex bytes  ascii`, 16 bytes a row, like `hexdump -C`."""
    rows = []
    for offset in range(0, len(data), _ROW):
        chunk = data[offset:offset + _ROW]
        hex_part = " ".join(f"{b:02x}" for b in chunk).ljust(_ROW * 3 - 1)
        ascii_part = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        rows.append(f"{offset:08x}  {hex_part}  |{ascii_part}|")
    return "\n".join(rows)


def _truncation_note(length: int) -> str:
    if length <= PREVIEW_BYTES:
        return ""
    return f"\n… {length - PREVIEW_BYTES} more bytes not shown (first {PREVIEW_BYTES} of {length})"


def _when(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return (moment.astimezone(UTC) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M:%S")


def dead_letter_table(letters: list[DeadLetter], width: int) -> Table:
    # On a narrow terminal (or a pipe: 80 columns) the reason would be squeezed to a few
    # letters; drop consumer and time there, `loket dlq show` has them.
    wide = width >= WIDE_TABLE
    table = Table(box=box.SIMPLE_HEAD)  # light borders: more room for the reason
    # Ids and topics are what an operator copies into `show`/`replay`: never cut them.
    for name, values in (("id", [d.id for d in letters]), ("topic", [d.original_topic for d in letters])):
        table.add_column(name, no_wrap=True, min_width=max(len(v) for v in [name, *values]))
    if wide:
        table.add_column("consumer", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    if wide:
        table.add_column("at (UTC)", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for letter in letters:
        reason = mask_national_numbers(letter.reason)
        if len(reason) > REASON_WIDTH:
            reason = reason[: REASON_WIDTH - 1] + "…"
        cells = [letter.id, letter.original_topic, *([letter.consumer] if wide else []),
                 letter.kind, str(letter.attempts), *([_when(letter.at)] if wide else []), reason]
        table.add_row(*(Text(cell) for cell in cells))  # Text: no rich markup in reasons
    return table
