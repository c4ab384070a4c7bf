"""Parsing the print house's response: CSV and JSON, with every bad entry reported."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from services.ebox_bridge.paper import PrintResponseError, parse_print_response

A, B = uuid.uuid4(), uuid.uuid4()


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"letter_id,status,at,reason\n{A},printed,,\n{B},returned,2026-03-30T09:00:00+02:00,address unknown\n")
    first, second = parse_print_response(path)
    assert (first.letter_id, first.status, first.at) == (A, "printed", None)
    assert (second.status, second.reason, second.at.hour) == ("returned", "address unknown", 7)


def test_json_with_batch(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"batch_id": "PB-1", "letters": [{"letter_id": str(A), "status": "posted", "at": "2026-03-30T07:00:00Z"}]}))
    (only,) = parse_print_response(path)
    assert (only.batch_id, only.status) == ("PB-1", "posted")


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "letter_id,status,at,reason\n"
        "nope,printed,,\n"
        f"{A},lost,,\n"
        f"{B},returned,,\n"
        f"{A},posted,2026-03-30T09:00:00,\n"
    )
    with pytest.raises(PrintResponseError) as error:
        parse_print_response(path)
    message = str(error.value)
    assert "line 2: letter_id 'nope' is not a UUID" in message
    assert "line 3: status must be one of printed, posted, returned (got 'lost')" in message
    assert "line 4: a returned letter needs a reason" in message
    assert "line 5: at '2026-03-30T09:00:00' has no time zone offset" in message


def test_missing_columns_and_bad_json(tmp_path: Path) -> None:
    csv_path, json_path = tmp_path / "r.csv", tmp_path / "r.json"
    csv_path.write_text("id,state\n1,printed\n")
    json_path.write_text("[{")
    with pytest.raises(PrintResponseError, match="header lacks letter_id, status"):
        parse_print_response(csv_path)
    with pytest.raises(PrintResponseError, match="not valid JSON at line 1"):
        parse_print_response(json_path)
