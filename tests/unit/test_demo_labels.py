"""The demo's closing output in words people read: no state code names, and every address
whole on an 80-column terminal (a table column used to cut them, and the password file's path,
short with an ellipsis)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from loket.cli import demo_week as demo
from loket.cli.demo_labels import appointment_status, channel, letter_outcome, words
from services.ebox_bridge.domain import states

CODE_NAME = re.compile(r"[a-z]+_[a-z_]+")


@pytest.mark.parametrize(("ebox", "paper", "expected"), [
    ("not_digital", "no_digital_user", "No eBox: on paper (the recipient has no eBox)"),
    (None, "policy_paper_only", "On paper (the sending rules say: paper only)"),
    ("delivered_to_ebox", None, "Delivered to the eBox"),
    ("delivered_to_ebox", "policy_both", "Delivered to the eBox (the sending rules say: eBox and paper)"),
])
def test_letter_outcomes_read_as_the_desk_says_them(ebox: str | None, paper: str | None, expected: str) -> None:
    assert letter_outcome(ebox, paper) == expected


def test_no_ebox_state_or_paper_reason_reads_as_a_code_name() -> None:
    reasons = [None, "no_digital_user", "policy_paper_only", "policy_both", "ebox_unavailable", "unread_escalation",
               "ebox_rejected", "a_reason_added_later"]
    for state in [None, *sorted(states.EBOX_SETTLED), "a_state_added_later"]:
        for reason in reasons:
            assert not CODE_NAME.search(letter_outcome(state, reason)), (state, reason)


def test_statuses_and_channels_are_words() -> None:
    assert appointment_status("no_show") == "Did not come"
    assert appointment_status("held") == "Held"  # no page names it: words
    assert channel("sms") == "Text message" and channel("email") == "E-mail"
    assert words("permanent-failure") == "permanent failure"


def test_every_place_is_printed_whole_on_an_80_column_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    console = Console(width=80, record=True, force_terminal=False)
    monkeypatch.setattr(demo, "console", console)
    data_dir = tmp_path / "a-rather-long-data-directory-name-as-home-folders-have" / "loket"
    ports = {"booking": 8101, "notify": 8102, "ebox_bridge": 8103, "reporting": 8104}
    demo._print_places(ports, SimpleNamespace(mail_dir=data_dir / "mail"), data_dir, data_dir / "logs",
                       still_running=False)
    text = console.export_text()
    for whole in ("http://127.0.0.1:8101/staff/rota/mechelen-digibank-predikheren?lang=nl",
                  str(data_dir / "demo-admin-password"), "http://127.0.0.1:8104/dashboard?lang=nl"):
        # On one line of its own making: the terminal wraps it, so it is clicked or copied whole.
        assert any(whole in line for line in text.splitlines()), text
    assert "…" not in text
    assert "no longer answer" in text and "--keep-running" in text
