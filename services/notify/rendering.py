"""Render a notification kind in a language: Jinja2 templates (one file per kind × language,
with a `subject` and a `body` block), dates and times formatted by Babel in Europe/Brussels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined

BRUSSELS = ZoneInfo("Europe/Brussels")
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


# Weekday and date in words: a bare "30/03" is easy to misread, and SMS has room for it.
PATTERNS = {"nl": "EEEE d MMMM HH:mm", "fr": "EEEE d MMMM HH:mm", "de": "EEEE, d. MMMM HH:mm",
            "en": "EEEE d MMMM HH:mm"}


def when(instant: dt.datetime, language: str) -> str:
    """`maandag 30 maart 09:00`, `lundi 30 mars 09:00`, … in Brussels time."""
    return format_datetime(instant, PATTERNS[language], tzinfo=BRUSSELS, locale=LOCALES[language])


def day(value: dt.date, language: str) -> str:
    return format_date(value, "d MMMM", locale=LOCALES[language])


@cache
def _environment() -> Environment:
    # Plain text (SMS and text/plain e-mail; notify sends no HTML), so no HTML escaping: it
    # would print "&amp;" in an SMS. StrictUndefined makes a missing variable an error instead
    # of a silent gap in a citizen's message.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False,  # nosec B701 - text only
                       undefined=StrictUndefined, keep_trailing_newline=False)


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    template = _environment().get_template(f"{kind}.{language}.j2")
    values = _localised(context, language)
    blocks = {name: "".join(block(template.new_context(values))).strip() for name, block in template.blocks.items()}
    return Rendered(subject=blocks["subject"], body=blocks["body"])


def _localised(context: dict[str, Any], language: str) -> dict[str, Any]:
    """Instants and dates in the context arrive as ISO strings (stored as JSON); format them."""
    out = dict(context)
    for key in ("when", "old_when", "until"):
        if isinstance(out.get(key), str):
            out[key] = when(dt.datetime.fromisoformat(out[key]), language)
    if isinstance(out.get("due"), str):
        out["due"] = day(dt.date.fromisoformat(out["due"][:10]), language)
    return out


def kinds() -> list[str]:
    return sorted({p.name.split(".")[0] for p in TEMPLATES.glob("*.j2")})
