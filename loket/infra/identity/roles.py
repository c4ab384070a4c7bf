"""The roles a principal can hold, from a waiting-room screen to the platform operator."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DEVICE = "device"  # a kiosk or waiting-room display, bound to a point
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    POINT_MANAGER = "point_manager"
    MUNICIPALITY_ADMIN = "municipality_admin"
    BACKOFFICE = "backoffice"  # a municipal back-office system (finance, population, …)
    PRINT_HOUSE = "print_house"
    ANALYST = "analyst"
    OPERATOR = "operator"  # runs the platform for every municipality


# Roles that work at assistance points: their scope is a set of points, not the whole municipality.
POINT_ROLES = frozenset({Role.DEVICE, Role.VOLUNTEER, Role.STAFF, Role.POINT_MANAGER})
# Systems authenticate with API keys; people sign in (and may also hold keys for scripts).
SYSTEM_ROLES = frozenset({Role.DEVICE, Role.BACKOFFICE, Role.PRINT_HOUSE})

LABELS = {
    Role.DEVICE: "Kiosk or display",
    Role.VOLUNTEER: "Volunteer",
    Role.STAFF: "Counter staff",
    Role.POINT_MANAGER: "Point manager",
    Role.MUNICIPALITY_ADMIN: "Municipality administrator",
    Role.BACKOFFICE: "Back-office system",
    Role.PRINT_HOUSE: "Print house",
    Role.ANALYST: "Analyst",
    Role.OPERATOR: "Platform operator",
}
