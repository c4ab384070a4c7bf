"""Who may use the letter desk, and what they see.

Municipal staff (counter staff, point managers, the municipality's administrator) see their own
municipality's letters, batches, refused letters and webhooks; the platform operator sees every
municipality's. Volunteers and analysts never see letters (personal data). Every object is
checked against the person's municipality; another municipality's is answered as unknown (404),
never as forbidden, so a page tells nothing about what exists elsewhere."""

from __future__ import annotations

from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import Role

DESK_ROLES = frozenset({Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.OPERATOR})


def uses_desk(principal: Principal) -> bool:
    return principal.kind == "person" and principal.role in DESK_ROLES


def sees(principal: Principal, municipality: str | None) -> bool:
    """May this person see an object of `municipality` (None: of no known municipality, which
    only the operator sees)?"""
    if principal.role is Role.OPERATOR:
        return True
    return municipality is not None and principal.reaches(Location(municipality))
