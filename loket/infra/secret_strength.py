"""Refuse placeholder and short secrets at start-up.

`deploy/.env.example` ships values such as `change-me-sms-key` so an operator sees what to set;
copied unchanged they would pass as real secrets (anyone who read the repository knows them).
A service therefore refuses to start with a known placeholder or a secret too short to resist
guessing, and says which setting to change; the value itself is never printed.
"""

from __future__ import annotations

import re

MIN_SECRET_LENGTH = 16
# Words that mark an example value rather than a generated one.
_PLACEHOLDER = re.compile(r"change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_]|^x+$|^(secret|password|token|"
                          r"admin|test|default|changeit|letmein|12345\d*)$", re.IGNORECASE)


class WeakSecret(ValueError):
    pass


def strong_secret(setting: str, value: str, minimum: int = MIN_SECRET_LENGTH) -> str:
    """`value` if it can serve as a secret; otherwise WeakSecret naming `setting` (never the value)."""
    if _PLACEHOLDER.search(value.strip()):
        raise WeakSecret(f"{setting} is a placeholder from an example file: set a generated secret "
                         f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    if len(value.strip()) < minimum:
        raise WeakSecret(f"{setting} is shorter than {minimum} characters: set a generated secret")
    return value
