"""Render a notification kind in a language: Jinja2 templates (one file per kind × language,
with a `subject` and a `body` block), dates and times formatted by Babel in Europe/Brussels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from loket.infra.date_words import (
    BRUSSELS as BRUSSELS,  # re-exported: notify's modules read it here
)
from loket.infra.date_words import day_words, when_words

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def when(instant: dt.datetime, language: str) -> str:
    return when_words(instant, language)


def day(value: dt.date, language: str) -> str:
    return day_words(value, language)


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
        # A due instant is a day in Brussels (23:30 UTC may be the next day there).
        due = out["due"]
        local = dt.datetime.fromisoformat(due).astimezone(BRUSSELS).date() if "T" in due else dt.date.fromisoformat(due)
        out["due"] = day(local, language)
    return out


def kinds() -> list[str]:
    return sorted({p.name.split(".")[0] for p in TEMPLATES.glob("*.j2")})
