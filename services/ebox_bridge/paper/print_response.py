"""The print house's response file: printed / posted / returned per letter, as CSV or JSON.

CSV: a header with `letter_id,status` and optionally `at`, `reason`, `batch_id`.
JSON: a list of objects with the same keys, or `{"batch_id": …, "letters": [...]}`.
Every bad entry is reported with its line (CSV) or index (JSON); nothing is half-read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from uuid import UUID

STATUSES = ("printed", "posted", "returned")


@dataclass(frozen=True)
class Where:
    """Where an entry sits in the file: its CSV line (the header is line 1), or its index in the
    JSON list (`in_object`: the list under "letters" of an object). An HTTP caller turns it into a
    pointer; the command line prints it."""

    line: int | None = None
    index: int | None = None
    in_object: bool = False

    def __str__(self) -> str:
        return f"line {self.line}" if self.line is not None else f"letters[{self.index}]"


@dataclass(frozen=True)
class EntryProblem:
    where: Where | None  # None: the file as a whole
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail


class PrintResponseError(ValueError):
    def __init__(self, message: str, problems: list[EntryProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [EntryProblem(None, message)]


@dataclass(frozen=True)
class PrintConfirmation:
    letter_id: UUID
    status: str
    at: dt.datetime | None
    reason: str | None
    batch_id: str | None
    where: Where | None = field(default=None, compare=False)


def parse_print_response(path: Path) -> list[PrintConfirmation]:
    """Every confirmation in the file, in file order; PrintResponseError listing every bad
    entry otherwise (so the print house can fix the file in one go)."""
    try:
        # utf-8-sig: spreadsheet exports often start with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PrintResponseError(f"the file is not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise PrintResponseError(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    return parse_print_text(text)


def parse_print_text(text: str, as_json: bool | None = None) -> list[PrintConfirmation]:
    """The same for a response already in memory (an HTTP body). `as_json`: JSON or CSV as the
    sender declared it; None guesses from the first character, as for a file."""
    if as_json is None:
        as_json = text.lstrip().startswith(("[", "{"))
    entries = _json_entries(text) if as_json else _csv_entries(text)
    problems: list[EntryProblem] = []
    result = []
    for where, entry in entries:
        try:
            result.append(replace(_confirmation(entry), where=where))
        except ValueError as exc:
            problems.append(EntryProblem(where, str(exc)))
    if problems:
        raise PrintResponseError("\n".join(map(str, problems)), problems)
    if not result:
        raise PrintResponseError("the file has no entries")
    return result


def _json_entries(text: str) -> list[tuple[Where, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PrintResponseError(f"not valid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise PrintResponseError("the JSON is nested too deeply") from None
    batch = None
    in_object = isinstance(data, dict)
    if isinstance(data, dict):
        batch, data = data.get("batch_id"), data.get("letters")
        if batch is not None and not isinstance(batch, str):
            raise PrintResponseError("batch_id must be a string")
    if not isinstance(data, list):
        raise PrintResponseError('expected a list of letters or {"batch_id": ..., "letters": [...]}')
    entries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            item = {"__invalid__": True}
        elif batch is not None and item.get("batch_id") not in (None, "", batch):
            item = {**item, "__conflict__": batch}
        entries.append((Where(index=i, in_object=in_object), {**item, "batch_id": item.get("batch_id") or batch}))
    return entries


def _csv_entries(text: str) -> list[tuple[Where, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_rows(reader)
    except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
        # line_num counts the lines of the records read in full: the bad one starts after them.
        where, detail = Where(line=reader.line_num + 1), f"unreadable CSV: {exc}"
        raise PrintResponseError(f"{where}: {detail}", [EntryProblem(where, detail)]) from None


def _csv_rows(reader: csv.DictReader[str]) -> list[tuple[Where, dict[str, Any]]]:
    if reader.fieldnames is None:
        raise PrintResponseError("the file is empty")
    # " Letter_ID" from a hand-edited spreadsheet means letter_id.
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    missing = {"letter_id", "status"} - set(reader.fieldnames)
    if missing:
        detail = f"the CSV header lacks {', '.join(sorted(missing))}"
        raise PrintResponseError(f"line 1: {detail}", [EntryProblem(Where(line=1), detail)])
    entries = []
    for row in reader:
        if None in row:  # DictReader's key for cells beyond the header
            row = {"__extra__": True}
        entries.append((Where(line=reader.line_num), row))
    return entries


def _confirmation(entry: dict[str, Any]) -> PrintConfirmation:
    if entry.get("__invalid__"):
        raise ValueError("expected an object with letter_id and status")
    if entry.get("__extra__"):
        raise ValueError("more cells than the header has columns (an unquoted comma?)")
    if "__conflict__" in entry:
        raise ValueError(f"batch_id {entry.get('batch_id')!r} differs from the file's {entry['__conflict__']!r}")
    try:
        letter_id = UUID(str(entry.get("letter_id", "")).strip())
    except ValueError:
        raise ValueError(f"letter_id {entry.get('letter_id')!r} is not a UUID") from None
    status = str(entry.get("status", "")).strip().lower()
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)} (got {entry.get('status')!r})")
    at = _instant(entry.get("at"))
    reason = (str(entry.get("reason") or "").strip()) or None
    if reason is not None and "\x00" in reason:
        raise ValueError("reason contains a NUL character")
    if status == "returned" and reason is None:
        raise ValueError("a returned letter needs a reason (as reported by bpost)")
    batch = (str(entry.get("batch_id") or "").strip()) or None
    return PrintConfirmation(letter_id, status, at, reason, batch)


def _instant(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"at {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"at {value!r} has no time zone offset (e.g. 2026-03-30T09:00:00+02:00)")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        raise ValueError(f"at {value!r} is out of range") from None
