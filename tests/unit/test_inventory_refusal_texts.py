"""The inventory page says every refusal a volunteer can meet in the page's language: each title
the loan use cases raise on the page's paths has a sentence in NL, FR, DE and EN, so no English
use-case detail shows inside a translated page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.booking.workspace.inventory_routes import REFUSALS
from services.booking.workspace.texts import TEXTS

LOANS = Path(__file__).resolve().parents[2] / "services" / "booking" / "loans"
RAISED = re.compile(r"(?:NotFound|Conflict|NotAllowed|Gone|NotOffered|Invalid)\(\s*\"([^\"]+)\"")
# Raised only on back-office or API paths the page never takes.
NOT_ON_THE_PAGE = {"Device exists", "Hard due date in the past", "Unknown waitlist entry"}


def test_every_refusal_the_inventory_page_can_meet_has_a_sentence() -> None:
    titles = {t for path in ("service.py", "rules.py", "device_waitlist.py")
              for t in RAISED.findall((LOANS / path).read_text())}
    assert {"Device held", "Too many loans", "Due date in the past"} <= titles  # the scan finds them
    assert titles - NOT_ON_THE_PAGE - set(REFUSALS) == set()


@pytest.mark.parametrize("key", sorted(set(REFUSALS.values())))
def test_each_sentence_exists_in_each_language_and_is_translated(key: str) -> None:
    texts = TEXTS[key]
    assert set(texts) == {"nl", "fr", "de", "en"} and all(texts.values())
    assert len(set(texts.values())) == 4  # not one language copied into another
