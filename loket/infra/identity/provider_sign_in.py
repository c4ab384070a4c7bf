"""Signing a person in with the verified ID token of their municipality's identity provider.

The provider says who the person is; the tenant's mapping says what they are in Loket. The
local account is found by the provider's subject (`iss` + `sub`), made on the first sign-in, and
its name, role and points follow the provider at every sign-in. A person whose claims match no
mapping entry is refused and nothing is written. Like every sign-in, it ends in
`SessionStore.start`; it is also written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from loket.infra.identity import account_repository as repo
from loket.infra.identity import audit, sessions
from loket.infra.identity.accounts import LANGUAGES, Account
from loket.infra.identity.oidc_provider import Grant, OidcProvider
from loket.infra.identity.session_store import Client, SessionStore
from loket.infra.identity.sign_in import Disabled, SignedIn

log = logging.getLogger(__name__)
ACTION = "sign in with the municipality's identity provider"


@dataclass(frozen=True)
class NotMapped:
    """The provider knows this person, but no mapping entry gives them a role in Loket."""


ProviderOutcome = SignedIn | NotMapped | Disabled


class ProviderSignIn:
    def __init__(self, pool: Callable[[], asyncpg.Pool], store: SessionStore,
                 clock: Callable[[], dt.datetime], service: str) -> None:
        self.pool, self.store, self.clock, self.service = pool, store, clock, service

    async def finish(self, municipality: str, provider: OidcProvider, claims: dict[str, Any], language: str,
                     client: Client, replaces: str | None = None) -> ProviderOutcome:
        grant = provider.grant_for(claims)
        if grant is None:
            # No name and no subject in the log: only which provider and which claim it looked at.
            log.info("sign-in through the provider of %s refused: no `%s` value is mapped", municipality,
                     provider.claim)
            return NotMapped()
        async with self.pool().acquire() as conn, conn.transaction():
            account = await self._local_account(conn, municipality, provider, claims, grant, language)
            if account.disabled_at is not None:
                return Disabled()
            await audit.record(conn, account.principal(), audit.Access(ACTION, "account", str(account.id)),
                               client.ip_address, self.service)
        return SignedIn(await self.store.start(account, sessions.ACTIVE, client, replaces))

    async def _local_account(self, conn: asyncpg.Connection, municipality: str, provider: OidcProvider,
                             claims: dict[str, Any], grant: Grant, language: str) -> Account:
        issuer, subject, name = provider.issuer, claims["sub"], _display_name(claims)
        existing = await repo.account_by_subject(conn, issuer, subject)
        if existing is not None:
            return await repo.update_provider_account(conn, existing.id, name, grant.role, grant.points,
                                                      self.clock())
        language = claims.get("locale") if claims.get("locale") in LANGUAGES else language
        for username in _usernames(claims, municipality):
            made = await repo.insert_provider_account(conn, repo.ProviderAccount(
                issuer, subject, username, name, municipality, grant.role, grant.points, language))
            if made is not None:
                return made
        raise RuntimeError("no free username for a provider account")  # both candidates taken: not expected


def _display_name(claims: dict[str, Any]) -> str:
    given_and_family = " ".join(str(claims[k]) for k in ("given_name", "family_name") if claims.get(k))
    return str(claims.get("name") or given_and_family or claims.get("preferred_username") or claims["sub"])[:200]


def _usernames(claims: dict[str, Any], municipality: str) -> list[str]:
    """`an.peeters@12025`, then with a hash of the subject should that be taken: the municipality
    keeps provider accounts apart from local ones and from other municipalities' people."""
    base = re.sub(r"[^a-z0-9._-]+", "-", str(claims.get("preferred_username") or "person").lower()).strip("-._")
    base = (base or "person")[:40]
    tag = hashlib.sha256(claims["sub"].encode()).hexdigest()[:8]
    return [f"{base}@{municipality}", f"{base}-{tag}@{municipality}"]
