"""The letter desk speaks NL, FR, DE and EN everywhere, and has a human label for every state,
public status, routing and confirmation state the code can produce."""

from __future__ import annotations

import pytest

from services.ebox_bridge.api.letter_status import PUBLIC_STATUSES
from services.ebox_bridge.api.print_house_models import ConfirmationState
from services.ebox_bridge.desk import texts
from services.ebox_bridge.domain import states

LANGS = {"nl", "fr", "de", "en"}
TABLES = {"TEXTS": texts.TEXTS, "STATUS": texts.STATUS, "STATES": texts.STATES, "CHANNELS": texts.CHANNELS,
          "ROUTINGS": texts.ROUTINGS, "REASONS": texts.REASONS, "CONFIRMATION": texts.CONFIRMATION,
          "DLQ_KINDS": texts.DLQ_KINDS, "DELIVERY_STATES": texts.DELIVERY_STATES, "EVENT_TYPES": texts.EVENT_TYPES}


@pytest.mark.parametrize("name", TABLES)
def test_every_text_in_four_languages(name: str) -> None:
    missing = {key: LANGS - set(by_lang) for key, by_lang in TABLES[name].items() if set(by_lang) != LANGS}
    assert not missing, missing
    empty = [key for key, by_lang in TABLES[name].items() if not all(v.strip() for v in by_lang.values())]
    assert not empty


def test_every_state_and_status_has_a_label() -> None:
    every_state = {s for pairs in states.TRANSITIONS.values() for pair in pairs for s in pair if s is not None}
    assert every_state <= set(texts.STATES), every_state - set(texts.STATES)
    assert set(PUBLIC_STATUSES) == set(texts.STATUS)
    assert set(states.ROUTINGS) == set(texts.ROUTINGS)
    assert set(ConfirmationState.__args__) == set(texts.CONFIRMATION)  # type: ignore[attr-defined]


def test_labels_never_show_the_code_names() -> None:
    assert texts.label(texts.STATUS, "queued_for_print", "en") == "Waiting for the print run"
    assert texts.label(texts.STATUS, "queued_for_print", "nl") == "Wacht op de printronde"
    assert texts.reason_text("policy paper_only", "fr") == "Papier uniquement"
    assert texts.reason_text("no_digital_user", "de") == "Der Empfänger hat keine eBox"
    assert texts.reason_text("addressee unknown", "en") == "addressee unknown"  # a print house's own words


def test_every_status_event_a_webhook_carries_has_a_label() -> None:
    from loket.contracts.registry import event_type_of
    from services.ebox_bridge.webhooks.models import WEBHOOK_EVENTS

    carried = {event_type_of(cls) for cls in WEBHOOK_EVENTS}
    assert carried == set(texts.EVENT_TYPES)
