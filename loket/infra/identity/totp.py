"""Time-based one-time codes (RFC 6238, 6 digits, 30 s) as the second factor of a sign-in.

The secret is shown once (as a base32 key and an `otpauth://` URI any authenticator app
accepts); a code is accepted one step either side of now, for clocks a little off, and only once:
the step it matched is stored and no code of that step or an earlier one works again.
"""

from __future__ import annotations

import datetime as dt

import pyotp

from loket.infra.constant_time import same_secret

ISSUER = "Loket"
WINDOW = 1  # steps either side of now


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, the RFC's recommended length


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, at: dt.datetime, last_used_step: int | None) -> int | None:
    """The step `code` belongs to, or None when it is wrong, too old or used before."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):  # not '١٢٣٤٥٦'
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if same_secret(totp.generate_otp(step), code):
            return step
    return None
