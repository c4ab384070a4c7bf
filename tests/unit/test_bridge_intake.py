"""Admitting letters: policy checks, routing and the fallback instant (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.intake import (
    IntakeRejected,
    Sender,
    admit,
    content_sha256,
    fallback_instant,
)
from services.ebox_bridge.policy import RolloutPolicy, RoutingRule, parse_policy_yaml
from tests.support.letters import letter_issued, letter_pdf

POLICY = Path(__file__).parents[1] / "support" / "test_policy.yaml"

NN = "85073003328"
NOW = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)
WAIT = dt.timedelta(hours=72)

MECHELEN = Sender("0207500123", "mechelen-loket")


@pytest.fixture(scope="module")
def policy() -> RolloutPolicy:
    return RolloutPolicy(parse_policy_yaml(POLICY.read_text(), str(POLICY)), version=1)


def run(policy: RolloutPolicy, sender: Sender | None = MECHELEN, **payload):  # type: ignore[no-untyped-def]
    event = letter_issued(NN, **payload)
    return admit(event, policy, letter_pdf(), 2, NOW, sender=sender, max_ebox_wait=WAIT,
                 timezone="Europe/Brussels")


@pytest.mark.parametrize(
    ("department", "document_type", "ebox", "paper", "reason"),
    [
        ("finance", "invoice", states.PENDING, None, None),
        ("elections", "convocation", states.PENDING, states.QUEUED_FOR_PRINT, "policy_both"),
        ("housing", "permit", None, states.QUEUED_FOR_PRINT, "policy_paper_only"),
        ("gas", "administrative_sanction", states.PENDING, None, None),
    ],
)
def test_initial_channels_follow_the_policy(policy, department, document_type, ebox, paper, reason) -> None:  # type: ignore[no-untyped-def]
    letter = run(policy, department=department, document_type=document_type)
    assert (letter.ebox_state, letter.paper_state, letter.paper_reason) == (ebox, paper, reason)
    assert letter.ssin == NN and letter.pages == 2


def test_registered_policy_sets_the_postage_class(policy) -> None:  # type: ignore[no-untyped-def]
    letter = run(policy, department="gas", document_type="administrative_sanction", postal_address=None)
    assert (letter.registered, letter.postage_class) == (False, "registered")
    demanded = run(policy, registered=True)
    assert (demanded.registered, demanded.postage_class) == (True, "registered")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"municipality": "99999"}, "unknown municipality 99999"),
        ({"municipality": "11001"}, "not onboarded"),
        ({"department": "parking"}, "unknown department 'parking'"),
        ({"document_type": "poem"}, "unknown document type 'poem'"),
        ({"language": "fr"}, "language 'fr' is not allowed for municipality 12025"),
        ({"postal_address": None}, "postal_address is required"),
    ],
)
def test_refusals_say_what_is_wrong(policy, payload, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntakeRejected, match=fragment) as refused:
        run(policy, **payload)
    assert NN not in str(refused.value)


def test_french_is_fine_in_bilingual_etterbeek(policy) -> None:  # type: ignore[no-untyped-def]
    assert run(policy, municipality="21005", language="fr").language == "fr"


def test_escalation_only_for_important_letters(policy) -> None:  # type: ignore[no-untyped-def]
    assert run(policy, document_type="tax_assessment", important=True).escalate_after_days == 15
    assert run(policy, document_type="tax_assessment").escalate_after_days is None


def test_fallback_is_local_midnight_lead_time_days_before_the_deadline() -> None:
    rule = RoutingRule("ebox_first", False, "non_prior", None, 3, "x")
    # Deadline 1 April 2026 (CEST, UTC+2): paper must take over from 29 March 00:00 local,
    # which is still CET (UTC+1) — the DST change happens at 02:00 that night.
    at = fallback_instant(rule, dt.date(2026, 4, 1), NOW, WAIT, "Europe/Brussels")
    assert at == dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)
    assert fallback_instant(rule, None, NOW, WAIT, "Europe/Brussels") == NOW + WAIT


def test_the_fingerprint_ignores_the_envelope_but_not_the_content() -> None:
    a = letter_issued(NN)
    again = a.model_copy(update={"event_id": letter_issued(NN).event_id})
    changed = a.model_copy(update={"payload": a.payload.model_copy(update={"subject": "other"})})
    assert content_sha256(a) == content_sha256(again)
    assert content_sha256(a) != content_sha256(changed)


def test_a_letter_is_published_under_its_municipalitys_sender(policy) -> None:  # type: ignore[no-untyped-def]
    letter = run(policy)
    assert (letter.sender_enterprise_number, letter.sender_application_id) == ("0207500123", "mechelen-loket")


def test_a_municipality_without_a_tenant_entry_is_refused_with_that_reason(policy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntakeRejected, match="12025 is not onboarded as a tenant"):
        run(policy, sender=None)


def test_a_message_type_the_municipality_did_not_register_is_refused(policy) -> None:  # type: ignore[no-untyped-def]
    narrow = Sender("0207500123", "mechelen-loket", frozenset({"payment-reminder"}))
    with pytest.raises(IntakeRejected, match="'invoice' .* not one of 12025's registered message types"):
        run(policy, sender=narrow)
    registered = Sender("0207500123", "mechelen-loket", frozenset({"invoice", "payment-reminder"}))
    assert run(policy, sender=registered).message_type_id == "invoice"
