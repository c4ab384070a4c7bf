"""Seeded enterprises of the eBox simulator (issue 18): most companies have an eBox Enterprise."""

from __future__ import annotations

import pytest

from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.enterprises import (
    Enterprises,
    require_enterprise_number,
    valid_enterprise_number,
)
from loket.simulators.ebox.errors import EboxError
from tests.support.letters import enterprise_number

NUMBERS = [enterprise_number(i) for i in range(1000)]


def test_most_enterprises_are_digital_and_deterministically_so() -> None:
    digital = [n for n in NUMBERS if Enterprises(0, 90).is_digital(n)]
    assert 0.85 < len(digital) / len(NUMBERS) < 0.95
    assert digital == [n for n in NUMBERS if Enterprises(0, 90).is_digital(n)]
    # Their own roll, not the citizens' one: the same share gives another split.
    assert digital != [n for n in NUMBERS if Citizens(0, 90).is_digital(n)]


def test_an_enterprise_preference_names_the_enterprise_ebox() -> None:
    enterprises = Enterprises(0, 0)
    assert enterprises.preference("0406798006") is None
    enterprises.activate("0406798006")
    preference = enterprises.preference("0406798006")
    assert preference is not None
    assert preference["eboxId"] == {"eboxType": "ENTERPRISE", "eboxIdValue": "0406798006"}
    assert isinstance(preference["exclusivelyEbox"], bool) and preference["lastConnectionDate"]
    enterprises.reset()
    assert enterprises.preference("0406798006") is None


@pytest.mark.parametrize("value", ["0406798007", "406798006", "BE0406798006", "85073003328", 406798006, None])
def test_only_compact_valid_enterprise_numbers_are_taken(value: object) -> None:
    assert not valid_enterprise_number(value)
    with pytest.raises(EboxError):
        require_enterprise_number(value)
