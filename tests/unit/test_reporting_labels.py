"""Every KPI has a title and every column a header in NL, FR, DE and EN, and every value of the
contracts' closed sets a label: the dashboard never falls back to a code for them."""

from __future__ import annotations

import typing

from loket.contracts.letter_status import PostageClass, PrintReason
from loket.contracts.notifications import FailureStatus
from loket.contracts.values import Channel, PointKind
from loket.contracts.visits import VisitOutcome
from services.reporting.kpis import KPIS
from services.reporting.labels import COLUMNS, LANGUAGES, TITLES
from services.reporting.texts import TEXTS
from services.reporting.value_labels import VALUES, value_label


def test_titles_columns_and_page_texts_in_four_languages() -> None:
    for kpi in KPIS:
        assert set(TITLES[kpi.name]) == set(LANGUAGES), kpi.name
        for column in kpi.columns:
            assert set(COLUMNS[column]) == set(LANGUAGES), column
    assert set(TEXTS) == set(LANGUAGES)
    assert all(set(TEXTS[lang]) == set(TEXTS["nl"]) for lang in LANGUAGES)


def test_every_closed_set_value_has_words() -> None:
    closed = {"point_kind": PointKind, "outcome": VisitOutcome, "reason": PrintReason, "postage_class": PostageClass,
              "status": FailureStatus, "channel": Channel}
    for column, literal in closed.items():
        for value in typing.get_args(literal):
            assert set(VALUES[column][value]) == set(LANGUAGES), (column, value)


def test_values_in_words_and_unknown_codes_as_words_too() -> None:
    assert value_label("reminder_delivered", True, "de") == "Mit zugestellter Erinnerung"
    assert value_label("point_kind", "municipal_counter", "fr") == "Guichet communal"
    assert value_label("department", "parking_permits", "nl") == "Parking permits"  # added later by a town
    assert value_label("period", "2026-05-01", "en") == "2026-05-01"
    assert value_label("visits", 7, "en") == 7
