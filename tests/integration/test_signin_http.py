"""Sign-in over HTTP on a running service: CSRF refusals change nothing, the lock-out is said
plainly, sessions end (idle and at sign-out), `next` goes back only to this site, and the
dashboard sends an anonymous browser to sign in while the API keeps answering 401."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from tests.support.signin_harness import (
    ADMIN_TOKEN,
    PASSWORD,
    browser_session,
    form_token,
    new_account,
    post_signin,
    running_reporting,
    session_cookie,
)


@pytest.fixture(scope="module")
async def base(database_url: str, bus_url: str) -> AsyncIterator[str]:
    async with running_reporting(database_url, bus_url) as url:
        yield url


async def test_the_dashboard_sends_an_anonymous_browser_to_sign_in_and_back(base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    async with browser_session() as http:
        async with http.get(f"{base}/dashboard?lang=fr&period=week", allow_redirects=False) as r:
            assert r.status == 303
            assert r.headers["Location"] == "/signin?next=/dashboard%3Flang%3Dfr%26period%3Dweek&lang=fr"
        signed_in = await post_signin(http, base, username, PASSWORD, next_path="/dashboard?lang=fr&period=week")
        assert signed_in.status == 303 and signed_in.headers["Location"] == "/dashboard?lang=fr&period=week"
        cookie = signed_in.headers["Set-Cookie"]
        assert cookie.startswith("loket_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        async with http.get(f"{base}/dashboard?lang=fr&period=week", allow_redirects=False) as r:
            assert r.status == 200 and "Connecté en tant que" in await r.text()
        # The JSON API stays on bearer tokens: the cookie opens no API path.
        async with http.get(f"{base}/kpis", allow_redirects=False) as r:
            assert r.status == 401 and r.content_type == "application/problem+json"
    async with aiohttp.ClientSession() as machine:
        async with machine.get(f"{base}/dashboard") as r:  # no browser: the API's answer
            assert r.status == 401 and r.content_type == "application/problem+json"
        async with machine.get(f"{base}/kpis", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as r:
            assert r.status == 200
        async with machine.get(f"{base}/dashboard", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as r:
            assert r.status == 200


@pytest.mark.parametrize("hostile", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil.example"])
async def test_next_never_leaves_the_site(base: str, pool: asyncpg.Pool, hostile: str) -> None:
    username, _ = await new_account(pool)
    async with browser_session() as http:
        signed_in = await post_signin(http, base, username, PASSWORD, next_path=hostile)
        assert signed_in.status == 303 and signed_in.headers["Location"] == "/signin"
        async with http.get(f"{base}/signin", params={"next": hostile}, allow_redirects=False) as r:
            assert r.status == 200 and "evil" not in r.headers.get("Location", "")


async def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
        base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    state = "SELECT failed_attempts, password_hash FROM identity.accounts WHERE username = $1"
    before = await pool.fetchrow(state, username)
    async with browser_session() as http:
        await form_token(http, f"{base}/signin")  # the form's cookie is set; the field is forged
        for token in ("forged", ""):
            refused = await post_signin(http, base, username, "a wrong password", token=token)
            assert refused.status == 403
        refused = await post_signin(http, base, username, PASSWORD, token="forged")
        assert refused.status == 403 and session_cookie(http) is None
        assert await pool.fetchrow(state, username) == before

        assert (await post_signin(http, base, username, PASSWORD)).status == 303
        sessions = "SELECT count(*) FROM identity.sessions s JOIN identity.accounts a ON a.id = s.account_id " \
                   "WHERE a.username = $1"
        assert await pool.fetchval(sessions, username) == 1
        for path, data in (("/signout", {"csrf": "forged"}), ("/signout", {}),
                           ("/signin/password", {"csrf": "forged", "current": PASSWORD,
                                                 "new": "another long passphrase", "repeat": "another long passphrase"})):
            async with http.post(f"{base}{path}", data=data, allow_redirects=False) as r:
                assert r.status == 403, path
                assert "Dit formulier is verlopen" in await r.text()
        assert await pool.fetchval(sessions, username) == 1
        assert await pool.fetchrow(state, username) == before
        async with http.get(f"{base}/dashboard", allow_redirects=False) as r:
            assert r.status == 200  # still signed in


async def test_five_wrong_passwords_lock_the_account_and_say_so(base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool, language="en")
    async with browser_session() as http:
        statuses = [(await post_signin(http, base, username, f"wrong guess {i}")).status for i in range(4)]
        assert statuses == [401] * 4
        token = await form_token(http, f"{base}/signin?lang=en")
        async with http.post(f"{base}/signin?lang=en", allow_redirects=False,
                             data={"csrf": token, "username": username, "password": "wrong guess 5"}) as r:
            assert r.status == 423
            page = await r.text()
        assert "After 5 failed attempts this account is locked for 15 minutes. Try again at" in page
        right = await post_signin(http, base, username, PASSWORD)
        assert right.status == 423 and session_cookie(http) is None
    async with browser_session() as http:  # an unknown user gets the wrong-password answer, never a lock
        for _ in range(6):
            assert (await post_signin(http, base, "nobody-here", "wrong guess")).status == 401


async def test_sign_out_and_an_expired_session_send_the_browser_back_to_sign_in(
        base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    async with browser_session() as http:
        await post_signin(http, base, username, PASSWORD)
        old_cookie = session_cookie(http)
        token = await form_token(http, f"{base}/signin")  # the signed-in page's sign-out form
        async with http.post(f"{base}/signout", data={"csrf": token}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/signin?bye=1&lang=nl"
        assert session_cookie(http) is None
    async with aiohttp.ClientSession(headers={"Accept": "text/html", "Cookie": f"loket_session={old_cookie}"}) as http:
        async with http.get(f"{base}/dashboard", allow_redirects=False) as r:  # the old cookie is worth nothing
            assert r.status == 303 and r.headers["Location"] == "/signin?next=/dashboard&ended=1"

    async with browser_session() as http:
        await post_signin(http, base, username, PASSWORD)
        await pool.execute("UPDATE identity.sessions s SET idle_expires_at = now() - interval '1 second' "
                           "FROM identity.accounts a WHERE a.id = s.account_id AND a.username = $1", username)
        async with http.get(f"{base}/dashboard", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/signin?next=/dashboard&ended=1"
        async with http.get(f"{base}/signin?ended=1&lang=en") as r:
            assert "Your session has ended. Please sign in again." in await r.text()
