"""SCRAM-SHA-256 password verifiers computed here, so a plain password never travels in SQL.

`ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'` stores the verifier as is; had we sent the password,
a failed statement would put it in the server log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)


def scram_verifier(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    # Generated passwords are ASCII, for which SASLprep (RFC 4013) changes nothing.
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    return (f"SCRAM-SHA-256${iterations}:{_b64(salt)}"
            f"${_b64(stored_key)}:{_b64(server_key)}")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
