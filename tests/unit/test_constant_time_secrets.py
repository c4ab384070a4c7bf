"""A secret sent with characters outside ASCII is a wrong secret (a refusal), never a 500:
`hmac.compare_digest` raises TypeError on such a str, so secrets are compared as bytes."""

from __future__ import annotations

import datetime as dt

import pyotp

from loket.infra.constant_time import same_secret
from loket.infra.identity import totp
from services.notify.receipts import receipt_routes


def test_a_non_ascii_secret_is_simply_not_the_same() -> None:
    assert same_secret("geheim-é", "geheim-é") and not same_secret("geheim-é", "geheim-e")
    assert not same_secret("\u0661\u0662\u0663", "123")


def test_a_totp_code_in_other_scripts_digits_is_refused_not_raised() -> None:
    secret, at = totp.new_secret(), dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    assert totp.matching_step(secret, "\u0661\u0662\u0663\u0664\u0665\u0666", at, None) is None  # '١٢٣٤٥٦'
    assert totp.matching_step(secret, pyotp.TOTP(secret).at(at), at, None) is not None


async def test_a_receipt_with_a_non_ascii_token_is_unauthorised() -> None:
    # The token is checked before anything else is touched, so no database or runtime is needed.
    route = receipt_routes(None, None, None, "receipts-secret", lambda: dt.datetime.now(dt.UTC))[0]  # type: ignore[arg-type]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/receipts/sms", "headers": [
        (b"x-receipt-token", "receipts-secr\u00e9t".encode()), (b"content-type", b"application/json")],
        "query_string": b"", "server": ("test", 80), "scheme": "http", "root_path": ""}
    await route.app(scope, receive, send)
    assert sent[0]["status"] == 401
