"""Where things go on an A4 letter for a Belgian window envelope (bpost rules), and the address
lines in bpost's order.

bpost's address zone is at most 125 × 100 mm with clear margins below and to the right of the
address. Belgian window envelopes (DL and C5/6, "venster rechts") have the window on the right,
about 110–190 mm from the left edge and 45–90 mm from the top of a folded A4 sheet: that is
`WINDOW`. The address is printed `WINDOW_INSET` mm inside it on every side, so a sheet that
shifts a few millimetres in the envelope still shows the whole address and the clear margins
below and to the right stay empty. The sender block sits top left, outside the window.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

from fpdf import FPDF

from loket.contracts.values import PostalAddress

A4_WIDTH_MM, A4_HEIGHT_MM = 210.0, 297.0
# bpost: at most 6 address lines; 50 characters keeps a line readable by the sorting machines.
MAX_LINES, MAX_LINE_CHARS = 6, 50


@dataclass(frozen=True)
class Zone:
    x: float  # mm from the left edge
    y: float  # mm from the top edge
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom


WINDOW = Zone(x=110.0, y=45.0, width=80.0, height=45.0)
WINDOW_INSET = 4.0
# Where address text may go: the window less the inset (72 × 37 mm, well within 125 × 100).
ADDRESS_ZONE = Zone(
    WINDOW.x + WINDOW_INSET, WINDOW.y + WINDOW_INSET,
    WINDOW.width - 2 * WINDOW_INSET, WINDOW.height - 2 * WINDOW_INSET,
)
SENDER = Zone(x=20.0, y=15.0, width=80.0, height=30.0)
# 6 lines × 5 mm = 30 mm: the longest address still fits the 37 mm of ADDRESS_ZONE.
ADDRESS_LINE_MM = 5.0
# bpost asks for 8–12 pt; long lines shrink towards 8 pt before they are shortened.
ADDRESS_FONT_PT, ADDRESS_MIN_FONT_PT = 10.0, 8.0

# The UPU wants the destination country in capitals, in an internationally known language:
# French (an official Belgian language, and the UPU's). Others print their ISO code's name
# from this table or, failing that, the code itself (still sortable by bpost's machines).
COUNTRY_NAMES = {
    "NL": "PAYS-BAS", "FR": "FRANCE", "DE": "ALLEMAGNE", "LU": "LUXEMBOURG",
    "GB": "ROYAUME-UNI", "IE": "IRLANDE", "ES": "ESPAGNE", "PT": "PORTUGAL", "IT": "ITALIE",
    "CH": "SUISSE", "AT": "AUTRICHE", "PL": "POLOGNE", "RO": "ROUMANIE", "BG": "BULGARIE",
    "TR": "TURQUIE", "MA": "MAROC", "US": "ETATS-UNIS", "CA": "CANADA",
}


def address_lines(address: PostalAddress) -> list[str]:
    """bpost order: name / department / street number [bus box] / postcode MUNICIPALITY /
    country (abroad only). At most MAX_LINES lines of at most MAX_LINE_CHARS characters."""
    tail = [_postcode_line(address)]
    if address.country != "BE":
        tail.append(COUNTRY_NAMES.get(address.country, address.country))
    head = [address.name, *([address.department] if address.department else [])]
    street = _street_line(address)
    # Name and department may take a second line when there is room; the street line and the
    # last lines never wrap, because sorting machines read them as one line each.
    spare = MAX_LINES - len(head) - 1 - len(tail)
    lines: list[str] = []
    for text in head:
        pieces = textwrap.wrap(_clean(text), MAX_LINE_CHARS) or ["."]
        take = min(len(pieces), 1 + spare)
        spare -= take - 1
        kept = pieces[:take]
        kept[-1] = _truncate(" ".join(pieces[take - 1:]), MAX_LINE_CHARS)
        lines += kept
    return [*lines, street, *tail]


def _street_line(address: PostalAddress) -> str:
    # The number and box matter more than the end of a long street name: shorten the name.
    number = f" {_clean(address.number)}"
    if address.box:
        number += f" bus {_clean(address.box)}"
    return _truncate(_clean(address.street), MAX_LINE_CHARS - len(number)) + number


def _postcode_line(address: PostalAddress) -> str:
    postcode = _clean(address.postcode)
    room = MAX_LINE_CHARS - len(postcode) - 1
    return f"{postcode} {_truncate(_clean(address.municipality).upper(), room)}"


def _clean(text: str) -> str:
    # Collapses tabs, newlines and doubled spaces a back-office may leave in a field.
    return " ".join(text.split())


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "."


def latin1(text: str) -> str:
    """The PDF core fonts are Latin-1 only: keep what fits, transliterate the rest (Ł → L).

    Transliteration rather than a bundled TTF: the core fonts need no embedding (smaller batch
    PDFs, faster composing), and a name without its diacritics still reaches the citizen."""
    out = []
    # NFC first, so a letter sent as base letter + combining mark is one character here.
    for char in unicodedata.normalize("NFC", text):
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            out.append(_SPECIAL.get(char) or decomposed or "?")
    return "".join(out)


# Letters NFKD does not decompose (they are letters of their own, not letters with marks).
_SPECIAL = {
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "Ħ": "H", "ħ": "h",
    "ı": "i", "Ŋ": "N", "ŋ": "n", "€": "EUR", "‘": "'", "’": "'", "“": '"', "”": '"',
    "–": "-", "—": "-", "…": "...",
}


def a4_page() -> FPDF:
    """A blank A4 page in millimetres, placed by coordinates: no automatic page breaks, no margins."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Loket")
    # cell()'s default inner margin would move every text right of the x we give it.
    pdf.c_margin = 0
    pdf.add_page()
    return pdf


def fit_width(pdf: FPDF, text: str, width_mm: float) -> str:
    """`text` shortened (ending in a full stop) until it fits `width_mm` in the current font."""
    if pdf.get_string_width(text) <= width_mm:
        return text
    while text and pdf.get_string_width(text + ".") > width_mm:
        text = text[:-1]
    return text.rstrip() + "."
