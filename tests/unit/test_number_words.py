"""Numbers in the reporting pages as people of each language write them (loket/infra/number_words.py)."""

from decimal import Decimal

import pytest

from loket.infra.number_words import decimal_words, figure_words, integer_words, percent_words

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("lang", "count", "eur", "share", "minutes"), [
    ("nl", "1.234.567", "1.234,50", f"83,3{NBSP}%", "12,5"),
    ("de", "1.234.567", "1.234,50", f"83,3{NBSP}%", "12,5"),
    ("fr", f"1{NNBSP}234{NNBSP}567", f"1{NNBSP}234,50", f"83,3{NBSP}%", "12,5"),
    ("en", "1,234,567", "1,234.50", f"83.3{NBSP}%", "12.5"),
])
def test_each_language_its_separators(lang: str, count: str, eur: str, share: str, minutes: str) -> None:
    assert integer_words(1234567, lang) == count
    assert decimal_words(1234.5, lang, 2) == eur
    assert percent_words(0.8333, lang) == share
    assert figure_words(12.5, lang) == minutes


def test_small_and_round_figures_keep_their_decimals_and_lose_nothing() -> None:
    assert integer_words(0, "nl") == "0" and integer_words(999, "fr") == "999"
    assert percent_words(0.3, "nl") == f"30,0{NBSP}%" and percent_words(1, "en") == f"100.0{NBSP}%"
    assert decimal_words(Decimal("0.5"), "de", 2) == "0,50"
    assert figure_words(Decimal("3.25"), "en") == "3.25" and figure_words(4.0, "nl") == "4"
