"""Numbers on the pages read as words a clerk can say aloud: "1 renewal", "14 days",
"aucune prolongation", "3 lettres refusées", never "renewal(s)"; the plural rule is each
language's own (French takes the singular for zero and one)."""

from __future__ import annotations

import pytest

from loket.infra.counted_words import Forms, count_words
from services.booking.counted import NOUNS, counted
from services.booking.workspace.texts import LANGUAGES, TEXTS
from services.ebox_bridge.desk.texts import REFUSED_LETTERS


@pytest.mark.parametrize(("noun", "n", "lang", "expected"), [
    ("days", 1, "nl", "1 dag"), ("days", 14, "nl", "14 dagen"),
    ("days", 1, "fr", "1 jour"), ("days", 21, "fr", "21 jours"),
    ("days", 1, "de", "1 Tag"), ("days", 3, "de", "3 Tage"),
    ("days", 1, "en", "1 day"), ("days", 2, "en", "2 days"),
    ("renewals", 0, "nl", "geen verlengingen"), ("renewals", 1, "nl", "1 verlenging"),
    ("renewals", 2, "nl", "2 verlengingen"),
    ("renewals", 0, "fr", "aucune prolongation"), ("renewals", 2, "fr", "2 prolongations"),
    ("renewals", 1, "de", "1 Verlängerung"), ("renewals", 0, "en", "no renewals"),
    ("renewals", 1, "en", "1 renewal"), ("renewals", 5, "en", "5 renewals"),
    ("devices", 1, "nl", "1 toestel"), ("devices", 2, "nl", "2 toestellen"),
    ("devices", 1, "fr", "1 appareil"), ("devices", 2, "de", "2 Geräte"), ("devices", 20, "en", "20 devices"),
    ("times", 0, "en", "Not yet"), ("times", 1, "en", "Once"), ("times", 2, "en", "2 times"),
    ("times", 1, "nl", "1 keer"), ("times", 3, "de", "3-mal"), ("times", 0, "fr", "Pas encore"),
    ("free", 1, "fr", "1 libre"), ("free", 3, "fr", "3 libres"), ("free", 3, "nl", "3 vrij"),
])
def test_a_number_takes_its_nouns_form_in_the_pages_language(noun: str, n: int, lang: str, expected: str) -> None:
    assert counted(noun, n, lang) == expected


def test_french_takes_the_singular_for_zero_where_zero_has_no_wording_of_its_own() -> None:
    assert counted("days", 0, "fr") == "0 jour"
    assert counted("days", 0, "en") == "0 days"


def test_every_noun_has_every_language() -> None:
    assert {noun: sorted(forms) for noun, forms in NOUNS.items()} == {noun: sorted(LANGUAGES) for noun in NOUNS}


def test_the_rules_sentence_reads_whole_in_every_language() -> None:
    rules = {lang: TEXTS["rules_summary"][lang].format(d=counted("days", 1, lang), r=counted("renewals", 1, lang),
                                                        m=counted("devices", 1, lang)) for lang in LANGUAGES}
    assert rules["en"] == "Loan period 1 day, 1 renewal, at most 1 device per borrower."
    assert rules["nl"] == "Uitleentermijn 1 dag, 1 verlenging, hoogstens 1 toestel per lener."
    assert not any("(" in sentence for sentence in rules.values())


@pytest.mark.parametrize(("n", "lang", "expected"), [
    (1, "nl", "1 geweigerde brief."), (4, "nl", "4 geweigerde brieven."),
    (1, "fr", "1 lettre refusée."), (2, "fr", "2 lettres refusées."),
    (1, "de", "1 abgewiesener Brief."), (2, "de", "2 abgewiesene Briefe."),
    (1, "en", "1 refused letter."), (12, "en", "12 refused letters."),
    (1234, "nl", "1.234 geweigerde brieven."), (1234, "fr", "1\u202f234 lettres refusées."),
    (1234, "en", "1,234 refused letters."),
])
def test_the_refused_letters_page_counts_in_words(n: int, lang: str, expected: str) -> None:
    assert count_words(REFUSED_LETTERS, n, lang) == expected


def test_zero_takes_its_own_wording_only_where_it_has_one() -> None:
    forms = {"en": Forms("{n} cat", "{n} cats")}
    assert count_words(forms, 0, "en") == "0 cats"
    assert count_words({"en": Forms("{n} cat", "{n} cats", "no cat")}, 0, "en") == "no cat"
