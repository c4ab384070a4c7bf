"""What an administrator does with accounts (`loket accounts …`): create, list, disable, reset a
password. Each refusal says what to do instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from loket.infra.identity import account_repository as repo
from loket.infra.identity import passwords, totp
from loket.infra.identity.accounts import Account, AccountRefused, check_scope, normalise_username
from loket.infra.identity.roles import Role
from loket.infra.identity.tenant_store import tenant


@dataclass(frozen=True)
class AccountRequest:
    username: str
    display_name: str | None
    municipality: str | None
    role: Role
    points: tuple[str, ...]
    language: str
    with_totp: bool


@dataclass(frozen=True)
class CreatedAccount:
    username: str
    totp_secret: str | None  # shown once to the administrator, for the person's authenticator app
    totp_uri: str | None


async def create_account(conn: asyncpg.Connection, request: AccountRequest, password: str) -> CreatedAccount:
    username = normalise_username(request.username)
    check_scope(request.role, request.municipality, list(request.points), request.language)
    if request.municipality and await tenant(conn, request.municipality) is None:
        raise AccountRefused(f"municipality {request.municipality} is not onboarded: add it to deploy/tenants.yaml "
                             "and run `loket tenants import`")
    _check_password(password, username)
    secret = totp.new_secret() if request.with_totp else None
    created = await repo.insert_account(conn, repo.NewAccount(
        username, request.display_name or username, request.municipality, request.role, request.points,
        request.language, passwords.hash_password(password), secret,
    ))
    if not created:
        raise AccountRefused(f"the username {username} is taken: choose another")
    return CreatedAccount(username, secret, totp.provisioning_uri(secret, username) if secret else None)


async def accounts(conn: asyncpg.Connection, municipality: str | None) -> list[Account]:
    return await repo.list_accounts(conn, municipality)


async def disable_account(conn: asyncpg.Connection, username: str, now: dt.datetime) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    account = await _existing(conn, username)
    async with conn.transaction():
        await repo.disable_account(conn, account.id, now)
        await repo.delete_sessions_of(conn, account.id)


async def reset_password(conn: asyncpg.Connection, username: str, password: str, now: dt.datetime) -> None:
    """An administrator's new password, which the person must replace at their next sign-in; open
    sessions end (whoever knew the old password is out)."""
    account = await _existing(conn, username)
    _check_password(password, account.username)
    async with conn.transaction():
        await repo.set_password(conn, account.id, passwords.hash_password(password), must_change=True, now=now)
        await repo.delete_sessions_of(conn, account.id)


async def _existing(conn: asyncpg.Connection, username: str) -> Account:
    account = await repo.account_by_username(conn, normalise_username(username))
    if account is None:
        raise AccountRefused(f"no account has the username {username}: see `loket accounts list`")
    return account


def _check_password(password: str, username: str) -> None:
    try:
        passwords.check_new_password(password, username)
    except passwords.WeakPassword as exc:
        raise AccountRefused(str(exc)) from None
