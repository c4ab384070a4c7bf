"""Comparing a secret someone sent with the one expected, in constant time.

`hmac.compare_digest` raises TypeError on a str holding anything but ASCII, so a crafted header
or form field would turn a refusal into a 500. Both sides are compared as UTF-8 bytes instead.
"""

from __future__ import annotations

import hmac


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
