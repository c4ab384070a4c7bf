"""The point-settings form of the staff workspace, read into a changed point (pure; no I/O).

Checkboxes travel as one field each (`service:printing=on`), opening hours as one line per
weekday (`09:00-12:30, 13:30-16:00`; empty means closed), exceptions as one date per line
(`2026-12-24 09:00-12:00` or `2026-12-31 closed`). The whole point is validated again by its
model, so the form can set nothing the seed file could not."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, get_args

from loket.contracts.values import Language
from services.booking.points.model import WEEKDAYS, AssistancePoint

LANGUAGE_CODES: tuple[str, ...] = get_args(Language)
CAPACITY_FIELDS = ("helpers", "access_points", "laptops", "lendable_devices")
ACCESSIBILITY_FIELDS = ("step_free", "accessible_toilet", "hearing_loop")
CLOSED_WORDS = frozenset({"closed", "gesloten", "fermé", "ferme", "geschlossen", "-"})
_EXCEPTION = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*:?\s*(.*)$")


class SettingsFormError(ValueError):
    """A field that cannot be read: `field` names it, `line` the exceptions line (1-based) if any."""

    def __init__(self, field: str, text: str, line: int | None = None) -> None:
        super().__init__(text)
        self.field, self.text, self.line = field, text, line


def spans_of(text: str) -> list[str]:
    """`09:00-12:30, 13:30-16:00` → ["09:00-12:30", "13:30-16:00"]; empty or a closed word → []."""
    text = text.strip()
    if not text or text.lower() in CLOSED_WORDS:
        return []
    return [part.replace(" ", "").replace("–", "-") for part in re.split(r"[,;]", text) if part.strip()]


def exceptions_of(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _EXCEPTION.match(line.strip())
        if match is None:
            raise SettingsFormError("exceptions", line.strip(), number)
        try:
            dt.date.fromisoformat(match.group(1))
        except ValueError:
            raise SettingsFormError("exceptions", line.strip(), number) from None
        found[match.group(1)] = spans_of(match.group(2))
    return found


def checked(form: dict[str, str], prefix: str, options: Iterable[str]) -> list[str]:
    """The options whose checkbox (`prefix:option`) is ticked, in the options' order."""
    return [option for option in options if form.get(f"{prefix}:{option}") == "on"]


def exceptions_text(point: AssistancePoint) -> str:
    """The exceptions as the form shows them, in date order."""
    return "\n".join(f"{day.isoformat()} {', '.join(spans) if spans else 'closed'}"
                     for day, spans in sorted(point.exceptions.items()))


def changed_point(point: AssistancePoint, form: dict[str, str], services: list[str]) -> AssistancePoint:
    """The point as the form wants it; `services` are the slugs the form offered as checkboxes.
    Raises SettingsFormError for a field that cannot be read, pydantic's ValidationError for a
    point the model refuses (e.g. a span that ends before it starts)."""
    document: dict[str, Any] = point.model_dump(mode="json")
    document["opening_hours"] = {day: spans for day in WEEKDAYS if (spans := spans_of(form.get(f"hours_{day}", "")))}
    document["exceptions"] = exceptions_of(form.get("exceptions", ""))
    document["closed_on_public_holidays"] = form.get("closed_on_public_holidays") == "on"
    document["services"] = checked(form, "service", services)
    document["languages"] = checked(form, "language", LANGUAGE_CODES)
    capacity = {}
    for field in CAPACITY_FIELDS:
        raw = form.get(f"capacity_{field}", "").strip() or "0"
        if not raw.isdigit():
            raise SettingsFormError(f"capacity_{field}", raw)
        capacity[field] = int(raw)
    document["capacity"] = capacity
    # The free print pages per visit: left as they were when the field is empty.
    raw = form.get("free_print_pages", "").strip()
    if raw and not raw.isdigit():
        raise SettingsFormError("free_print_pages", raw)
    if raw:
        document["free_print_pages"] = int(raw)
    document["accessibility"] = {field: form.get(f"access_{field}") == "on" for field in ACCESSIBILITY_FIELDS}
    document["connectoo_label"] = form.get("connectoo_label") == "on"
    document["phone"] = form.get("phone", "").strip() or None
    return AssistancePoint.model_validate(document)
