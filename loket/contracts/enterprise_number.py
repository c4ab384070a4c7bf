"""Belgian enterprise numbers (KBO/BCE; the VAT number without `BE`).

An enterprise number is not personal data, but the messages here follow the national number's
style anyway (say what is wrong, not the value): they end up in DLQ headers and API problems
next to other fields, and one rule for every identifier is easier to keep than two.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from stdnum.be import vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

_PREFIX = "not a valid Belgian enterprise (KBO/BCE) number"


def normalise_enterprise_number(value: str) -> str:
    """Return the 10 compact digits of a valid enterprise number, or raise ValueError.

    Accepts what back-offices copy from the KBO and from invoices: `0406.798.006`,
    `BE 0406 798 006`, and the old 9-digit form (a leading 0 is added, as the KBO did in 2005).
    """
    compact = vat.compact(value)
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(
            f"{_PREFIX} (only digits, an optional BE prefix and the separators '.', '-', '/' "
            "and space are allowed)"
        )
    try:
        return vat.validate(compact)
    except InvalidLength:
        raise ValueError(f"{_PREFIX} (expected 10 digits, got {len(compact)})") from None
    except InvalidComponent:
        raise ValueError(f"{_PREFIX} (it must start with 0 or 1)") from None
    except InvalidChecksum:
        raise ValueError(f"{_PREFIX} (check digits do not match)") from None
    except ValidationError:
        raise ValueError(f"{_PREFIX} (the number is all zeros)") from None


EnterpriseNumber = Annotated[
    str,
    AfterValidator(normalise_enterprise_number),
    # Producers are asked for the compact form; separators and `BE` are tolerated on input only.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[01][0-9]{9}$",
            "description": (
                "Belgian enterprise number (KBO/BCE): 10 digits without separators, starting with "
                "0 or 1; the last two are check digits (mod 97)."
            ),
        }
    ),
]
