"""Every SQL statement on `accounts` and `sessions` (their one writer). Policy (how many failures
lock, how long a session lives) is decided by the callers and passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from loket.infra.identity.accounts import Account
from loket.infra.identity.repository import SCHEMA
from loket.infra.identity.roles import Role

# A connection, or the pool when each statement may take its own (no transaction spans them).
Executor = asyncpg.Connection | asyncpg.Pool
_FIELDS = ("id", "username", "display_name", "municipality", "role", "points", "language", "password_hash",
           "totp_secret", "totp_last_step", "failed_attempts", "locked_until", "disabled_at", "must_change_password",
           "created_at")
_ACCOUNT_COLUMNS = ", ".join(_FIELDS)


def _account(row: asyncpg.Record) -> Account:
    fields = {f: row[f] for f in _FIELDS}
    return Account(**{**fields, "role": Role(row["role"]), "points": tuple(row["points"])})


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    municipality: str | None
    role: Role
    points: tuple[str, ...]
    language: str
    password_hash: str
    totp_secret: str | None


@dataclass(frozen=True)
class StoredSession:
    account: Account
    stage: str  # "code_due" (password checked, second factor outstanding) or "active"
    csrf_secret: str
    last_seen_at: dt.datetime
    idle_expires_at: dt.datetime
    absolute_expires_at: dt.datetime


async def insert_account(conn: Executor, new: NewAccount) -> bool:
    """False when the username is taken."""
    status = await conn.execute(
        f"""INSERT INTO {SCHEMA}.accounts (username, display_name, municipality, role, points, language,
                                           password_hash, totp_secret)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING""",
        new.username, new.display_name, new.municipality, new.role.value, list(new.points), new.language,
        new.password_hash, new.totp_secret,
    )
    return status.endswith(" 1")


async def account_by_username(conn: Executor, username: str) -> Account | None:
    row = await conn.fetchrow(f"SELECT {_ACCOUNT_COLUMNS} FROM {SCHEMA}.accounts WHERE username = $1", username)
    return _account(row) if row else None


async def account_by_id(conn: Executor, account_id: int) -> Account | None:
    row = await conn.fetchrow(f"SELECT {_ACCOUNT_COLUMNS} FROM {SCHEMA}.accounts WHERE id = $1", account_id)
    return _account(row) if row else None


async def display_names(conn: Executor, municipality: str, usernames: set[str]) -> dict[str, str]:
    """The display names of those of `usernames` that are accounts of the municipality: what a
    page shows where a record keeps who did something by account name (an API key's name, or an
    account since removed, is not among them)."""
    rows = await conn.fetch(
        f"SELECT username, display_name FROM {SCHEMA}.accounts WHERE municipality = $1 AND username = ANY($2::text[])",
        municipality, sorted(usernames),
    )
    return {r["username"]: r["display_name"] for r in rows}


async def list_accounts(conn: Executor, municipality: str | None) -> list[Account]:
    rows = await conn.fetch(
        f"""SELECT {_ACCOUNT_COLUMNS} FROM {SCHEMA}.accounts
            WHERE $1::text IS NULL OR municipality = $1 ORDER BY municipality NULLS FIRST, username""",
        municipality,
    )
    return [_account(r) for r in rows]


async def record_failure(conn: Executor, account_id: int, now: dt.datetime, lock_after: int,
                         lock_for: dt.timedelta) -> dt.datetime | None:
    """Count a failed attempt in one statement (two browsers failing at once both count); at
    `lock_after` failures lock the account and start counting afresh. Returns the lock's end."""
    return await conn.fetchval(
        f"""UPDATE {SCHEMA}.accounts
               SET failed_attempts = CASE WHEN failed_attempts + 1 >= $3 THEN 0 ELSE failed_attempts + 1 END,
                   locked_until = CASE WHEN failed_attempts + 1 >= $3 THEN $2::timestamptz + $4::interval
                                       ELSE locked_until END,
                   updated_at = $2
             WHERE id = $1
         RETURNING CASE WHEN locked_until > $2 THEN locked_until END""",
        account_id, now, lock_after, lock_for,
    )


async def record_success(conn: Executor, account_id: int, now: dt.datetime,
                         rehashed_password: str | None, totp_step: int | None) -> None:
    await conn.execute(
        f"""UPDATE {SCHEMA}.accounts
               SET failed_attempts = 0, locked_until = NULL, updated_at = $2,
                   password_hash = coalesce($3, password_hash), totp_last_step = coalesce($4, totp_last_step)
             WHERE id = $1""",
        account_id, now, rehashed_password, totp_step,
    )


