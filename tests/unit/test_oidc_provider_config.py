"""The `oidc:` block of a tenant: validated at `loket tenants validate`, its secret kept in a
private file, and the provider's groups mapped to one Loket role and its points."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from loket.infra.identity.oidc_provider import OidcProvider, ProviderSecretError
from loket.infra.identity.roles import Role
from loket.infra.identity.tenants import TenantFileError, parse_tenants

MECHELEN = {"ebox": {"enterprise_number": "0207.500.123", "sender_application_id": "mechelen-loket"},
            "paper": {"name": "Stad Mechelen", "lines": ["Grote Markt 21", "2800 Mechelen"]},
            "sms_sender": "Mechelen", "languages": ["nl"]}
OIDC: dict[str, Any] = {
    "display_name": "Stad Mechelen", "issuer": "https://login.mechelen.example/realms/mechelen/",
    "client_id": "loket", "client_secret_file": "/run/secrets/mechelen-oidc", "claim": "groups",
    "mapping": {"/loket/staff/mechelen-stadhuis": {"role": "staff", "points": ["mechelen-stadhuis"]},
                "/loket/staff/mechelen-bib": {"role": "staff", "points": ["mechelen-bib"]},
                "/loket/analysts": {"role": "analyst"}},
}


def tenant_with(oidc: dict[str, Any]) -> list:  # type: ignore[type-arg]
    return parse_tenants({"tenants": {"12025": {**MECHELEN, "oidc": oidc}}})


def test_a_valid_block_is_read_and_the_issuer_normalised() -> None:
    provider = tenant_with(OIDC)[0].oidc
    assert provider.issuer == "https://login.mechelen.example/realms/mechelen"
    assert provider.scopes == ("openid", "profile")


@pytest.mark.parametrize(("change", "problem"), [
    ({"client_secret": "inline"}, "never put the client secret in the tenant file"),
    ({"issuer": "http://login.mechelen.example/realms/mechelen"}, "must be an https:// URL"),
    ({"mapping": {}}, "mapping"),
    ({"mapping": {"/loket/ops": {"role": "operator"}}}, "cannot grant the role operator"),
    ({"mapping": {"/loket/print": {"role": "print_house"}}}, "cannot grant the role print_house"),
    ({"mapping": {"/loket/staff": {"role": "staff"}}}, "works at points"),
    ({"mapping": {"/loket/analysts": {"role": "analyst", "points": ["x"]}}}, "whole municipality"),
    ({"mapping": {"/loket/x": {"role": "chief"}}}, "role"),
])
def test_a_wrong_block_is_refused_naming_where(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(TenantFileError, match=problem) as refused:
        tenant_with({**OIDC, **change})
    assert "tenants.12025.oidc" in str(refused.value)


def test_the_widest_role_held_wins_whatever_the_order_and_its_points_add_up() -> None:
    provider = OidcProvider.model_validate({**OIDC, "mapping": {"/loket/analysts": {"role": "analyst"},
                                                                **OIDC["mapping"]}})
    grant = provider.grant_for({"groups": ["/other", "/loket/analysts", "/loket/staff/mechelen-bib",
                                           "/loket/staff/mechelen-stadhuis"]})
    assert grant is not None and grant.role is Role.STAFF
    assert grant.points == ("mechelen-bib", "mechelen-stadhuis")
    assert provider.grant_for({"groups": "/loket/analysts"}).role is Role.ANALYST  # type: ignore[union-attr]


@pytest.mark.parametrize("claims", [{}, {"groups": []}, {"groups": ["/parking"]}, {"groups": [{"x": 1}]},
                                    {"groups": 7}, {"roles": ["/loket/analysts"]}])
def test_a_person_without_a_mapped_value_gets_nothing(claims: dict[str, Any]) -> None:
    assert OidcProvider.model_validate(OIDC).grant_for(claims) is None


def test_the_secret_is_read_only_from_a_private_file(tmp_path: Path) -> None:
    secret = tmp_path / "mechelen-oidc"
    secret.write_text("s3cret-value\n")
    provider = OidcProvider.model_validate({**OIDC, "client_secret_file": str(secret)})
    os.chmod(secret, 0o644)
    with pytest.raises(ProviderSecretError, match="chmod 600") as refused:
        provider.client_secret()
    assert "s3cret-value" not in str(refused.value)
    os.chmod(secret, 0o600)
    assert provider.client_secret() == "s3cret-value"
    with pytest.raises(ProviderSecretError, match="No such file"):
        OidcProvider.model_validate({**OIDC, "client_secret_file": str(tmp_path / "absent")}).client_secret()
