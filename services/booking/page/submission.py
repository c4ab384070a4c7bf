"""One key per shown booking form, so a form sent twice (a double click, a reload after a slow
answer) books once: the page puts a fresh random key in a hidden field, and the booking use case
answers a second request with the same key as a replay of the first. A key that is not ours (a
hand-made form) books without one, as before."""

from __future__ import annotations

import re
import secrets

FIELD = "submission"
_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


def key_of(form: dict[str, str]) -> str | None:
    """The form's key, when it is one our page made."""
    value = form.get(FIELD, "")
    return value if _KEY.match(value) else None


def kept_or_new(form: dict[str, str] | None) -> str:
    """A form shown again (with a refusal) keeps its key: one booking per form, however often it is
    corrected and sent."""
    return key_of(form or {}) or new_key()
