"""The decision an endpoint takes before touching an object: pure, so the authorisation matrix
can be tested exhaustively and every endpoint decides the same way.

Order matters: no principal → 401; a role the endpoint does not serve → 403 (the role is the
principal's own business, so saying so leaks nothing); an object outside the principal's
municipality or points → 404, exactly what an unknown id answers.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import Role


class Decision(Enum):
    ALLOW = 200
    UNAUTHENTICATED = 401
    WRONG_ROLE = 403
    OUT_OF_SCOPE = 404


def decide(principal: Principal | None, roles: Collection[Role], location: Location | None) -> Decision:
    """`location` None: the object does not exist (or the endpoint touches none, see callers)."""
    if principal is None:
        return Decision.UNAUTHENTICATED
    if principal.role is not Role.OPERATOR and principal.role not in roles:
        return Decision.WRONG_ROLE
    if location is not None and not principal.reaches(location):
        return Decision.OUT_OF_SCOPE
    return Decision.ALLOW
