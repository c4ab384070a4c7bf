"""The address cover page put on top of each paper letter: sender block top left, the address
in the envelope window, the reference as text and as a Code 39 barcode, and the page count.

A separate cover page (rather than stamping the address on the back-office's first page) means
the back-office's layout never collides with the window and the print house can fold every
letter the same way.
"""

from __future__ import annotations

from uuid import UUID

from fpdf import FPDF

from loket.contracts.values import PostalAddress
from services.ebox_bridge.paper.layout import (
    ADDRESS_FONT_PT,
    ADDRESS_LINE_MM,
    ADDRESS_MIN_FONT_PT,
    ADDRESS_ZONE,
    SENDER,
    a4_page,
    address_lines,
    fit_width,
    latin1,
)
from services.ebox_bridge.sender_block import SenderBlock

PAGE_COUNT_TEXT = {
    "nl": "Deze brief bevat {n} pagina's (dit blad inbegrepen).",
    "fr": "Cette lettre contient {n} pages (cette feuille comprise).",
    "de": "Dieser Brief enthält {n} Seiten (dieses Blatt inbegriffen).",
}
PAGE_OF_TEXT = {"nl": "Pagina 1 van {n}", "fr": "Page 1 de {n}", "de": "Seite 1 von {n}"}
REFERENCE_LABEL = {"nl": "Referentie", "fr": "Référence", "de": "Referenz"}

# Code 39 narrow bar 0.25 mm (≈ 10 mil, what ordinary scanners read reliably), wide = 3 × narrow
# (fpdf2's `w` is the wide bar). One character is 16 narrow units (with its gap): 4 mm.
BARCODE_WIDE_MM, BARCODE_HEIGHT_MM = 0.75, 15.0
BARCODE_X_MM, BARCODE_Y_MM = 20.0, 128.0
BARCODE_CHAR_MM = 16 * BARCODE_WIDE_MM / 3
# 170 mm of the page's width, quiet zones included: at most 40 characters between the stars.
BARCODE_MAX_CHARS = int((210 - 2 * BARCODE_X_MM) // BARCODE_CHAR_MM) - 2
CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")


def barcode_text(reference: str, letter_id: UUID) -> str:
    """What the barcode encodes: the reference when Code 39 can carry it, else the letter id
    (a UUID always fits), so a scanner at the print house always finds the letter."""
    upper = reference.upper()
    if upper and len(upper) <= BARCODE_MAX_CHARS and set(upper) <= CODE39_CHARS:
        return upper
    return str(letter_id).upper()


# On the paper copy of an eBox letter nobody opened: the reader may need help with it, and
# that help is free. (Below the barcode, outside the envelope window.)
READING_HELP_TEXT = {
    "nl": "Hulp nodig bij het lezen van deze brief? Die is gratis. Maak een afspraak: {link}",
    "fr": "Besoin d'aide pour lire cette lettre ? Elle est gratuite. Prenez rendez-vous : {link}",
    "de": "Brauchen Sie Hilfe beim Lesen dieses Briefes? Sie ist kostenlos. Termin vereinbaren: {link}",
}


def cover_page(
    letter_id: UUID, reference: str, address: PostalAddress, sender: SenderBlock,
    total_pages: int, language: str, reading_help_link: str | None = None,
) -> bytes:
    pdf = a4_page()
    _sender(pdf, sender)
    _address(pdf, address)
    lang = language if language in PAGE_COUNT_TEXT else "nl"
    pdf.set_font("Helvetica", size=9)
    pdf.set_xy(20, 110)
    pdf.cell(170, 5, latin1(f"{REFERENCE_LABEL[lang]}: {reference}"))
    pdf.set_xy(20, 116)
    pdf.cell(170, 5, PAGE_COUNT_TEXT[lang].format(n=total_pages))
    encoded = barcode_text(reference, letter_id)
    pdf.code39(f"*{encoded}*", x=BARCODE_X_MM, y=BARCODE_Y_MM, w=BARCODE_WIDE_MM, h=BARCODE_HEIGHT_MM)
    # The human-readable line under a barcode, as scanners' operators expect.
    pdf.set_font("Courier", size=8)
    pdf.set_xy(BARCODE_X_MM, BARCODE_Y_MM + BARCODE_HEIGHT_MM + 1)
    pdf.cell(170, 4, encoded)
    if reading_help_link:
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_xy(20, BARCODE_Y_MM + BARCODE_HEIGHT_MM + 10)
        pdf.multi_cell(170, 5, latin1(READING_HELP_TEXT[lang].format(link=reading_help_link)), align="L")
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(20, 282)
    pdf.cell(170, 4, PAGE_OF_TEXT[lang].format(n=total_pages), align="R")
    return bytes(pdf.output())


def _sender(pdf: FPDF, sender: SenderBlock) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_xy(SENDER.x, SENDER.y)
    pdf.cell(SENDER.width, 5, fit_width(pdf, latin1(sender.name), SENDER.width))
    pdf.set_font("Helvetica", size=9)
    # The return address (where bpost sends undeliverable letters) when it differs.
    lines = (*sender.lines, *_return_lines(sender))
    for i, line in enumerate(lines[:5]):
        pdf.set_xy(SENDER.x, SENDER.y + 5 + i * 4.5)
        pdf.cell(SENDER.width, 4.5, fit_width(pdf, latin1(line), SENDER.width))


def _return_lines(sender: SenderBlock) -> tuple[str, ...]:
    if not sender.return_lines or tuple(sender.return_lines) == tuple(sender.lines):
        return ()
    return (f"Retour: {', '.join(sender.return_lines)}",)


def _address(pdf: FPDF, address: PostalAddress) -> None:
    lines = [latin1(line) for line in address_lines(address)]
    # One font size for the whole block (bpost's machines dislike mixed sizes): the largest
    # from 10 down to 8 pt at which the widest line fits; lines still too wide are shortened.
    size = ADDRESS_FONT_PT
    pdf.set_font("Helvetica", size=size)
    while size > ADDRESS_MIN_FONT_PT and max(pdf.get_string_width(line) for line in lines) > ADDRESS_ZONE.width:
        size -= 0.5
        pdf.set_font("Helvetica", size=size)
    for i, line in enumerate(lines):
        pdf.set_xy(ADDRESS_ZONE.x, ADDRESS_ZONE.y + i * ADDRESS_LINE_MM)
        pdf.cell(ADDRESS_ZONE.width, ADDRESS_LINE_MM, fit_width(pdf, line, ADDRESS_ZONE.width))

