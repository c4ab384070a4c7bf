"""Numbers as people read them in NL, FR, DE or EN (Belgian and British conventions): `1.234,5`
in Dutch and German, `1 234,5` in French, `1,234.5` in English. A council member reading
`30.0 %` in a Dutch report, or `1234` letters, reads a foreign or a raw figure. Only pages word
numbers; CSV exports and the APIs keep them as numbers."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from loket.infra.date_words import LOCALES

PERCENT = "\u00a0%"  # a no-break space: the sign never wraps to a line of its own


def integer_words(value: int, language: str) -> str:
    """A whole number with the language's thousands separator: `12.345`, `12 345`, `12,345`."""
    return format_decimal(value, "#,##0", locale=LOCALES[language])


def decimal_words(value: float | Decimal, language: str, digits: int) -> str:
    """`value` with exactly `digits` decimals, in the language's separators: `30,0`, `1.234,50`."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=LOCALES[language], decimal_quantization=True)


def figure_words(value: float | Decimal, language: str) -> str:
    """A measured figure (minutes, hours, percentage points) as it came, at most two decimals."""
    return format_decimal(value, "#,##0.##", locale=LOCALES[language])


def percent_words(share: float | Decimal, language: str, digits: int = 1) -> str:
    """A share of one (0.3) as a percentage: `30,0 %`, `30.0 %`."""
    return decimal_words(float(share) * 100, language, digits) + PERCENT
