"""A principal (person or system) and where an object lives, and whether one may reach the other."""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.infra.identity.roles import POINT_ROLES, Role


@dataclass(frozen=True)
class Location:
    """Where an object belongs: always a municipality (REFNIS code), often one of its points."""

    municipality: str
    point_id: str | None = None


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    municipality: str | None  # None only for the platform operator: every municipality
    points: frozenset[str] = field(default_factory=frozenset)  # for point roles: where they work
    kind: str = "system"  # "system" (API key) or "person" (signed in)
    key_prefix: str | None = None  # the visible part of the API key used, for audit and "last used"

    def __post_init__(self) -> None:
        if self.municipality is None and self.role is not Role.OPERATOR:
            raise ValueError(f"a {self.role} acts for one municipality")

    def reaches(self, location: Location) -> bool:
        """May this principal touch an object at `location`? Scope only; roles are checked apart."""
        if self.role is Role.OPERATOR:
            return True
        if location.municipality != self.municipality:
            return False
        if self.role in POINT_ROLES and location.point_id is not None:
            return location.point_id in self.points
        return True
