"""The address cover page put on top of each paper letter: sender block, the address in the
envelope window, the reference as text and as a Code 39 barcode, and the page count."""

from __future__ import annotations

from fpdf import FPDF

from services.contracts.values import PostalAddress
from services.ebox_bridge.paper.layout import ADDRESS_LINE_MM, SENDER, WINDOW, address_lines, latin1
from services.ebox_bridge.sender_block import SenderBlock

PAGE_COUNT_TEXT = {
    "nl": "Deze zending bevat {n} pagina's (dit blad inbegrepen).",
    "fr": "Cet envoi contient {n} pages (cette feuille comprise).",
    "de": "Diese Sendung enthält {n} Seiten (dieses Blatt inbegriffen).",
}
REFERENCE_LABEL = {"nl": "Referentie", "fr": "Référence", "de": "Referenz"}


def cover_page(
    reference: str, address: PostalAddress, sender: SenderBlock, total_pages: int, language: str
) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_xy(SENDER.x, SENDER.y)
    pdf.cell(SENDER.width, 5, latin1(sender.name))
    pdf.set_font("Helvetica", size=9)
    for i, line in enumerate(sender.lines):
        pdf.set_xy(SENDER.x, SENDER.y + 5 + i * 4.5)
        pdf.cell(SENDER.width, 4.5, latin1(line))
    # The address: 10 pt, left-aligned, starting 3 mm inside the window (bpost margins).
    pdf.set_font("Helvetica", size=10)
    for i, line in enumerate(address_lines(address)):
        pdf.set_xy(WINDOW.x + 3, WINDOW.y + 3 + i * ADDRESS_LINE_MM)
        pdf.cell(WINDOW.width - 6, ADDRESS_LINE_MM, latin1(line))
    pdf.set_font("Helvetica", size=9)
    pdf.set_xy(20, 110)
    pdf.cell(170, 5, latin1(f"{REFERENCE_LABEL.get(language, 'Reference')}: {reference}"))
    pdf.set_xy(20, 116)
    pdf.cell(170, 5, latin1(PAGE_COUNT_TEXT.get(language, PAGE_COUNT_TEXT["nl"]).format(n=total_pages)))
    # Code 39 takes upper-case letters, digits and - . space: a UUID qualifies once upper-cased.
    pdf.code39(f"*{reference.upper()}*", x=20, y=125, w=0.25, h=12)
    return bytes(pdf.output())
