"""Which paper letters carry the eBox insert, and which recipients are held out: pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from loket.infra.identity.tenants import DepartmentInsert, PaperInsert
from services.booking.points.cards import card_of
from services.booking.points.seed import DEFAULT_SEED, load_points
from services.ebox_bridge.campaign.help_points import nearest_for_insert
from services.ebox_bridge.campaign.insert_rules import (
    PaperLetter,
    arm_for,
    campaign_ref,
    qualifies,
    quarter_of,
)
from services.ebox_bridge.campaign.repository import RecipientKeyer, quarter_end

ON = PaperInsert(enabled=True, variant="standard", holdout_share=0.1,
                 departments={"finance": DepartmentInsert(enabled=False),
                              "population": DepartmentInsert(variant="short", holdout_share=0.25)})


def letter(**changes: str) -> PaperLetter:
    return PaperLetter(**{"municipality": "12025", "department": "housing", "routing": "ebox_first",
                          "recipient_kind": "citizen", **changes})


def test_a_citizens_ebox_first_letter_qualifies_with_its_departments_variant() -> None:
    assert qualifies(letter(), ON) is not None and qualifies(letter(), ON).variant == "standard"  # type: ignore[union-attr]
    population = qualifies(letter(department="population"), ON)
    assert population is not None and (population.variant, population.holdout_share) == ("short", 0.25)
    assert qualifies(letter(), ON).holdout_share == 0.1  # type: ignore[union-attr]


@pytest.mark.parametrize("changes", [{"department": "finance"}, {"recipient_kind": "enterprise"},
                                     {"routing": "paper_only"}])
def test_no_insert_for_a_department_that_opted_out_a_company_or_another_routing(changes: dict[str, str]) -> None:
    assert qualifies(letter(**changes), ON) is None


def test_off_unless_the_municipality_turns_it_on() -> None:
    assert qualifies(letter(), PaperInsert()) is None


def test_quarters_and_the_campaign_reference_name_no_person() -> None:
    assert quarter_of(dt.date(2026, 12, 31)) == "2026Q4" and quarter_of(dt.date(2027, 1, 1)) == "2027Q1"
    assert quarter_end("2026Q4") == dt.date(2026, 12, 31) and quarter_end("2027Q1") == dt.date(2027, 3, 31)
    assert campaign_ref("12025", "2026Q4") == "i12025-2026q4"


def test_the_holdout_draw_is_stable_and_takes_the_configured_share() -> None:
    keyer = RecipientKeyer(b"k" * 32)
    keys = [keyer(f"{85010100000 + i}") for i in range(20_000)]
    arms = [arm_for(k, "i12025-2026q4", 0.1) for k in keys]
    assert arms == [arm_for(k, "i12025-2026q4", 0.1) for k in keys], "the same person, the same arm"
    share = arms.count("holdout") / len(arms)
    assert 0.09 < share < 0.11, share
    assert all(arm_for(k, "i12025-2026q4", 0.0) == "insert" for k in keys[:1000])
    # Another quarter draws afresh: nobody is held out forever.
    moved = sum(arm_for(k, "i12025-2026q4", 0.1) != arm_for(k, "i12025-2027q1", 0.1) for k in keys)
    assert moved > 1000


def test_a_recipient_key_depends_on_the_quarters_key_and_is_not_the_number() -> None:
    number = "85010100123"
    one, other = RecipientKeyer(b"a" * 32)(number), RecipientKeyer(b"b" * 32)(number)
    assert one != other and number not in one and len(one) == 64


@pytest.mark.parametrize(("postcode", "expected"), [
    ("2800", ["mechelen-stadhuis", "mechelen-digibank-predikheren", "mechelen-bpost-centrum"]),
    ("1040", ["etterbeek-hotel-communal", "etterbeek-epn", "etterbeek-population"]),
    ("4700", ["eupen-rathaus", "eupen-digibank"]),  # the next would be 97 km away
    ("7050", ["jurbise-bpost", "jurbise-administration"]),
    ("6730", ["tintigny-administration"]),
    ("2260", ["westerlo-digibank", "herselt-digibank", "hulshout-digibank"]),  # the Zuiderkempen Digibanks
])
def test_the_nearest_points_offering_activation(postcode: str, expected: list[str]) -> None:
    cards = [card_of(p, dt.datetime(2026, 11, 1, tzinfo=dt.UTC)) for p in load_points(DEFAULT_SEED)]
    assert [c.point_id for c, _ in nearest_for_insert(cards, postcode)] == expected


def test_an_unknown_postcode_names_no_point() -> None:
    cards = [card_of(p, dt.datetime(2026, 11, 1, tzinfo=dt.UTC)) for p in load_points(DEFAULT_SEED)]
    assert nearest_for_insert(cards, "9999") == []
