"""Where things go on an A4 letter for a Belgian window envelope (bpost rules).

bpost's address zone is at most 125 × 100 mm with clear margins below and to the right of the
address. Belgian window envelopes (DL and C5/6, "venster rechts") put the window on the right:
we print the address inside a 90 × 40 mm zone starting 110 mm from the left edge and 50 mm from
the top, which stays inside the window with a few millimetres of play when the sheet shifts in
the envelope. The sender block sits top left, outside the window.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from services.contracts.values import PostalAddress

A4_WIDTH_MM, A4_HEIGHT_MM = 210.0, 297.0
MAX_LINES, MAX_LINE_CHARS = 6, 50


@dataclass(frozen=True)
class Zone:
    x: float  # mm from the left edge
    y: float  # mm from the top edge
    width: float
    height: float

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.width and self.y <= y <= self.y + self.height


WINDOW = Zone(x=110.0, y=50.0, width=90.0, height=40.0)
SENDER = Zone(x=20.0, y=15.0, width=80.0, height=30.0)
ADDRESS_LINE_MM = 5.0

COUNTRY_NAMES = {"NL": "NEDERLAND", "FR": "FRANCE", "DE": "DEUTSCHLAND", "LU": "LUXEMBOURG"}


def address_lines(address: PostalAddress) -> list[str]:
    """bpost order: name / department / street number box / postcode MUNICIPALITY / country."""
    street = f"{address.street} {address.number}"
    if address.box:
        street += f" bus {address.box}"
    lines = [address.name]
    if address.department:
        lines.append(address.department)
    lines += [street, f"{address.postcode} {address.municipality.upper()}"]
    if address.country != "BE":
        lines.append(COUNTRY_NAMES.get(address.country, address.country))
    return [_fit(line) for line in lines[:MAX_LINES]]


def _fit(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "."


def latin1(text: str) -> str:
    """The PDF core fonts are Latin-1 only: keep what fits, transliterate the rest (Ł → L)."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(decomposed or _SPECIAL.get(char, "?"))
    return "".join(out)


_SPECIAL = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ß": "ss", "€": "EUR"}
