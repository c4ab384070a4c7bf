"""Belgian national register numbers (INSZ/NISS) and BIS numbers.

The number is personal data under strict legal limits (see docs/architecture.md, "Domain facts"),
so every message produced here describes *what* is wrong without ever repeating the number:
these messages end up in DLQ headers and log lines.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, WithJsonSchema
from stdnum.be import bis, nn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

_SEPARATORS = str.maketrans("", "", ".- ")
_PREFIX = "not a valid Belgian national register or BIS number"

MASK = "*" * 11


def normalise_national_number(value: str) -> str:
    """Return the 11 compact digits of a valid NN or BIS number, or raise ValueError.

    Dots, dashes and spaces are accepted anywhere because citizens and back-offices copy the
    number from ID cards and letters, where it is printed as `85.07.30-033.28`.
    """
    compact = value.strip().translate(_SEPARATORS)
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(
            f"{_PREFIX} (only digits and the separators '.', '-' and space are allowed)"
        )
    if len(compact) != 11:
        raise ValueError(f"{_PREFIX} (expected 11 digits, got {len(compact)})")
    try:
        return nn.validate(compact)
    except InvalidComponent:
        # A BIS number looks like an NN whose month is raised by 20 or 40, so stdnum's NN
        # check rejects its month; only then is it worth trying the BIS rules.
        pass
    except InvalidChecksum:
        raise ValueError(f"{_PREFIX} (check digits do not match)") from None
    except ValidationError:
        raise ValueError(f"{_PREFIX} (the number is all zeros)") from None
    try:
        return bis.validate(compact)
    except InvalidChecksum:
        raise ValueError(f"{_PREFIX} (check digits do not match)") from None
    except ValidationError:
        raise ValueError(f"{_PREFIX} (birth month is out of range)") from None


def is_valid_national_number(value: object) -> bool:
    """True when `value` is a string holding a valid NN or BIS number (separators allowed)."""
    if not isinstance(value, str):
        return False
    try:
        normalise_national_number(value)
    except ValueError:
        return False
    return True


def kind(value: str) -> Literal["nn", "bis"]:
    """Whether a valid number is a national register number or a BIS number.

    Raises ValueError (without the number in the message) when it is neither.
    """
    compact = normalise_national_number(value)
    return "nn" if nn.is_valid(compact) else "bis"


NationalNumber = Annotated[
    str,
    AfterValidator(normalise_national_number),
    # Producers are asked for the compact form; separators are tolerated on input only.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{11}$",
            "description": (
                "Belgian national register number (INSZ/NISS) or BIS number: 11 digits "
                "without separators; the last two are check digits (mod 97)."
            ),
        }
    ),
]


# Eleven digits, either as one run or in the printed 2-2-2-3-2 grouping with any of the usual
# separators. A preceding `+` excludes E.164 phone numbers (+32470123456 has 11 digits too).
_CANDIDATE = re.compile(r"(?<![\d+])\d{2}(?:[.\- ]?\d{2}){2}[.\- ]?\d{3}[.\- ]?\d{2}(?!\d)")


def mask_national_numbers(text: str) -> str:
    """Replace every valid NN/BIS number in `text` with asterisks (used by the log filter).

    Only numbers that pass the check digits are masked, so order numbers, amounts and other
    11-digit identifiers stay readable in logs.
    """
    if not text:
        return text
    return _CANDIDATE.sub(_mask_if_valid, text)


def national_numbers_in(text: str) -> set[str]:
    """Every valid NN/BIS number in `text`, as 11 digits, whether written as one run or grouped
    (85.07.30-033.28): what the log filter masks, for scans that check it did."""
    found = ("".join(ch for ch in m.group(0) if ch.isdigit()) for m in _CANDIDATE.finditer(text))
    return {n for n in found if is_valid_national_number(n)}


def _mask_if_valid(match: re.Match[str]) -> str:
    candidate = match.group(0)
    return MASK if is_valid_national_number(candidate) else candidate