async def set_password(conn: Executor, account_id: int, password_hash: str, must_change: bool,
                       now: dt.datetime) -> None:
    await conn.execute(
        f"""UPDATE {SCHEMA}.accounts SET password_hash = $2, must_change_password = $3, failed_attempts = 0,
                   locked_until = NULL, updated_at = $4 WHERE id = $1""",
        account_id, password_hash, must_change, now,
    )


async def disable_account(conn: Executor, account_id: int, now: dt.datetime) -> None:
    await conn.execute(f"UPDATE {SCHEMA}.accounts SET disabled_at = $2, updated_at = $2 "
                       f"WHERE id = $1 AND disabled_at IS NULL", account_id, now)


async def insert_session(conn: Executor, id_sha256: str, account_id: int, stage: str, now: dt.datetime,
                         idle_expires_at: dt.datetime, absolute_expires_at: dt.datetime, csrf_secret: str,
                         user_agent: str | None, ip_address: str | None) -> None:
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.sessions (id_sha256, account_id, stage, created_at, last_seen_at, idle_expires_at,
                                           absolute_expires_at, csrf_secret, user_agent, ip_address)
            VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9)""",
        id_sha256, account_id, stage, now, idle_expires_at, absolute_expires_at, csrf_secret, user_agent, ip_address,
    )


async def session_by_digest(conn: Executor, id_sha256: str) -> StoredSession | None:
    row = await conn.fetchrow(
        f"""SELECT s.stage, s.csrf_secret, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at,
                   {', '.join('a.' + f for f in _FIELDS)}
              FROM {SCHEMA}.sessions s JOIN {SCHEMA}.accounts a ON a.id = s.account_id
             WHERE s.id_sha256 = $1""",
        id_sha256,
    )
    if row is None:
        return None
    return StoredSession(_account(row), row["stage"], row["csrf_secret"], row["last_seen_at"],
                         row["idle_expires_at"], row["absolute_expires_at"])


async def touch_session(conn: Executor, id_sha256: str, now: dt.datetime,
                        idle_expires_at: dt.datetime) -> None:
    await conn.execute(f"UPDATE {SCHEMA}.sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id_sha256 = $1",
                       id_sha256, now, idle_expires_at)


async def delete_session(conn: Executor, id_sha256: str) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.sessions WHERE id_sha256 = $1", id_sha256)


async def delete_sessions_of(conn: Executor, account_id: int, keep_sha256: str | None = None) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.sessions WHERE account_id = $1 AND id_sha256 IS DISTINCT FROM $2",
                       account_id, keep_sha256)


async def delete_expired_sessions(conn: Executor, now: dt.datetime) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1", now)


# --- accounts made by an OpenID Connect sign-in, found by the provider's subject

@dataclass(frozen=True)
class ProviderAccount:
    """Who the provider says this is, and what the mapping gives them in Loket."""

    issuer: str
    subject: str
    username: str
    display_name: str
    municipality: str
    role: Role
    points: tuple[str, ...]
    language: str


# No argon2 hash starts with "!": a password sign-in against this fails like a wrong password.
NO_PASSWORD = "!provider"


async def account_by_subject(conn: Executor, issuer: str, subject: str) -> Account | None:
    row = await conn.fetchrow(f"SELECT {_ACCOUNT_COLUMNS} FROM {SCHEMA}.accounts "
                              f"WHERE provider_issuer = $1 AND provider_subject = $2", issuer, subject)
    return _account(row) if row else None


async def insert_provider_account(conn: Executor, new: ProviderAccount) -> Account | None:
    """None when the username is taken (by someone else); a concurrent first sign-in of the same
    subject returns the row the other one made."""
    row = await conn.fetchrow(
        f"""INSERT INTO {SCHEMA}.accounts (username, display_name, municipality, role, points, language,
                                           password_hash, provider_issuer, provider_subject)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
            RETURNING {_ACCOUNT_COLUMNS}""",
        new.username, new.display_name, new.municipality, new.role.value, list(new.points), new.language,
        NO_PASSWORD, new.issuer, new.subject,
    )
    if row is not None:
        return _account(row)
    return await account_by_subject(conn, new.issuer, new.subject)


async def update_provider_account(conn: Executor, account_id: int, display_name: str, role: Role,
                                  points: tuple[str, ...], now: dt.datetime) -> Account:
    """The provider is the source of truth for these: a person moved to another group at the
    provider has the new role from the next sign-in on."""
    row = await conn.fetchrow(
        f"""UPDATE {SCHEMA}.accounts SET display_name = $2, role = $3, points = $4, updated_at = $5
             WHERE id = $1 RETURNING {_ACCOUNT_COLUMNS}""",
        account_id, display_name, role.value, list(points), now,
    )
    return _account(row)
