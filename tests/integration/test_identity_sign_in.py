"""The sign-in use case on real PostgreSQL with a fake clock: one refusal for unknown users and
wrong passwords, lock-out after 5 failures for 15 minutes, disabled accounts, the second factor,
and sessions that end when idle."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pyotp

from loket.contracts.values import utc_now
from loket.infra.identity import account_admin
from loket.infra.identity.session_store import Client, SessionStore
from loket.infra.identity.sign_in import (
    CodeDue,
    Disabled,
    LockedOut,
    SignedIn,
    SignIn,
    WrongCredentials,
)
from tests.support.signin_harness import PASSWORD, new_account

CLIENT = Client("pytest", "127.0.0.1")


def machinery(pool: asyncpg.Pool) -> tuple[SignIn, SessionStore, list[dt.datetime]]:
    now = [utc_now()]
    store = SessionStore(lambda: pool, lambda: now[0])
    return SignIn(lambda: pool, store, lambda: now[0]), store, now


async def test_unknown_user_and_wrong_password_get_the_same_refusal(pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    sign_in, _, _ = machinery(pool)
    assert await sign_in.with_password("nobody-at-all", PASSWORD, CLIENT) == WrongCredentials()
    assert await sign_in.with_password(username, "not the password", CLIENT) == WrongCredentials()
    assert await sign_in.with_password("not a username!", PASSWORD, CLIENT) == WrongCredentials()


async def test_five_failures_lock_for_15_minutes_even_the_right_password(pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    sign_in, _, now = machinery(pool)
    outcomes = [await sign_in.with_password(username, f"wrong guess {i}", CLIENT) for i in range(5)]
    assert outcomes[:4] == [WrongCredentials()] * 4
    assert isinstance(outcomes[4], LockedOut)
    assert abs(outcomes[4].until - (now[0] + dt.timedelta(minutes=15))) < dt.timedelta(seconds=1)
    now[0] += dt.timedelta(minutes=14)
    assert isinstance(await sign_in.with_password(username, PASSWORD, CLIENT), LockedOut)
    now[0] += dt.timedelta(minutes=1, seconds=1)
    assert isinstance(await sign_in.with_password(username, PASSWORD, CLIENT), SignedIn)
    failures = await pool.fetchval("SELECT failed_attempts FROM identity.accounts WHERE username = $1", username)
    assert failures == 0


async def test_a_disabled_account_is_refused_once_the_password_is_right(pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    async with pool.acquire() as conn:
        await account_admin.disable_account(conn, username, utc_now())
    sign_in, _, _ = machinery(pool)
    assert await sign_in.with_password(username, "not the password", CLIENT) == WrongCredentials()
    assert await sign_in.with_password(username, PASSWORD, CLIENT) == Disabled()


async def test_the_code_is_asked_only_of_accounts_that_have_one(pool: asyncpg.Pool) -> None:
    plain, _ = await new_account(pool)
    with_code, secret = await new_account(pool, totp=True)
    sign_in, store, now = machinery(pool)
    assert isinstance(await sign_in.with_password(plain, PASSWORD, CLIENT), SignedIn)
    half_way = await sign_in.with_password(with_code, PASSWORD, CLIENT)
    assert isinstance(half_way, CodeDue)
    assert await store.find(half_way.session.session_id) is None  # not signed in yet
    live = await store.find(half_way.session.session_id, "code_due")
    assert live is not None
    assert await sign_in.with_code(live, half_way.session.session_id, "000000", CLIENT) == WrongCredentials()
    code = pyotp.TOTP(secret).at(now[0])
    done = await sign_in.with_code(live, half_way.session.session_id, code, CLIENT)
    assert isinstance(done, SignedIn) and done.session.session_id != half_way.session.session_id
    assert await store.find(half_way.session.session_id, "code_due") is None  # rotated away
    # The same code a second time (another half-way session) is refused: codes work once.
    again = await sign_in.with_password(with_code, PASSWORD, CLIENT)
    assert isinstance(again, CodeDue)
    live_again = await store.find(again.session.session_id, "code_due")
    assert await sign_in.with_code(live_again, again.session.session_id, code, CLIENT) == WrongCredentials()  # type: ignore[arg-type]


async def test_a_session_ends_after_30_idle_minutes_and_at_sign_out(pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool)
    sign_in, store, now = machinery(pool)
    signed_in = await sign_in.with_password(username, PASSWORD, CLIENT)
    assert isinstance(signed_in, SignedIn)
    session_id = signed_in.session.session_id
    now[0] += dt.timedelta(minutes=25)
    assert (await store.find(session_id)).account.username == username  # type: ignore[union-attr]
    now[0] += dt.timedelta(minutes=25)  # 50 minutes after sign-in, 25 after the last use
    assert await store.find(session_id) is not None
    now[0] += dt.timedelta(minutes=31)
    assert await store.find(session_id) is None
    assert await pool.fetchval("SELECT count(*) FROM identity.sessions s JOIN identity.accounts a "
                               "ON a.id = s.account_id WHERE a.username = $1", username) == 0
    other = await sign_in.with_password(username, PASSWORD, CLIENT)
    await store.end(other.session.session_id)  # type: ignore[union-attr]
    assert await store.find(other.session.session_id) is None  # type: ignore[union-attr]
