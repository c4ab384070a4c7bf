"""Parsing the print house's response: CSV and JSON, with every bad entry reported by its line
(CSV) or index (JSON)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from services.ebox_bridge.paper import PrintConfirmation, PrintResponseError, parse_print_response

A, B = uuid.uuid4(), uuid.uuid4()


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(PrintResponseError) as error:
        parse_print_response(path)
    return str(error.value)


def test_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", f"letter_id,status,at,reason\n{A},printed,,\n{B},returned,2026-03-30T09:00:00+02:00,address unknown\n")
    first, second = parse_print_response(path)
    assert first == PrintConfirmation(A, "printed", None, None, None)
    assert second == PrintConfirmation(B, "returned", dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC), "address unknown", None)


def test_csv_with_batch_id_a_bom_and_a_spreadsheets_header(tmp_path: Path) -> None:
    content = f"\ufeffBatch_ID, Letter_ID ,Status,At\r\nPB-1,{A},Posted,2026-03-30T07:00:00Z\r\n\r\n"
    (only,) = parse_print_response(write(tmp_path, "r.csv", content))
    assert (only.batch_id, only.letter_id, only.status, only.at) == ("PB-1", A, "posted", dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC))


def test_json_list_and_json_with_batch(tmp_path: Path) -> None:
    listed = write(tmp_path, "l.json", json.dumps([{"letter_id": str(A), "status": "printed"}, {"letter_id": str(B), "status": "returned", "reason": "deceased", "at": "2026-03-30T09:00:00+02:00"}]))
    first, second = parse_print_response(listed)
    assert (first.status, first.batch_id, second.reason, second.at) == ("printed", None, "deceased", dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC))
    batched = write(tmp_path, "b.json", json.dumps({"batch_id": "PB-1", "letters": [{"letter_id": str(A), "status": "posted", "at": "2026-03-30T07:00:00Z"}]}))
    (only,) = parse_print_response(batched)
    assert (only.batch_id, only.status, only.at) == ("PB-1", "posted", dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC))


def test_every_csv_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    message = problems(write(tmp_path, "r.csv", (
        "letter_id,status,at,reason\n"
        f"{A},printed,,\n"
        "nope,printed,,\n"
        f"{A},lost,,\n"
        f"{B},returned,,\n"
        f"{A},posted,2026-03-30T09:00:00,\n"
        f"{A},posted,yesterday,\n"
        f"{A},posted,,,extra\n"
    )))
    assert message.splitlines() == [
        "line 3: letter_id 'nope' is not a UUID",
        "line 4: status must be one of printed, posted, returned (got 'lost')",
        "line 5: a returned letter needs a reason (as reported by bpost)",
        "line 6: at '2026-03-30T09:00:00' has no time zone offset (e.g. 2026-03-30T09:00:00+02:00)",
        "line 7: at 'yesterday' is not an ISO 8601 time",
        "line 8: more cells than the header has columns (an unquoted comma?)",
    ]


def test_every_json_problem_is_listed_with_its_index(tmp_path: Path) -> None:
    letters = [
        {"letter_id": str(A), "status": "posted"},
        "not an object",
        {"letter_id": str(B), "status": "returned"},
        {"letter_id": str(B), "status": "posted", "batch_id": "PB-2"},
        {"status": "printed"},
    ]
    message = problems(write(tmp_path, "r.json", json.dumps({"batch_id": "PB-1", "letters": letters})))
    assert message.splitlines() == [
        "letters[1]: expected an object with letter_id and status",
        "letters[2]: a returned letter needs a reason (as reported by bpost)",
        "letters[3]: batch_id 'PB-2' differs from the file's 'PB-1'",
        "letters[4]: letter_id None is not a UUID",
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("r.csv", "id,state\n1,printed\n", "line 1: the CSV header lacks letter_id, status"),
        ("r.csv", "", "the file is empty"),
        ("r.csv", "letter_id,status\n", "the file has no entries"),
        ("r.json", "[{", "not valid JSON at line 1"),
        ("r.json", '{"letters": 3}', "expected a list of letters"),
        ("r.json", '{"batch_id": 7, "letters": []}', "batch_id must be a string"),
        ("r.csv", b"letter_id,status\n\xff\xfe,printed\n", "not UTF-8"),
    ],
)
def test_files_that_are_wrong_as_a_whole(tmp_path: Path, name: str, content: str | bytes, expected: str) -> None:
    assert expected in problems(write(tmp_path, name, content))


def test_a_missing_file_is_a_print_response_error(tmp_path: Path) -> None:
    assert "cannot read the file" in problems(tmp_path / "absent.csv")
