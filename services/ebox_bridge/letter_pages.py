"""The page sizes of a letter's PDF, for the A4 rule (`domain/letter_rules.py`).

Fast path: in a file without object streams every `/MediaBox [a b c d]` is plain text, and each
page's box is its own or one it inherits from a page-tree node, so when every box in the file
is written out as four numbers, those boxes are all the page sizes there are (fewer entries
than pages when pages share one). Reading them costs microseconds instead of a pypdf parse
(milliseconds, a third of intake's time per letter). Anything else is parsed with pypdf.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

_MM_PER_POINT = 25.4 / 72
_NUMBER = rb"\s*(-?\d+(?:\.\d+)?|-?\.\d+)"
_BOX = re.compile(rb"/MediaBox\s*\[" + _NUMBER * 4 + rb"\s*\]")


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in mm of the pages' media boxes; the PDF was already parsed once by
    intake's document checks, so an unreadable one never gets here."""
    if b"/ObjStm" not in pdf and b"/Encrypt" not in pdf:
        boxes = _BOX.findall(pdf)
        if boxes and len(boxes) == pdf.count(b"/MediaBox"):
            return sorted({_size(*(float(n) for n in box)) for box in boxes})
    reader = PdfReader(io.BytesIO(pdf))
    return [_size(*(float(n) for n in page.mediabox)) for page in reader.pages]


def _size(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
    return round(abs(x1 - x0) * _MM_PER_POINT, 1), round(abs(y1 - y0) * _MM_PER_POINT, 1)
