"""A municipality's own identity provider (OpenID Connect): where it is, which client Loket is
there, and how the provider's groups or roles become a Loket role and points.

The client secret never sits in the tenant file (which is stored in the database and shown by
`loket tenants show`): the file names a secret file that only the services' user may read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loket.infra.configuration_error import ConfigurationError
from loket.infra.identity.roles import POINT_ROLES, SYSTEM_ROLES, Role

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# When a person holds several mapped values, the widest role wins. A fixed order, not the file's:
# the tenant document is stored as jsonb, which does not keep the order of a mapping's keys.
PRECEDENCE = (Role.MUNICIPALITY_ADMIN, Role.POINT_MANAGER, Role.STAFF, Role.VOLUNTEER, Role.ANALYST)


class ProviderSecretError(ConfigurationError, RuntimeError):
    """The client secret file cannot be used; the message says why (never the secret)."""


class Grant(BaseModel):
    """What one claim value gives: a role and, for the counter roles, the points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: Role
    points: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _a_person_role_of_this_municipality(self) -> Grant:
        # A municipality's provider vouches for its own people only: never a system, never the
        # operator of every municipality.
        if self.role in SYSTEM_ROLES or self.role is Role.OPERATOR:
            raise ValueError(f"a provider cannot grant the role {self.role.value}")
        if self.role in POINT_ROLES and not self.points:
            raise ValueError(f"a {self.role.value} works at points: list them under `points`")
        if self.role not in POINT_ROLES and self.points:
            raise ValueError(f"a {self.role.value} acts for the whole municipality: leave out `points`")
        return self


class OidcProvider(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    display_name: str = Field(min_length=1, max_length=60, description="shown on the sign-in button")
    issuer: str = Field(description="the provider's issuer URL; discovery is read below it")
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_file: Path = Field(description="a file holding the client secret, mode 0600")
    claim: str = Field(default="groups", min_length=1, description="the ID-token claim with groups or roles")
    mapping: dict[str, Grant] = Field(min_length=1, description="claim value → Loket role and points")
    scopes: tuple[str, ...] = ("openid", "profile")

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secret(cls, data: Any) -> Any:
        if isinstance(data, dict) and "client_secret" in data:
            raise ValueError("never put the client secret in the tenant file: "
                             "write it to a file (mode 0600) and name it in `client_secret_file`")
        return data

    @field_validator("issuer")
    @classmethod
    def _https_issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        # Plain http only on loopback (a provider started by the tests); anywhere else the ID
        # token and the code would travel in clear.
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            raise ValueError(f"{value!r}: the issuer must be an https:// URL")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: an issuer has no query or fragment")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return value if "openid" in value else ("openid", *value)

    def grant_for(self, claims: dict[str, Any]) -> Grant | None:
        """The widest role (`PRECEDENCE`) among the mapping entries the claim holds, with the
        points of every entry held with that role. None: this person has no place in Loket."""
        values = _claim_values(claims.get(self.claim))
        matching = [grant for value, grant in self.mapping.items() if value in values]
        if not matching:
            return None
        role = min((grant.role for grant in matching), key=PRECEDENCE.index)
        points = sorted({p for grant in matching if grant.role is role for p in grant.points})
        return Grant(role=role, points=tuple(points))

    def client_secret(self) -> str:
        return read_client_secret(self.client_secret_file)


def _claim_values(held: object) -> set[str]:
    # Providers send one string or a list of strings; anything else holds no usable value.
    if isinstance(held, str):
        return {held}
    if isinstance(held, list):
        return {value for value in held if isinstance(value, str)}
    return set()


@dataclass(frozen=True)
class ProviderChoice:
    """A configured provider as the sign-in page offers it."""

    municipality: str
    display_name: str


def read_client_secret(path: Path) -> str:
    """The secret, refused when others than its owner may read the file (as ssh does a key)."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise ProviderSecretError(f"{path}: mode {stat.S_IMODE(mode):04o}: others may read it; "
                                      f"run `chmod 600 {path}`")
        secret = path.read_text().strip()
    except OSError as exc:
        raise ProviderSecretError(f"{path}: {exc.strerror}") from None
    if not secret:
        raise ProviderSecretError(f"{path} is empty")
    return secret
