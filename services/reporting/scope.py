"""Whose figures a principal may see: an analyst (or administrator, point manager) of a
municipality sees and exports only that municipality's; the platform operator any or all.

Asking for another municipality answers 404, as for one with no figures: whether another tenant
has figures is not the asker's to learn. Without a `municipality` filter the principal's own is
used, so "all municipalities" means all only for the operator.
"""

from __future__ import annotations

from starlette.responses import Response

from loket.infra.http.auth import problem
from loket.infra.identity.authorization import Decision, decide
from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import Role

FIGURE_ROLES = frozenset({Role.ANALYST, Role.MUNICIPALITY_ADMIN, Role.POINT_MANAGER})


def figures_scope(principal: Principal, requested: str | None, period: str) -> tuple[str | None, str] | Response:
    municipality = requested or principal.municipality
    decision = decide(principal, FIGURE_ROLES, Location(municipality) if municipality else None)
    if decision is Decision.WRONG_ROLE:
        return problem(403, "Forbidden", f"figures are for {', '.join(sorted(FIGURE_ROLES))}; "
                                         f"{principal.name!r} is {principal.role}")
    if decision is Decision.OUT_OF_SCOPE:
        return problem(404, "No figures", f"there are no figures for municipality {municipality}")
    return municipality, period


def may_choose(principal: Principal, municipality: str) -> bool:
    return decide(principal, FIGURE_ROLES, Location(municipality)) is Decision.ALLOW
