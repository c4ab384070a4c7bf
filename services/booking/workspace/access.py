"""Who may work where: the points a signed-in person works at, and the scope check of every
workspace page (the same rule as the API: another municipality's point, or a point outside a
point role's points, is answered as if it did not exist)."""

from __future__ import annotations

import asyncpg

from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import Role
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import all_points
from services.booking.staff.directory import PointDirectory, Staffed

# People who run a counter; the operator may open any (see `decide`).
COUNTER_ROLES = frozenset({Role.VOLUNTEER, Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.OPERATOR})
MANAGER_ROLES = frozenset({Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.OPERATOR})


def works_at_counters(principal: Principal) -> bool:
    return principal.kind == "person" and principal.role in COUNTER_ROLES


def manages(principal: Principal) -> bool:
    return principal.kind == "person" and principal.role in MANAGER_ROLES


async def points_of(conn: asyncpg.Connection, schema: str, principal: Principal) -> list[AssistancePoint]:
    """The points this person may open, in name order."""
    # `reaches` checks a point role's own points and everyone else's municipality.
    return sorted((p for p in await all_points(conn, schema) if principal.reaches(Location(p.municipality, p.point_id))),
                  key=lambda p: p.name_in("nl", "fr", "de", "en"))


async def reachable_staffed(conn: asyncpg.Connection, points: PointDirectory, principal: Principal,
                            point_id: str) -> Staffed | None:
    """The point with its helpers and rota, when it exists and the principal reaches it; None
    otherwise (answered 404). From the service's point cache: every page and action asks."""
    staffed = await points.get(conn, point_id)
    if staffed is None or not principal.reaches(Location(staffed.point.municipality, point_id)):
        return None
    return staffed


async def reachable_point(conn: asyncpg.Connection, points: PointDirectory, principal: Principal,
                          point_id: str) -> AssistancePoint | None:
    """The point alone, as `reachable_staffed` finds it."""
    staffed = await reachable_staffed(conn, points, principal, point_id)
    return staffed.point if staffed else None
