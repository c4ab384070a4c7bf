"""Citizens as keyed pseudonyms: HMAC-SHA-256 of the national number with a secret from
configuration. Without the secret nobody can link a pseudonym back to a number, not even by
hashing all 10^11 candidates."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the pseudonym secret must be at least 16 bytes (LOKET_REPORTING_PSEUDONYM_SECRET)")
        self._secret = secret

    def __call__(self, national_number: str | None) -> str | None:
        if national_number is None:
            return None
        return hmac.new(self._secret, str(national_number).encode(), hashlib.sha256).hexdigest()[:32]
