"""The signed cookie that carries a sign-in attempt to the provider and back."""

from __future__ import annotations

import base64
import hashlib
import json

from loket.infra.http.signin.oidc_attempt import MAX_AGE_S, Attempt, municipality_of, opened

SECRET = "client-secret-of-mechelen"


def test_the_attempt_comes_back_unchanged_and_only_with_the_right_secret() -> None:
    attempt = Attempt.new("12025", "/dashboard?period=month", "nl", now=1000.0)
    sealed = attempt.sealed(SECRET)
    assert municipality_of(sealed) == "12025"
    assert opened(sealed, SECRET, now=1000.0 + MAX_AGE_S) == attempt
    assert opened(sealed, "another-secret", now=1000.0) is None
    assert opened(sealed, SECRET, now=1001.0 + MAX_AGE_S) is None  # too old


def test_a_changed_next_path_breaks_the_signature() -> None:
    sealed = Attempt.new("12025", "/dashboard", "nl", now=1000.0).sealed(SECRET)
    body, mac = sealed.split(".")
    value = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**value, "next_path": "/evil"}).encode()).rstrip(b"=").decode()
    assert opened(f"{forged}.{mac}", SECRET, now=1000.0) is None
    assert opened("garbage", SECRET) is None and municipality_of("garbage") is None


def test_the_code_challenge_is_pkce_s256_of_the_verifier() -> None:
    attempt = Attempt.new("12025", "/signin", "en")
    expected = base64.urlsafe_b64encode(hashlib.sha256(attempt.code_verifier.encode()).digest()).rstrip(b"=")
    assert attempt.code_challenge == expected.decode()
    assert 43 <= len(attempt.code_verifier) <= 128  # RFC 7636 §4.1
