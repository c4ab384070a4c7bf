"""A number with its noun in a person's language: "1 day", "14 days", "aucune prolongation".

"renewal(s)" or "lettre(s) refusée(s)" reads like a form to fill in, and a screen reader says the
brackets. Which form a number takes is the language's plural rule, from Babel's CLDR data (French
takes the singular for 0 and 1, Dutch, German and English for 1 only). Zero may have wording of
its own where a bare 0 sounds odd ("geen verlengingen", not "0 verlengingen").
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import NamedTuple

from babel import Locale

from loket.infra.date_words import LOCALES
from loket.infra.number_words import integer_words


class Forms(NamedTuple):
    """One noun phrase in one language; `{n}` stands for the number."""

    one: str
    other: str
    zero: str | None = None  # None: zero takes the plural rule's form, with the number


def count_words(forms: Mapping[str, Forms], n: int, language: str) -> str:
    """`n` with the form of `forms[language]` the language's plural rule picks."""
    phrase = forms[language]
    if n == 0 and phrase.zero is not None:
        return phrase.zero
    return (phrase.one if _locale(language).plural_form(n) == "one" else phrase.other).format(
        n=integer_words(n, language))


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(LOCALES[language])
