"""The decision every endpoint takes: 401 without a principal, 403 for a role the endpoint does
not serve, 404 for an object outside the principal's municipality or points."""

from __future__ import annotations

import pytest

from loket.infra.identity import api_keys
from loket.infra.identity.authorization import Decision, decide
from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import POINT_ROLES, Role

MECHELEN, EUPEN = "12025", "63023"
HERE = Location(MECHELEN, "mechelen-digibank")
OTHER_POINT = Location(MECHELEN, "mechelen-stadhuis")
MUNICIPALITY_WIDE = Location(MECHELEN)
ELSEWHERE = Location(EUPEN, "eupen-bib")


def principal(role: Role) -> Principal:
    if role is Role.OPERATOR:
        return Principal("ops", role, None)
    return Principal(f"a {role}", role, MECHELEN, frozenset({"mechelen-digibank"}))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("location", [HERE, OTHER_POINT, MUNICIPALITY_WIDE, ELSEWHERE])
def test_every_role_in_every_scope(role: Role, location: Location) -> None:
    served = {Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN}
    decision = decide(principal(role), served, location)
    if role is Role.OPERATOR:
        expected = Decision.ALLOW
    elif role not in served:
        expected = Decision.WRONG_ROLE
    elif location.municipality != MECHELEN:
        expected = Decision.OUT_OF_SCOPE
    elif role in POINT_ROLES and location.point_id not in (None, "mechelen-digibank"):
        expected = Decision.OUT_OF_SCOPE
    else:
        expected = Decision.ALLOW
    assert decision is expected


def test_nobody_is_unauthenticated() -> None:
    assert decide(None, {Role.STAFF}, HERE) is Decision.UNAUTHENTICATED


def test_only_the_operator_acts_for_no_municipality() -> None:
    with pytest.raises(ValueError, match="one municipality"):
        Principal("x", Role.STAFF, None)


def test_a_key_is_shown_once_and_kept_as_a_digest() -> None:
    key = api_keys.new_key()
    prefix, secret = api_keys.split(key.token)
    assert prefix == key.prefix and secret not in key.secret_sha256
    assert api_keys.matches(secret, key.secret_sha256)
    assert not api_keys.matches(secret + "x", key.secret_sha256)
    assert not api_keys.matches("é" * 43, key.secret_sha256)  # non-ASCII compares, never raises


@pytest.mark.parametrize("token", ["", "lk_short_x", "Bearer lk_abc", "lk_ABCDEFGHIJ_" + "a" * 43])
def test_malformed_keys_are_not_keys(token: str) -> None:
    assert api_keys.split(token) is None
