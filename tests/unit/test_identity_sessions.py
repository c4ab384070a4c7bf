"""Session lifetimes on a fake clock, the TOTP window and replay, where a sign-in may send a
person next, the page language, cookie attributes, and the texts in every language."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from loket.infra.http.signin.cookies import SESSION, CookiePolicy
from loket.infra.http.signin.next_path import HOME, safe_next, with_next
from loket.infra.http.signin.rendering import browser_language
from loket.infra.http.signin.texts import TEXTS
from loket.infra.identity import sessions, totp
from loket.infra.identity.accounts import LANGUAGES, AccountRefused, normalise_username

T0 = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)


def test_a_new_session_ends_after_30_idle_minutes() -> None:
    expiry = sessions.expiry_of_new(sessions.ACTIVE, T0)
    assert expiry.live_at(T0 + dt.timedelta(minutes=29, seconds=59))
    assert not expiry.live_at(T0 + dt.timedelta(minutes=30))


def test_use_extends_the_idle_time_but_never_past_12_hours() -> None:
    expiry = sessions.expiry_of_new(sessions.ACTIVE, T0)
    assert sessions.extended(expiry, T0, T0 + dt.timedelta(seconds=30)) is None  # written at most once a minute
    now = T0
    for _ in range(12 * 60 // 20):  # a click every 20 minutes, all day
        now += dt.timedelta(minutes=20)
        if not expiry.live_at(now):
            break
        expiry = sessions.extended(expiry, now - dt.timedelta(minutes=20), now) or expiry
    assert now == T0 + dt.timedelta(hours=12)
    assert not expiry.live_at(now) and expiry.live_at(now - dt.timedelta(seconds=1))


def test_a_session_half_way_through_its_code_lives_5_minutes() -> None:
    expiry = sessions.expiry_of_new(sessions.CODE_DUE, T0)
    assert expiry.live_at(T0 + dt.timedelta(minutes=4)) and not expiry.live_at(T0 + dt.timedelta(minutes=5))


def test_session_ids_are_random_and_stored_as_digests() -> None:
    first, second = sessions.new_session_id(), sessions.new_session_id()
    assert first != second and len(first) >= 43
    assert sessions.digest(first) != first and len(sessions.digest(first)) == 64


def test_a_code_works_one_step_either_side_and_only_once() -> None:
    secret = totp.new_secret()
    code_now = pyotp.TOTP(secret).at(T0)
    step = totp.matching_step(secret, code_now, T0, None)
    assert step is not None
    assert totp.matching_step(secret, code_now, T0 + dt.timedelta(seconds=30), None) == step
    assert totp.matching_step(secret, code_now, T0 + dt.timedelta(seconds=90), None) is None
    assert totp.matching_step(secret, code_now, T0, last_used_step=step) is None  # replayed
    assert totp.matching_step(secret, "12345", T0, None) is None
    assert totp.provisioning_uri(secret, "an").startswith("otpauth://totp/Loket:an?secret=")


@pytest.mark.parametrize("hostile", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "evil",
                                     "/\x00x", "/ x", "javascript:alert(1)", "", None, "/" + "a" * 2001])
def test_next_refuses_anything_but_a_path_here(hostile: str | None) -> None:
    assert safe_next(hostile) == HOME


def test_next_keeps_a_path_with_its_query() -> None:
    assert safe_next("/dashboard?lang=fr&period=week") == "/dashboard?lang=fr&period=week"
    assert with_next("/signin", "/dashboard?lang=fr&period=week", ended="1") == \
        "/signin?next=/dashboard%3Flang%3Dfr%26period%3Dweek&ended=1"
    assert with_next("/signin", HOME) == "/signin"


@pytest.mark.parametrize(("header", "expected"), [
    ("fr-BE,fr;q=0.9,nl;q=0.8", "fr"), ("en-GB;q=0.5, de;q=0.7", "de"), ("es, it", "nl"), ("", "nl"),
    ("nl;q=bogus, en", "en"),
])
def test_the_browser_language(header: str, expected: str) -> None:
    assert browser_language(header) == expected


def _connection(url_host: str, scheme: str = "http") -> HTTPConnection:
    return Request({"type": "http", "scheme": scheme, "server": (url_host, 443 if scheme == "https" else 8000),
                    "path": "/signin", "query_string": b"", "headers": [(b"host", url_host.encode())]})


@pytest.mark.parametrize(("setting", "host", "scheme", "name", "secure"), [
    (None, "127.0.0.1", "http", "loket_session", False),
    (None, "loket.mechelen.be", "https", "__Host-loket_session", True),
    (None, "loket.internal", "http", "__Host-loket_session", True),  # behind a TLS proxy
    (True, "127.0.0.1", "http", "__Host-loket_session", True),
    (False, "loket.internal", "https", "loket_session", False),
])
def test_cookie_names_and_attributes(setting: bool | None, host: str, scheme: str, name: str, secure: bool) -> None:
    response = Response()
    CookiePolicy(setting).write(response, SESSION, "value", _connection(host, scheme))
    header = response.headers["set-cookie"]
    assert header.startswith(f"{name}=value;") and "HttpOnly" in header and "SameSite=lax" in header
    assert "Path=/" in header and "Domain" not in header and "Max-Age" not in header
    assert ("Secure" in header) is secure


def test_every_text_is_in_every_language() -> None:
    assert all(set(by_language) == set(LANGUAGES) for by_language in TEXTS.values())


def test_usernames_are_lowercased_and_checked() -> None:
    assert normalise_username("  An.Peeters ") == "an.peeters"
    with pytest.raises(AccountRefused):
        normalise_username("an peeters")
